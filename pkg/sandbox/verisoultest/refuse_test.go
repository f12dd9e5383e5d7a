package verisoultest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

// specFor is the spec the emulator routes r by (see the package's isIDCheck).
func specFor(r *http.Request) *contract.Spec {
	switch r.URL.Path {
	case "/liveness/verify-id":
		return idcSpec
	case "/liveness/session", "/public/liveness-redirect":
		if r.URL.Query().Has("id") {
			return idcSpec
		}
	}
	return fmSpec
}

// TestRefusalsInVerisoulShape: every answer the contract middleware makes itself is one
// the spec documents for the operation, in Verisoul's own shape and vocabulary, never
// {"error":"contract_violation"}.
func TestRefusalsInVerisoulShape(t *testing.T) {
	const key = verisoultest.DefaultAPIKey
	sid := uuid.NewString()
	tests := []struct {
		name, method, target, key, contentType, body string
		status                                       int
		code                                         string // the body's error (400) or message (gateway answers)
	}{
		{"verify-face without session_id", "POST", "/liveness/verify-face", key, "application/json", `{}`, 400, "session_not_found"},
		{"verify-id with a malformed session_id", "POST", "/liveness/verify-id", key, "application/json", `{"session_id":"nope"}`, 400, "session_not_found"},
		{"enroll not in JSON", "POST", "/liveness/enroll", key, "text/plain", `session_id=x`, 400, "session_not_found"},
		{"enroll of an unknown session with an empty account_id (the vendor allows any string)", "POST", "/liveness/enroll", key, "application/json", `{"session_id":"` + sid + `","account_id":""}`, 400, "session_not_found"},
		{"verify-identity without account_id", "POST", "/liveness/verify-identity", key, "application/json", `{"session_id":"` + sid + `"}`, 400, "account_not_found"},
		{"verify-identity without session_id", "POST", "/liveness/verify-identity", key, "application/json", `{"account_id":"acct-1"}`, 400, "session_not_found"},
		{"ID Check session with id=maybe", "GET", "/liveness/session?id=maybe", key, "", "", 400, "session_not_found"},
		{"redirect with a malformed project_id", "GET", "/public/liveness-redirect?project_id=nope", "", "", "", 400, "missing_project_id"},
		{"ID Check redirect without project_id", "GET", "/public/liveness-redirect?id=true", "", "", "", 400, "missing_project_id"},
		{"bad body and no key", "POST", "/liveness/verify-face", "", "application/json", `{}`, 401, "Unauthorized"},
		{"bad body and a wrong key", "POST", "/liveness/verify-face", "wrong-key", "application/json", `{}`, 401, "Unauthorized"},
		{"too large, chunked", "POST", "/liveness/enroll", key, "application/json", strings.Repeat(" ", int(verisoultest.MaxBodyBytes)+1), 413, "Request Entity Too Large"},
		{"no such method", "PUT", "/liveness/enroll", key, "application/json", `{}`, 404, "Not Found"},
		{"no such path", "GET", "/liveness/nothing", key, "", "", 404, "Not Found"},
	}
	srv := httptest.NewServer(verisoultest.New(verisoultest.WithClock(sandbox.NewFakeClock(t0).Now)).Handler())
	defer srv.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = struct{ io.Reader }{strings.NewReader(tt.body)} // no length: sent chunked
			}
			req, err := http.NewRequest(tt.method, srv.URL+tt.target, body)
			require.NoError(t, err)
			if tt.key != "" {
				req.Header.Set("x-api-key", tt.key)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			out, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			require.Equal(t, tt.status, resp.StatusCode, "%s", out)
			assert.NotContains(t, string(out), "contract_violation")

			var got struct{ Error, Message string }
			require.NoError(t, json.Unmarshal(out, &got))
			if tt.status == 400 {
				assert.Equal(t, tt.code, got.Error)
			} else {
				assert.Equal(t, tt.code, got.Message)
			}
			if tt.status == 404 {
				return // no operation to hold it against: the gateway's own answer
			}
			req.Body = nil
			require.NoError(t, specFor(req).ValidateResponse(req, resp.StatusCode, resp.Header, out),
				"the refusal must be documented for the operation, without drift")
		})
	}
}

// countingBody is an endless request body that counts what is read of it (atomically:
// a client's transport may still be reading it while the test looks).
type countingBody struct{ n atomic.Int64 }

