package contracttest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/idvkit/idvkit/pkg/contract"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingT is a TestingT that records instead of failing the real test.
type recordingT struct {
	errors []string
	logs   []string
	failed bool
}

func (r *recordingT) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recordingT) FailNow() { r.failed = true }
func (r *recordingT) Logf(format string, args ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}
func (r *recordingT) Helper()        {}
func (r *recordingT) output() string { return strings.Join(append(r.errors, r.logs...), "\n") }
func (r *recordingT) String() string { return r.output() }
func (r *recordingT) assertFailed(t *testing.T, b bool) {
	t.Helper()
	assert.Equal(t, b, r.failed, r.output())
}

func sessionResponse(body string) *http.Response {
	return &http.Response{
		StatusCode: 200,
		Header:     jsonHeader("X-Request-Id", "r"),
		Body:       io.NopCloser(strings.NewReader(body)),
	}
}

func TestRequireHelpers(t *testing.T) {
	s := people(t)
	valid := `{"id":"` + uuidV4 + `","status":"done"}`
	drift := `{"id":"` + uuidV4 + `","status":"done","brand_new":1}`
	broken := `{"id":"` + uuidV4 + `"}`
	tests := []struct {
		name       string
		check      func(rt *recordingT, body string)
		body       string
		wantFailed bool
		wantLogged bool
	}{
		{"valid response", requireValid(s), valid, false, false},
		{"drift is logged, not failed", requireValid(s), drift, false, true},
		{"violation fails", requireValid(s), broken, true, false},
		{"no drift: valid", requireNoDrift(s), valid, false, false},
		{"no drift: drift fails", requireNoDrift(s), drift, true, false},
		{"no drift: violation fails", requireNoDrift(s), broken, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := &recordingT{}
			tt.check(rt, tt.body)
			rt.assertFailed(t, tt.wantFailed)
			assert.Equal(t, tt.wantLogged, len(rt.logs) > 0, rt.output())
			if tt.wantFailed {
				assert.Contains(t, rt.output(), "getSession")
			}
		})
	}

	t.Run("request", func(t *testing.T) {
		rt := &recordingT{}
		RequireValidRequest(rt, s, jsonRequest("POST", "/sessions", `{"account_id":"a","metadata":{"session_id":"`+uuidV4+`"}}`))
		rt.assertFailed(t, false)
		rt = &recordingT{}
		RequireValidRequest(rt, s, jsonRequest("POST", "/sessions", `{"metadata":{"session_id":"`+uuidV4+`"}}`))
		rt.assertFailed(t, true)
		assert.Contains(t, rt.output(), "body.account_id")
	})

	t.Run("body read from the response and restored", func(t *testing.T) {
		resp := sessionResponse(valid)
		RequireValidResponse(t, s, jsonRequest("GET", "/sessions/"+uuidV4, ""), resp, nil)
		got, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Equal(t, valid, string(got))
	})
}

func requireValid(s *contract.Spec) func(*recordingT, string) {
	return func(rt *recordingT, body string) {
		RequireValidResponse(rt, s, jsonRequest("GET", "/sessions/"+uuidV4, ""), sessionResponse(body), []byte(body))
	}
}

func requireNoDrift(s *contract.Spec) func(*recordingT, string) {
	return func(rt *recordingT, body string) {
		RequireNoDrift(rt, s, jsonRequest("GET", "/sessions/"+uuidV4, ""), sessionResponse(body), []byte(body))
	}
}

// The kit's own test specs: test/people has POST /sessions and GET /sessions/{id}.
var loadTestKit = sync.OnceValues(func() (*contract.Kit, error) {
	return contract.Load(os.DirFS("../testdata/specs"))
})

func people(t testing.TB) *contract.Spec {
	t.Helper()
	k, _ := loadTestKit() // test/broken is broken on purpose
	require.NotNil(t, k)
	s, err := k.Lookup("test/people")
	require.NoError(t, err)
	return s
}

const uuidV4 = "6f1c2f0e-8c8b-4e7a-9d55-1a2b3c4d5e6f"

func jsonRequest(method, target, body string) *http.Request {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("x-api-key", "sk_test_0123456789")
	return r
}

func jsonHeader(extra ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return h
}
