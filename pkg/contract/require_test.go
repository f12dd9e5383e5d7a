package contract

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingT is a require.TestingT that records instead of failing the real test.
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

func requireValid(s *Spec) func(*recordingT, string) {
	return func(rt *recordingT, body string) {
		RequireValidResponse(rt, s, jsonRequest("GET", "/sessions/"+uuidV4, ""), sessionResponse(body), []byte(body))
	}
}

func requireNoDrift(s *Spec) func(*recordingT, string) {
	return func(rt *recordingT, body string) {
		RequireNoDrift(rt, s, jsonRequest("GET", "/sessions/"+uuidV4, ""), sessionResponse(body), []byte(body))
	}
}
