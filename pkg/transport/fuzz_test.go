package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// fixtureResponse is a vendor response from the repo's testdata/<vendor>/*.json.
type fixtureResponse struct {
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

// fixtureResponses reads every response fixture of every vendor: the seeds of the
// fuzz targets below.
func fixtureResponses(f *testing.F) []fixtureResponse {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "*", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures under testdata/: %v", err)
	}
	var out []fixtureResponse
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		var fx struct {
			fixtureResponse
			Kind string `json:"kind"`
		}
		if json.Unmarshal(b, &fx) != nil || fx.Kind != "response" {
			continue
		}
		out = append(out, fx.fixtureResponse)
	}
	return out
}

// FuzzCheck feeds arbitrary vendor answers to Check: it must never panic, must return
// nil exactly for 2xx/3xx, and otherwise an *APIError whose text is safe to log.
func FuzzCheck(f *testing.F) {
	for _, fx := range fixtureResponses(f) {
		f.Add(fx.Status, "", "", []byte(fx.Body), uint16(0))
	}
	f.Add(503, "120", "req-1", []byte(`<html>Service Unavailable</html>`), uint16(0))
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", "", []byte(`{"error":{"code":"rate","message":"slow down"}}`), uint16(8))
	f.Add(400, "", "", []byte(`{"statusCode":400,"message":"Account not found","error":"Bad Request"}`), uint16(0))
	f.Add(401, "", "", []byte("{\"error\":\"a\u202eb\\u0000c\",\"error_description\":\"\xff\xfe\"}"), uint16(3))
	f.Add(0, "-1", "\x00", []byte(nil), uint16(1))

	f.Fuzz(func(t *testing.T, status int, retryAfter, requestIDHeader string, body []byte, limit uint16) {
		var opts []Option
		if limit > 0 {
			opts = append(opts, WithMaxBodyBytes(int64(limit)))
		}
		c, err := New("verisoul", "https://api.test", opts...)
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		h.Set("X-Request-Id", requestIDHeader)
		resp := &http.Response{StatusCode: status, Header: h, Body: http.NoBody}
		ctx := WithOperation(context.Background(), "verifyFace")

		err = c.Check(ctx, "", resp, body)
		if status >= 200 && status < 400 {
			if err != nil {
				t.Fatalf("status %d: %v", status, err)
			}
			return
		}
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("status %d: want *APIError, got %T %v", status, err, err)
		}
		if apiErr.StatusCode != status || apiErr.Operation != "verifyFace" || apiErr.Vendor != "verisoul" {
			t.Fatalf("wrong identity: %+v", apiErr)
		}
		if int64(len(apiErr.RawBody())) > c.maxBody || !bytes.HasPrefix(body, apiErr.RawBody()) {
			t.Fatalf("body not a capped prefix: %d bytes kept of %d, cap %d", len(apiErr.RawBody()), len(body), c.maxBody)
		}
		if apiErr.RetryAfter < 0 {
			t.Fatalf("negative Retry-After %v", apiErr.RetryAfter)
		}
		wantRetryable := status == 429 || (status >= 500 && status <= 599 && status != 501)
		if apiErr.Retryable != wantRetryable || errors.Is(err, ErrServer) != (status >= 500 && status <= 599) ||
			errors.Is(err, ErrRateLimited) != (status == 429) {
			t.Fatalf("status %d classified wrongly: %+v", status, apiErr)
		}
		// +2: a space kept before the last rune, and the ellipsis.
		requireSafe(t, "code", apiErr.Code, 100+2)
		requireSafe(t, "message", apiErr.Message, maxMessageRunes+2)
		requireSafe(t, "request id", apiErr.RequestID, 100+2)
		requireSafe(t, "Error()", apiErr.Error(), 1<<10)

		again := c.Check(ctx, "", resp, body).(*APIError)
		if again.Code != apiErr.Code || again.Message != apiErr.Message || again.RequestID != apiErr.RequestID {
			t.Fatalf("Check is not deterministic: %+v vs %+v", apiErr, again)
		}
	})
}

// requireSafe fails unless s is valid UTF-8 of at most max runes without control or
// format characters: what vendor text must be before it reaches an error string or log.
func requireSafe(t *testing.T, what, s string, max int) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s is not valid UTF-8: %q", what, s)
	}
	if n := utf8.RuneCountInString(s); n > max {
		t.Fatalf("%s has %d runes, more than %d", what, n, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			t.Fatalf("%s holds control or format character %U: %q", what, r, s)
		}
	}
}

// FuzzRetryAfter feeds arbitrary Retry-After values to the parser and to the retry
// delay: never negative, seconds capped at a day, and the wait always within the policy.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{
		"", "0", "1", "120", " 30 ", "-1", "+5", "1.5", "99999999999999999999", "9223372036854775807",
		"Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
		"Sun Nov  6 08:49:37 1994", "Mon, 01 Jan 0001 00:00:00 GMT", "\x00", "1e3",
	} {
		f.Add(s, uint8(2))
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	policy := DefaultRetryPolicy()
	policy.Rand = func() float64 { return 0.999 }

	f.Fuzz(func(t *testing.T, v string, next uint8) {
		d, ok := parseRetryAfter(v, now)
		if d < 0 {
			t.Fatalf("%q: negative delay %v", v, d)
		}
		if !ok && d != 0 {
			t.Fatalf("%q: delay %v without a value", v, d)
		}
		if _, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && d > 24*time.Hour {
			t.Fatalf("%q: %v is more than the day cap", v, d)
		}
		resp := &http.Response{Header: http.Header{"Retry-After": {v}}}
		wait := policy.delay(int(next)+2, resp, now)
		if wait < 0 {
			t.Fatalf("%q: negative wait %v", v, wait)
		}
		if ok && wait != min(d, policy.MaxRetryAfter) {
			t.Fatalf("%q: wait %v, want Retry-After %v capped at %v", v, wait, d, policy.MaxRetryAfter)
		}
		if !ok && wait > policy.MaxDelay {
			t.Fatalf("%q: backoff %v past MaxDelay %v", v, wait, policy.MaxDelay)
		}
	})
}

