// Package contracttest holds the test helpers of the contract kit: assertions that fail a
// test when a request or response does not match its spec. It lives apart from
// pkg/contract so that binaries using the vendor clients link no test code; only tests
// import it. It works with *testing.T, testify's require.TestingT, or anything with
// Errorf and FailNow.
package contracttest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/idvkit/idvkit/pkg/contract"
)

// TestingT is the part of *testing.T the helpers use. Helper and Logf are used too when
// t has them.
type TestingT interface {
	Errorf(format string, args ...any)
	FailNow()
}

type helper interface{ Helper() }

type logger interface {
	Logf(format string, args ...any)
}

// RequireValidRequest fails t unless req matches its operation in s.
func RequireValidRequest(t TestingT, s *contract.Spec, req *http.Request) {
	if h, ok := t.(helper); ok {
		h.Helper()
	}
	if err := s.ValidateRequest(req); err != nil {
		t.Errorf("request does not match spec %s:\n%s", s.Name, describe(err))
		t.FailNow()
	}
}

// RequireValidResponse fails t unless resp (to req) matches s. Drift (unknown properties
// or enum values) does not fail: it is logged when t can log, because a vendor may add
// them at any time. Use [RequireNoDrift] to fail on drift too. body is the response body;
// when nil, resp.Body is read and restored.
func RequireValidResponse(t TestingT, s *contract.Spec, req *http.Request, resp *http.Response, body []byte) {
	if h, ok := t.(helper); ok {
		h.Helper()
	}
	err := validateHTTPResponse(t, s, req, resp, body)
	if err == nil || err == errFailed {
		return
	}
	var e *contract.Error
	if errors.As(err, &e) && e.DriftOnly() {
		if l, ok := t.(logger); ok {
			l.Logf("response drifts from spec %s:\n%s", s.Name, describe(err))
		}
		return
	}
	t.Errorf("response does not match spec %s:\n%s", s.Name, describe(err))
	t.FailNow()
}

// RequireNoDrift is [RequireValidResponse] that also fails on drift: for responses we
// produce ourselves (the sandbox emulators), where an unlisted property is our bug.
func RequireNoDrift(t TestingT, s *contract.Spec, req *http.Request, resp *http.Response, body []byte) {
	if h, ok := t.(helper); ok {
		h.Helper()
	}
	if err := validateHTTPResponse(t, s, req, resp, body); err != nil && err != errFailed {
		t.Errorf("response does not match spec %s exactly:\n%s", s.Name, describe(err))
		t.FailNow()
	}
}

// errFailed says validateHTTPResponse has already failed t: a TestingT whose FailNow
// returns, as a recorder's does, must not go on to a second failure.
var errFailed = errors.New("contracttest: already failed")

func validateHTTPResponse(t TestingT, s *contract.Spec, req *http.Request, resp *http.Response, body []byte) error {
	if resp == nil {
		t.Errorf("contract: nil response")
		t.FailNow()
		return errFailed
	}
	if req == nil {
		req = resp.Request
	}
	if req == nil {
		t.Errorf("contract: no request to find the operation by")
		t.FailNow()
		return errFailed
	}
	if body == nil && resp.Body != nil && resp.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(resp.Body); err != nil {
			t.Errorf("contract: read response body: %v", err)
			t.FailNow()
			return errFailed
		}
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	return s.ValidateResponse(req, resp.StatusCode, resp.Header, body)
}

func describe(err error) string {
	var e *contract.Error
	if !errors.As(err, &e) {
		return "  " + err.Error()
	}
	var b strings.Builder
	for _, p := range e.Problems {
		b.WriteString("  - ")
		b.WriteString(p.String())
		b.WriteString("\n")
	}
	return b.String()
}
