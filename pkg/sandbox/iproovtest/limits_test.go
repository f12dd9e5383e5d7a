package iproovtest_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
)

// controlRoutes are the emulator's control endpoints and the shared fault control.
var controlRoutes = []struct{ method, path string }{
	{"POST", iproovtest.ControlPrefix + "claims/abc/start"},
	{"POST", iproovtest.ControlPrefix + "claims/abc/capture"},
	{"POST", iproovtest.ControlPrefix + "fail-next"},
	{"PUT", iproovtest.ControlPrefix + "availability"},
	{"POST", iproovtest.ControlPrefix + "reset"},
	{"GET", iproovtest.ControlPrefix + "stats"},
	{"PUT", sandbox.ControlPath},
}

// sendHuge writes a request claiming 1 GiB (declared, or chunked without end) over a raw
// connection, streaming zeros until the server answers, and returns the answer and how
// long it took. A raw connection is used because an HTTP client may give up on a body
// the server stopped reading before it reads the answer.
func sendHuge(t *testing.T, addr, method, path string, chunked bool) (*http.Response, []byte, time.Duration) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	framing := "Content-Length: 1073741824\r\n"
	if chunked {
		framing = "Transfer-Encoding: chunked\r\n"
	}
	start := time.Now()
	_, err = fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%s\r\n", method, path, addr, framing)
	require.NoError(t, err)
	go func() {
		chunk := make([]byte, 32<<10)
		for {
			var err error
			if chunked {
				_, err = fmt.Fprintf(conn, "%x\r\n%s\r\n", len(chunk), chunk)
			} else {
				_, err = conn.Write(chunk)
			}
			if err != nil {
				return // the server closed the connection: the refusal came
			}
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	require.NoError(t, err)
	return resp, body, time.Since(start)
}

// TestHugeBodiesAreRefused sends 1 GiB, declared and chunked, to every route of the
// emulator - each operation of the spec, each control endpoint, the fault control and a
// path iProov does not have - over a real connection. Each is refused with 413 without
// being read: in iProov's documented envelope on vendor routes, in the controls' shape on
// control endpoints. How long each refusal took and what the server allocated is logged
// for the record, not asserted.
func TestHugeBodiesAreRefused(t *testing.T) {
	e := iproovtest.New(iproovtest.WithLogger(quiet), iproovtest.WithOnProblem(func(p *contract.Error) {
		for _, pr := range p.Problems {
			if pr.Rule != contract.RuleBodyTooLarge {
				t.Errorf("unexpected contract problem: %v", p)
			}
		}
	}))
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	spec := contract.Default().Spec("iproov/claim")

	type route struct{ method, path string }
	var routes []route
	for _, op := range operationIDs() {
		r := opRequest(t, spec, op)
		routes = append(routes, route{r.Method, r.URL.Path})
	}
	routes = append(routes, route{"POST", iproovtest.BasePath + "/no/such/route"})
	for _, c := range controlRoutes {
		routes = append(routes, route{c.method, c.path})
	}

	var slowest time.Duration
	var most uint64
	for _, rt := range routes {
		for _, chunked := range []bool{false, true} {
			name := rt.method + " " + rt.path
			if chunked {
				name += " chunked"
			}
			t.Run(name, func(t *testing.T) {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				resp, body, took := sendHuge(t, addr, rt.method, rt.path, chunked)
				runtime.ReadMemStats(&after)
				slowest, most = max(slowest, took), max(most, after.TotalAlloc-before.TotalAlloc)
				require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, string(body))
				var got map[string]string
				require.NoError(t, json.Unmarshal(body, &got), string(body))
				if strings.HasPrefix(rt.path, "/_sandbox/") {
					assert.Equal(t, "body_too_large", got["error"])
					assert.NotEmpty(t, got["message"])
					return
				}
				assert.Equal(t, "invalid_request", got["error"])
				assert.NotEmpty(t, got["error_description"])
				req := httptest.NewRequest(rt.method, rt.path, nil)
				if _, ok := spec.FindOperation(req); ok {
					require.NoError(t, spec.ValidateResponse(req, resp.StatusCode, resp.Header, body), "a documented answer")
				}
				// Whatever the allocator did meanwhile, a 1 GiB body was not buffered.
				assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20))
			})
		}
	}
	t.Logf("1 GiB bodies to %d routes: slowest refusal %v, most bytes allocated during one %d KiB", len(routes), slowest, most>>10)
}

// TestBodyLimitIsOneLimit: a body just under the operation's limit reaches the rules
// layer (which answers iProov's own code), one byte more is refused with 413 - the same
// limit whether the body is declared or chunked, before or behind the rules layer.
func TestBodyLimitIsOneLimit(t *testing.T) {
	limit := int(iproovtest.MaxBodyBytes)
	pad := func(n int) string {
		// {"reason":"xxx…"} of exactly n bytes: a valid invalidate body.
		return `{"reason":"` + strings.Repeat("x", n-len(`{"reason":""}`)) + `"}`
	}
	tests := []struct {
		name    string
		size    int
		chunked bool
		status  int
		code    string
	}{
		{"at the limit", limit, false, 400, "invalid_reason"},
		{"at the limit, chunked", limit, true, 400, "invalid_reason"},
		{"one byte over", limit + 1, false, 413, "invalid_request"},
		{"one byte over, chunked", limit + 1, true, 413, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			req := httptest.NewRequest("POST", iproovtest.BasePath+"/claim/abc/invalidate", strings.NewReader(pad(tt.size)))
			req.Header.Set("Content-Type", "application/json")
			if tt.chunked {
				req.ContentLength = -1
				req.Body = io.NopCloser(req.Body)
			}
			rec := h.serve(req)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			code, _ := errorCode(t, rec)
			assert.Equal(t, tt.code, code)
			h.dropProblems(contract.RuleBodyTooLarge) // reported by the middleware; the answer was checked by serve
		})
	}
}