func (c *countingBody) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	c.n.Add(int64(len(p)))
	return len(p), nil
}

// TestHugeBodiesRefusedOnEveryRoute: a 1 GiB body, declared or chunked, is refused with
// 413 on every route of the emulator — vendor operations, unknown paths, the hosted page,
// the control endpoints and the fault control — reading nothing of a declared one and at
// most its route's bound of a chunked one. (A chunked body to an unknown path is not
// even read: it gets the gateway's 404.)
func TestHugeBodiesRefusedOnEveryRoute(t *testing.T) {
	routes := []struct{ method, target string }{
		{"GET", "/liveness/session"},
		{"GET", "/liveness/session?id=true"},
		{"GET", "/public/liveness-redirect?project_id=" + verisoultest.DefaultProjectID},
		{"POST", "/liveness/enroll"},
		{"POST", "/liveness/verify-face"},
		{"POST", "/liveness/verify-id"},
		{"POST", "/liveness/verify-identity"},
		{"POST", "/liveness/unknown"},
		{"GET", verisoultest.AppPath + "?session_id=" + uuid.NewString()},
		{"POST", verisoultest.ControlPrefix + "sessions/" + uuid.NewString() + "/start"},
		{"POST", verisoultest.ControlPrefix + "sessions/" + uuid.NewString() + "/complete"},
		{"POST", verisoultest.ControlPrefix + "sessions/" + uuid.NewString() + "/fail"},
		{"GET", verisoultest.ControlPrefix + "enrollments"},
		{"PUT", sandbox.ControlPath},
	}
	h := verisoultest.New().Handler()
	for _, r := range routes {
		for _, chunked := range []bool{false, true} {
			name := r.method + " " + r.target + map[bool]string{false: " declared", true: " chunked"}[chunked]
			t.Run(name, func(t *testing.T) {
				var req *http.Request
				body := &countingBody{}
				if chunked {
					req = httptest.NewRequest(r.method, r.target, nil)
					req.Body, req.ContentLength = io.NopCloser(body), -1
					req.Header.Set("x-api-key", verisoultest.DefaultAPIKey)
					req.Header.Set("Content-Type", "application/json")
				} else {
					req = oversized(t, r.method, r.target)
				}
				req.Host = "127.0.0.1" // the control endpoints answer loopback only
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, req)
				elapsed := time.Since(start)
				if chunked && r.target == "/liveness/unknown" {
					require.Equal(t, http.StatusNotFound, rec.Code, "%s", rec.Body.String())
					assert.Zero(t, body.n.Load())
					return
				}
				require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, "%s", rec.Body.String())
				assert.Equal(t, "close", rec.Header().Get("Connection"))
				assert.LessOrEqual(t, body.n.Load(), int64(controlImageBound+64<<10), "read no more than the route's bound")
				var shape map[string]any
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &shape))
				if strings.HasPrefix(req.URL.Path, "/_sandbox/") {
					assert.Equal(t, "body_too_large", shape["error"], "the control endpoints' own shape")
				} else {
					assert.Equal(t, map[string]any{"message": "Request Entity Too Large"}, shape, "Verisoul's gateway shape")
				}
				t.Logf("read %d bytes in %v", body.n.Load(), elapsed)
			})
		}
	}
}

// controlImageBound is the largest body bound of any route (the complete control
// endpoint, which takes base64 images).
const controlImageBound = 8 << 20

// TestHugeChunkedBodyOverTheNetwork sends 1 GiB chunked to /liveness/enroll through a real
// server: it is refused with 413 after the limit, and the client stops sending.
func TestHugeChunkedBodyOverTheNetwork(t *testing.T) {
	srv := httptest.NewServer(verisoultest.New().Handler())
	defer srv.Close()
	body := &countingBody{}
	req, err := http.NewRequest("POST", srv.URL+"/liveness/enroll", io.LimitReader(body, 1<<30))
	require.NoError(t, err)
	req.Header.Set("x-api-key", verisoultest.DefaultAPIKey)
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.JSONEq(t, `{"message":"Request Entity Too Large"}`, string(out))
	t.Logf("1 GiB chunked body refused after %v; the client sent %d MiB", time.Since(start), body.n.Load()>>20)
}
