package contract_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/idvkit/idvkit/internal/benchcpu"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

// BenchmarkSandboxVerifyFace is the Verisoul emulator's POST /liveness/verify-face on a
// completed session, in process, mounted as `make bench-peers` serves it (rate limit
// off): the handler's own CPU, contract middleware included, without the loopback.
func BenchmarkSandboxVerifyFace(b *testing.B) {
	e := verisoultest.New(verisoultest.WithRateLimit(0, time.Minute), verisoultest.WithMaxSessions(1<<22))
	h := e.Handler()
	do := func(method, path string, body []byte) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "http://127.0.0.1"+path, bytes.NewReader(body))
		r.Header.Set("x-api-key", verisoultest.DefaultAPIKey)
		if body != nil {
			r.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
		return w
	}
	var s struct {
		SessionID string `json:"session_id"`
	}
	if err := json.Unmarshal(do(http.MethodGet, "/liveness/session", nil).Body.Bytes(), &s); err != nil {
		b.Fatal(err)
	}
	do(http.MethodPost, verisoultest.ControlPrefix+"sessions/"+s.SessionID+"/complete", []byte(`{"face":"alice"}`))
	body := []byte(`{"session_id":"` + s.SessionID + `"}`)
	b.ReportAllocs()
	defer benchcpu.Start(b)()
	for b.Loop() {
		do(http.MethodPost, "/liveness/verify-face", body)
	}
}