// TestPhotoEnrolTakesTheVendorsImageLimit: photo enrol accepts a 2 MB image - iProov's
// documented limit, declared as maxLength in the spec - and answers a larger one that
// still fits the body limit with iProov's own invalid_enrol_image.
func TestPhotoEnrolTakesTheVendorsImageLimit(t *testing.T) {
	face := sandbox.FaceImage("alice")
	tests := []struct {
		name   string
		image  []byte
		status int
	}{
		{"2 MB", append(face, make([]byte, iproovtest.MaxImageBytes-len(face))...), 200},
		{"one byte more", append(face, make([]byte, iproovtest.MaxImageBytes-len(face)+1)...), 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			res := h.enrolImage(photoForm{token: h.enrolToken("u1"), source: "eid", image: tt.image})
			require.Equal(t, tt.status, res.StatusCode(), string(res.Body))
			if tt.status == 400 {
				assert.Equal(t, "invalid_enrol_image", string(res.JSON400.Error))
			}
		})
	}
}

// TestControlGuard: the control endpoints answer programs on loopback and refuse what a
// web page could send - another origin, a rebinding Host name, a text/plain body - and
// a body that is not the control's JSON gets a 400 saying what the control expects.
// WithAllowedHosts opens the controls, the fault control included, to a named host.
func TestControlGuard(t *testing.T) {
	tests := []struct {
		name        string
		method      string
		path        string
		host        string
		origin      string
		contentType string
		body        string
		status      int
		says        string
	}{
		{"loopback program", "PUT", iproovtest.ControlPrefix + "availability", "127.0.0.1:8080", "", "application/json", `{"up":true}`, 204, ""},
		{"localhost name", "POST", iproovtest.ControlPrefix + "reset", "localhost:8080", "", "", "", 204, ""},
		{"another origin", "POST", iproovtest.ControlPrefix + "reset", "127.0.0.1:8080", "http://evil.example", "", "", 403, "cross-origin"},
		{"a rebinding host name", "POST", iproovtest.ControlPrefix + "reset", "evil.example:8080", "", "", "", 403, "forbidden"},
		{"a rebinding host name, fault control", "PUT", sandbox.ControlPath, "evil.example:8080", "", "application/json", `[]`, 403, "forbidden"},
		{"text/plain body", "PUT", iproovtest.ControlPrefix + "availability", "127.0.0.1:8080", "", "text/plain", `{"up":false}`, 415, "application/json"},
		{"text/plain body, fault control", "PUT", sandbox.ControlPath, "127.0.0.1:8080", "", "text/plain", `[]`, 415, "application/json"},
		{"not the control's JSON", "PUT", iproovtest.ControlPrefix + "availability", "127.0.0.1:8080", "", "application/json", `{"up":"no"}`, 400, `{"up":true}`},
		{"two JSON values", "POST", iproovtest.ControlPrefix + "fail-next", "127.0.0.1:8080", "", "application/json", `{"operation":"userGet","status":500}{}`, 400, `"operation"`},
		{"allowed docker host", "POST", iproovtest.ControlPrefix + "reset", "sandbox:8080", "", "", "", 204, ""},
		{"allowed docker host, fault control", "PUT", sandbox.ControlPath, "sandbox:8080", "", "application/json", `[]`, 204, ""},
		{"no such control", "GET", iproovtest.ControlPrefix + "nothing", "127.0.0.1:8080", "", "", "", 404, "no such control"},
	}
	e := iproovtest.New(iproovtest.WithAllowedHosts("sandbox"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			req.Host = tt.host
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			if tt.body == "" {
				req.Body, req.ContentLength = http.NoBody, 0
			}
			rec := httptest.NewRecorder()
			e.Handler().ServeHTTP(rec, req)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			if tt.says != "" {
				var got map[string]string
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got), "answers are JSON")
				assert.Contains(t, got["error"]+" "+got["message"], tt.says)
			}
		})
	}
}

// TestVendorRoutesAreNotGuarded: the guard is for control endpoints only; iProov's API
// answers any host and origin, as iProov's own does.
func TestVendorRoutesAreNotGuarded(t *testing.T) {
	e := iproovtest.New(iproovtest.WithAllowedHosts("sandbox"))
	req := httptest.NewRequest("GET", iproovtest.BasePath+"/availability?api_key="+iproovtest.DefaultAPIKey, nil)
	req.Host = "evil.example"
	req.Header.Set("Origin", "http://evil.example")
	rec := httptest.NewRecorder()
	e.Handler().ServeHTTP(rec, req)
	assert.Equal(t, 200, rec.Code, rec.Body.String())
}
