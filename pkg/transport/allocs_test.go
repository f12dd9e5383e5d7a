package transport

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"
)

// TestDoAllocs holds what the pipeline adds to a call, in allocations (exact, unlike
// time): the default deadlines, the write hook of an Unsafe operation, the request
// copy with the User-Agent, the capped body. It was 31 before the pipeline built one
// deadline context per attempt (not one per call and one per attempt), its write hook,
// redirect and log bookkeeping only when they are used, and its per-call state in one
// allocation; it is 10 (a Safe operation, which needs no write hook: 8).
func TestDoAllocs(t *testing.T) {
	hc := &http.Client{Transport: answerTransport{}}
	c, err := New("verisoul", "https://api.verisoul.test", WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	run := func(ctx context.Context, do func(*http.Request) (*http.Response, error)) float64 {
		return testing.AllocsPerRun(200, func() {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://api.verisoul.test/liveness/enroll", http.NoBody)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		})
	}
	tests := []struct {
		op   string
		max  float64 // allocations beyond the bare client's
		note string
	}{
		{"enrollFaceMatch", 12, "Unsafe"},
		{"createFaceMatchSession", 10, "Safe"},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			ctx := WithOperation(context.Background(), tt.op)
			bare, piped := run(ctx, hc.Do), run(ctx, c.Do)
			t.Logf("%s (%s): bare %.0f, transport %.0f: +%.0f", tt.op, tt.note, bare, piped, piped-bare)
			if piped-bare > tt.max {
				t.Fatalf("the pipeline adds %.0f allocations to a call, want at most %.0f", piped-bare, tt.max)
			}
		})
	}
}

// TestSameOriginIsOriginOf: the comparison Do makes without building strings answers
// as comparing originOf's strings does.
func TestSameOriginIsOriginOf(t *testing.T) {
	urls := []string{"https://x.test", "https://x.test:443/api", "http://X.TEST:80", "http://x.test",
		"http://[::1]:8080/a", "http://[::1]:8080/b?q=1", "http://[::1]/", "https://u:p@x.test",
		"https://x.test:8443", "https://y.test", "HTTPS://x.test", "ftp://x.test", "https://x.test:",
		"https://[x.test]:443", "https://x.test.", "https://\u212a.test", "https://k.test"}
	for _, base := range urls {
		c, err := New("verisoul", base)
		if err != nil {
			continue // not a base URL New accepts
		}
		b, _ := url.Parse(base)
		for _, raw := range urls {
			u, err := url.Parse(raw)
			if err != nil {
				continue
			}
			if got, want := c.sameOrigin(u), originOf(u) == originOf(b); got != want {
				t.Errorf("base %s, url %s: sameOrigin %v, originOf says %v", base, raw, got, want)
			}
		}
	}
}

// headerRecorder answers 200 and keeps the request it was given.
type headerRecorder struct{ got *http.Request }

func (h *headerRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	h.got = r
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
}

// TestUserAgentLeavesCallersHeader: the request sent carries the transport's
// User-Agent beside the caller's headers, whatever User-Agent the caller set, and the
// caller's header map is never written, not even by a RoundTripper beneath.
func TestUserAgentLeavesCallersHeader(t *testing.T) {
	tests := []struct {
		name, callers string // "" sets none
	}{{"none", ""}, {"another", "curl/8"}, {"the same", DefaultUserAgent}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &headerRecorder{}
			c, err := New("verifik", "https://verifik.test", WithHTTPClient(&http.Client{Transport: rec}))
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodGet, "https://verifik.test/v2/projects", nil)
			req.Header.Set("Authorization", "Bearer t")
			if tt.callers != "" {
				req.Header.Set("User-Agent", tt.callers)
			}
			before := req.Header.Clone()
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if got := rec.got.Header.Get("User-Agent"); got != DefaultUserAgent {
				t.Errorf("sent User-Agent %q, want %q", got, DefaultUserAgent)
			}
			if got := rec.got.Header.Get("Authorization"); got != "Bearer t" {
				t.Errorf("sent Authorization %q", got)
			}
			if !reflect.DeepEqual(req.Header, before) {
				t.Errorf("the caller's header changed: %v, was %v", req.Header, before)
			}
			rec.got.Header.Add("User-Agent", "appended")
			if c.userAgentValue[0] != DefaultUserAgent || len(req.Header.Values("User-Agent")) > 1 {
				t.Error("an append to the sent header reached the transport's or the caller's")
			}
		})
	}
}

// deadlineTrace records, per attempt, the deadline its request carries, and the deadline
// of the context each backoff waits under; every attempt answers 503.
type deadlineTrace struct {
	attempts, sleeps []time.Time
}

func (d *deadlineTrace) RoundTrip(r *http.Request) (*http.Response, error) {
	dl, _ := r.Context().Deadline()
	d.attempts = append(d.attempts, dl)
	return &http.Response{StatusCode: 503, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
}

// TestDeadlinesAcrossAttempts: with one context per attempt, each attempt still ends
// at the sooner of its own timeout and the call's, and a backoff waits under the
// call's deadline.
func TestDeadlinesAcrossAttempts(t *testing.T) {
	tests := []struct {
		name             string
		attempt, total   time.Duration
		wantAttemptBound time.Duration // from the call's start
	}{
		{"attempt sooner", time.Minute, time.Hour, time.Minute},
		{"call sooner", time.Hour, time.Minute, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &deadlineTrace{}
			policy := RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, Rand: func() float64 { return 0 },
				Sleep: func(ctx context.Context, _ time.Duration) error {
					dl, _ := ctx.Deadline()
					tr.sleeps = append(tr.sleeps, dl)
					return nil
				}}
			c, err := New("verisoul", "https://api.verisoul.test", WithHTTPClient(&http.Client{Transport: tr}),
				WithTimeout(tt.attempt), WithTotalTimeout(tt.total), WithRetryPolicy(policy))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			req, _ := http.NewRequestWithContext(WithOperation(context.Background(), "createFaceMatchSession"),
				http.MethodPost, "https://api.verisoul.test/liveness/session", http.NoBody)
			resp, err := c.Do(req)
			end := time.Now()
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if len(tr.attempts) != 3 || len(tr.sleeps) != 2 {
				t.Fatalf("%d attempts, %d waits; want 3 and 2", len(tr.attempts), len(tr.sleeps))
			}
			for i, dl := range tr.attempts {
				if dl.Before(start.Add(min(tt.attempt, tt.total))) && i == 0 || dl.After(end.Add(tt.wantAttemptBound)) {
					t.Errorf("attempt %d: deadline %v after the start, want about %v", i+1, dl.Sub(start), tt.wantAttemptBound)
				}
			}
			for i, dl := range tr.sleeps {
				if dl.Before(start.Add(tt.total)) || dl.After(end.Add(tt.total)) {
					t.Errorf("wait %d: deadline %v after the start, want the call's %v", i+1, dl.Sub(start), tt.total)
				}
			}
		})
	}
}
