package transport

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// BenchmarkDo compares a call through the transport with the same call on a
// bare *http.Client over loopback; the difference is the pipeline's overhead.
func BenchmarkDo(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-1")
		_, _ = io.WriteString(w, `{"request_id":"r","success":true}`)
	}))
	defer srv.Close()
	hc := srv.Client()
	url := srv.URL + "/liveness/enroll"

	run := func(b *testing.B, do func(*http.Request) (*http.Response, error)) {
		ctx := WithOperation(context.Background(), "enrollFaceMatch")
		b.ReportAllocs()
		for b.Loop() {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				b.Fatal(err)
			}
			resp, err := do(req)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				b.Fatal(err)
			}
			_ = resp.Body.Close()
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, hc.Do) })
	b.Run("transport", func(b *testing.B) {
		c, err := New("verisoul", srv.URL, WithHTTPClient(hc))
		if err != nil {
			b.Fatal(err)
		}
		run(b, c.Do)
	})
	b.Run("transport+timeouts+log", func(b *testing.B) {
		c, err := New("verisoul", srv.URL, WithHTTPClient(hc), WithTimeout(10*time.Second),
			WithTotalTimeout(30*time.Second), WithLogger(slog.New(slog.NewJSONHandler(io.Discard, nil))))
		if err != nil {
			b.Fatal(err)
		}
		run(b, c.Do)
	})
}

// answerTransport answers every request at once, without a network: what is left to
// count is the client's own work.
type answerTransport struct{}

func (answerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{}, Request: r,
		Body: io.NopCloser(strings.NewReader(`{"request_id":"r","success":true}`))}, nil
}

// BenchmarkDoInProcess is BenchmarkDo without the network: an *http.Client whose
// RoundTripper answers at once, bare and under the transport, so the difference is the
// pipeline's own CPU, free of the loopback's noise on a shared machine.
func BenchmarkDoInProcess(b *testing.B) {
	hc := &http.Client{Transport: answerTransport{}}
	const url = "https://api.verisoul.test/liveness/enroll"
	run := func(b *testing.B, do func(*http.Request) (*http.Response, error)) {
		ctx := WithOperation(context.Background(), "enrollFaceMatch")
		b.ReportAllocs()
		for b.Loop() {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, http.NoBody)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, hc.Do) })
	b.Run("transport", func(b *testing.B) {
		c, err := New("verisoul", "https://api.verisoul.test", WithHTTPClient(hc))
		if err != nil {
			b.Fatal(err)
		}
		run(b, c.Do)
	})
}
