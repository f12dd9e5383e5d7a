package main

import (
	"encoding/json"
	"net/http"
	"os"
	"time"

	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

// answer is one captured answer the bare handler replays.
type answer struct {
	Path        string `json:"path"`
	Method      string `json:"method"`
	Status      int    `json:"status"`
	ContentType string `json:"content_type"`
	Body        []byte `json:"body"`
}

// serveBare is the floor: a net/http handler writing the captured bytes, nothing else.
func serveBare(addr, answersFile string) error {
	b, err := os.ReadFile(answersFile)
	if err != nil {
		return err
	}
	var answers []answer
	if err := json.Unmarshal(b, &answers); err != nil {
		return err
	}
	mux := http.NewServeMux()
	for _, a := range answers {
		mux.HandleFunc(a.Method+" "+a.Path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", a.ContentType)
			w.WriteHeader(a.Status)
			_, _ = w.Write(a.Body)
		})
	}
	return serve(addr, mux)
}

// serveIdvkit stands in for `idvkit sandbox serve -rate-limit=off` while that flag is
// missing (Verisoul's 300 requests a minute would answer most of the load with 429):
// the same Verisoul emulator, mounted as sandbox serve mounts it, with the limit off and
// room for every session the load creates (at the default 10,000 open sessions GET
// /liveness/session answers 429, which is cheap and not the work measured).
func serveIdvkit(addr string) error {
	e := verisoultest.New(verisoultest.WithRateLimit(0, time.Minute), verisoultest.WithMaxSessions(1<<22))
	mux := http.NewServeMux()
	mux.Handle("/verisoul/", http.StripPrefix("/verisoul", e.Handler()))
	return serve(addr, mux)
}

func serve(addr string, h http.Handler) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 90 * time.Second, IdleTimeout: 30 * time.Second,
		MaxHeaderBytes: 64 << 10}
	return srv.ListenAndServe()
}
