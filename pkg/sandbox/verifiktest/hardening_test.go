package verifiktest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
)

// limitedReader is a body of n bytes that counts what is read of it.
type limitedReader struct{ n, read int64 }

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.read >= l.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), l.n-l.read) // the bytes' values do not matter
	l.read += k
	return int(k), nil
}

// TestOversizeBodiesAreRefused sends 1 GiB, declared or chunked, to every kind of route
// of the emulator: a vendor operation, one that takes images, an unknown route, the
// control endpoints. Each is refused with 413 in the route's own error shape, after
// reading no more than its limit — or, for a chunked body to an unknown route, with 404
// before reading any of it.
func TestOversizeBodiesAreRefused(t *testing.T) {
	const gib = 1 << 30
	emu := verifiktest.New()
	h := emu.Handler()
	type route struct {
		method, path string
		limit        int64
		shape        string // a field of the refusal's body
		unknown      bool   // a route the spec does not have
	}
	routes := []route{
		{"POST", "/v2/app-registrations", contract.DefaultMaxBodyBytes, `"code":"PayloadTooLarge"`, false},
		{"POST", "/v2/document-validations/app-registration", 16 << 20, `"code":"PayloadTooLarge"`, false},
		{"GET", "/v2/projects", contract.DefaultMaxBodyBytes, `"code":"PayloadTooLarge"`, false},
		{"POST", "/v2/nowhere", contract.DefaultMaxBodyBytes, `"code":"PayloadTooLarge"`, true},
		{"PUT", verifiktest.ControlPrefix + "credits", contract.DefaultMaxBodyBytes, `"error":"body_too_large"`, false},
		{"GET", verifiktest.ControlPrefix + "outbox", contract.DefaultMaxBodyBytes, `"error":"body_too_large"`, false},
	}
	for _, rt := range routes {
		for _, chunked := range []bool{false, true} {
			name := rt.method + " " + rt.path + " declared"
			if chunked {
				name = rt.method + " " + rt.path + " chunked"
			}
			t.Run(name, func(t *testing.T) {
				body := &limitedReader{n: gib}
				req := httptest.NewRequest(rt.method, "http://127.0.0.1"+rt.path, body)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+verifiktest.DefaultClientToken)
				req.ContentLength = gib
				if chunked {
					req.ContentLength = -1
				}
				rec := httptest.NewRecorder()
				began := time.Now()
				h.ServeHTTP(rec, req)
				t.Logf("refused after reading %d bytes in %v", body.read, time.Since(began))
				if chunked && rt.unknown {
					assert.Equal(t, http.StatusNotFound, rec.Code, rec.Body.String())
					assert.Contains(t, rec.Body.String(), `"code":"ResourceNotFound"`)
					assert.Zero(t, body.read, "nothing is read for a route that does not exist")
					return
				}
				assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, rec.Body.String())
				assert.Contains(t, rec.Body.String(), rt.shape)
				if chunked {
					assert.LessOrEqual(t, body.read, rt.limit+64<<10, "read no more than the limit")
				} else {
					assert.Zero(t, body.read, "a declared oversize body is refused unread")
				}
			})
		}
	}
	// A control body over the endpoint's own small limit is refused too.
	req := httptest.NewRequest("PUT", "http://127.0.0.1"+verifiktest.ControlPrefix+"credits", strings.NewReader(`{"credits":`+strings.Repeat(" ", 2<<10)+`1}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, rec.Body.String())
}

// TestControlEndpointsAreGuarded: a web page the developer opens cannot read the OTPs
// in the outbox or change the emulator — not cross-site, not by DNS rebinding, not with a
// text/plain "simple" request — while programs on loopback and allowed hosts can.
func TestControlEndpointsAreGuarded(t *testing.T) {
	emu := verifiktest.New(verifiktest.WithAllowedHosts("verifik-sandbox:8080"))
	h := emu.Handler()
	cases := []struct {
		name, method, host, path, origin, contentType, body string
		want                                                int
	}{
		{"outbox from loopback", "GET", "127.0.0.1:8080", "outbox", "", "", "", http.StatusOK},
		{"outbox from localhost", "GET", "localhost:8080", "outbox/last?to=a@b.example", "", "", "", http.StatusNotFound},
		{"outbox from an allowed host", "GET", "verifik-sandbox:8080", "outbox", "", "", "", http.StatusOK},
		{"outbox read cross-site", "GET", "127.0.0.1:8080", "outbox", "https://evil.example", "", "", http.StatusForbidden},
		{"outbox by DNS rebinding", "GET", "evil.example:8080", "outbox", "", "", "", http.StatusForbidden},
		{"same-origin page", "GET", "127.0.0.1:8080", "outbox", "http://127.0.0.1:8080", "", "", http.StatusOK},
		{"credits as text/plain", "PUT", "127.0.0.1:8080", "credits", "", "text/plain", `{"credits":0}`, http.StatusUnsupportedMediaType},
		{"credits cross-site", "PUT", "127.0.0.1:8080", "credits", "https://evil.example", "application/json", `{"credits":0}`, http.StatusForbidden},
		{"credits as JSON", "PUT", "127.0.0.1:8080", "credits", "", "application/json", `{"credits":0}`, http.StatusNoContent},
		{"credits that do not parse", "PUT", "127.0.0.1:8080", "credits", "", "application/json", `[1]`, http.StatusBadRequest},
		{"fault rules by DNS rebinding", "PUT", "evil.example", sandbox.ControlPath, "", "application/json", `[]`, http.StatusForbidden},
		{"fault rules from an allowed host", "PUT", "verifik-sandbox", sandbox.ControlPath, "", "application/json", `[]`, http.StatusNoContent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := c.path
			if !strings.HasPrefix(path, "/") {
				path = verifiktest.ControlPrefix + path
			}
			req := httptest.NewRequest(c.method, "http://"+c.host+path, strings.NewReader(c.body))
			if c.body == "" {
				req = httptest.NewRequest(c.method, "http://"+c.host+path, nil)
			}
			if c.origin != "" {
				req.Header.Set("Origin", c.origin)
			}
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, c.want, rec.Code, rec.Body.String())
			if rec.Code >= 400 {
				var body map[string]string
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), "refusals are JSON")
				assert.NotEmpty(t, body["message"], "and say why")
			}
		})
	}
	// Vendor routes answer any host: the guard is for the control endpoints only.
	req := httptest.NewRequest("GET", "http://api.example/v2/projects", nil)
	req.Header.Set("Authorization", "Bearer "+verifiktest.DefaultClientToken)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusOK, rec.Code)
}

// TestUnknownRouteIsVerifiks404: a route the spec does not have gets restify's 404
// ResourceNotFound in Verifik's error body, not the contract kit's own shape.
func TestUnknownRouteIsVerifiks404(t *testing.T) {
	spec := contract.Default().Spec("verifik/smartenroll")
	h := verifiktest.New().Handler()
	for _, target := range []string{"GET /v2/nowhere", "DELETE /v2/projects", "POST /v3/nowhere"} {
		method, path, _ := strings.Cut(target, " ")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		assert.Equal(t, http.StatusNotFound, rec.Code, target)
		var body any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		assert.NoError(t, spec.Doc.Components.Schemas["Error"].Value.VisitJSON(body), target)
		assert.NotContains(t, rec.Body.String(), "contract_violation", target)
		assert.Contains(t, rec.Body.String(), `"code":"ResourceNotFound"`, target)
	}
}