// fixedBody answers every request with one response, without a network.
type fixedBody struct {
	status int
	body   []byte
}

func (f fixedBody) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: f.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(f.body)), Request: r,
	}, nil
}

// chunkedReader returns at most n bytes per Read, to vary how the cap is crossed.
type chunkedReader struct {
	r io.Reader
	n int
}

func (c chunkedReader) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

// FuzzBodyCap reads arbitrary bodies through Do's size cap in arbitrary chunk sizes:
// a body within the cap arrives whole, a larger one stops at exactly the cap with a
// *BodyTooLargeError, and error bodies feed Check without panicking.
func FuzzBodyCap(f *testing.F) {
	for _, fx := range fixtureResponses(f) {
		f.Add(fx.Status, []byte(fx.Body), uint16(len(fx.Body)/2), uint8(7))
	}
	f.Add(200, []byte("exactly"), uint16(7), uint8(1))
	f.Add(500, []byte("one too many"), uint16(11), uint8(0))

	f.Fuzz(func(t *testing.T, status int, body []byte, limit uint16, chunk uint8) {
		if status < 100 || status > 999 {
			status = 200 + status%100
			if status < 200 {
				status += 100
			}
		}
		max := int64(limit) + 1
		hc := &http.Client{Transport: fixedBody{status: status, body: body}}
		c, err := New("iproov", "https://api.test", WithHTTPClient(hc), WithMaxBodyBytes(max),
			WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			t.Fatal(err)
		}
		ctx := WithOperation(context.Background(), "userGet")
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.test/users/u", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("Do: %v", err)
		}
		got, err := io.ReadAll(chunkedReader{r: resp.Body, n: int(chunk) + 1})
		_ = resp.Body.Close()
		switch {
		case int64(len(body)) <= max:
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("body within the cap (%d <= %d) not read whole: %d bytes, %v", len(body), max, len(got), err)
			}
		default:
			var big *BodyTooLargeError
			if !errors.As(err, &big) || big.Limit != max || big.Operation != "userGet" {
				t.Fatalf("body over the cap (%d > %d): want *BodyTooLargeError, got %v", len(body), max, err)
			}
			if int64(len(got)) != max || !bytes.Equal(got, body[:max]) {
				t.Fatalf("read %d bytes past a cap of %d", len(got), max)
			}
		}
		if err := c.Check(ctx, "", resp, got); (err == nil) != (status >= 200 && status < 400) {
			t.Fatalf("Check of HTTP %d: %v", status, err)
		}
	})
}

// FuzzWrapDecode decodes arbitrary bodies, read in full through Do, into the kinds of
// fields generated models hold (UUIDs, times, numbers): whatever fails must come out of
// Wrap as a *DecodeError naming the status, never as a failed request, and its text
// must not quote the value.
func FuzzWrapDecode(f *testing.F) {
	f.Add([]byte(`{"id":"3f2b1c4e-8a9d-4e6f-b1c2-0d3e4f5a6b7c","at":"2026-03-01T12:00:00Z","n":1}`))
	f.Add([]byte(`{"id":"not-a-uuid"}`))
	f.Add([]byte(`{"at":"01/02/1990 Jane Doe"}`))
	f.Add([]byte(`{"at":19900102}`))
	f.Add([]byte(`{"n":"x"}`))
	f.Add([]byte(`{"id":`))
	f.Add([]byte(`null`))

	f.Fuzz(func(t *testing.T, body []byte) {
		hc := &http.Client{Transport: fixedBody{status: 200, body: body}}
		c, err := New("verisoul", "https://api.test", WithHTTPClient(hc), WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			t.Fatal(err)
		}
		ctx := WithOperation(context.Background(), "verifyFace")
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://api.test/liveness/verify-face", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("Do: %v", err)
		}
		got, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var v struct {
			ID uuid.UUID `json:"id"`
			At time.Time `json:"at"`
			N  int       `json:"n"`
		}
		decErr := json.Unmarshal(got, &v)
		if decErr == nil {
			return
		}
		err = c.Wrap(ctx, "", decErr)
		var de *DecodeError
		if !errors.As(err, &de) || de.StatusCode != 200 || de.Operation != "verifyFace" {
			t.Fatalf("want *DecodeError of HTTP 200, got %T: %v", err, err)
		}
		var raw struct {
			ID, At json.RawMessage
		}
		if json.Unmarshal(got, &raw) != nil {
			return
		}
		for _, field := range []json.RawMessage{raw.ID, raw.At} {
			var s string
			if json.Unmarshal(field, &s) == nil && len(s) >= 6 && strings.Contains(err.Error(), s) {
				t.Fatalf("error quotes the value %q: %v", s, err)
			}
		}
	})
}
