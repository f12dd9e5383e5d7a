package verisoultest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/contract/contracttest"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

var (
	fmSpec  = contract.Default().Spec("verisoul/facematch")
	idcSpec = contract.Default().Spec("verisoul/idcheck")
	t0      = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

// exchange is one recorded call: the request as sent (body replayable) and the response.
type exchange struct {
	req     *http.Request
	reqBody []byte
	resp    *http.Response
	body    []byte
}

// recorder is the generated clients' HttpRequestDoer: it keeps every exchange so tests
// can hold both directions against the spec.
type recorder struct {
	hc   *http.Client
	mu   sync.Mutex
	last []exchange
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.last = append(r.last, exchange{req: req, reqBody: reqBody, resp: resp, body: body})
	r.mu.Unlock()
	return resp, nil
}

func (r *recorder) lastExchange(t *testing.T) exchange {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.NotEmpty(t, r.last, "no call recorded")
	return r.last[len(r.last)-1]
}

// env is an emulator behind httptest with both generated clients pointed at it.
type env struct {
	t        *testing.T
	emu      *verisoultest.Emulator
	clock    *sandbox.FakeClock
	srv      *httptest.Server
	rec      *recorder
	key      string
	fm       *facematch.ClientWithResponses
	idc      *idcheck.ClientWithResponses
	mu       sync.Mutex
	problems []*contract.Error
}

func newEnv(t *testing.T, opts ...verisoultest.Option) *env {
	t.Helper()
	e := &env{t: t, clock: sandbox.NewFakeClock(t0), key: verisoultest.DefaultAPIKey}
	opts = append([]verisoultest.Option{
		verisoultest.WithClock(e.clock.Now),
		verisoultest.WithOnProblem(func(err *contract.Error) {
			e.mu.Lock()
			e.problems = append(e.problems, err)
			e.mu.Unlock()
		}),
	}, opts...)
	e.emu = verisoultest.New(opts...)
	e.srv = httptest.NewServer(e.emu.Handler())
	t.Cleanup(e.srv.Close)
	// The public redirect answers 302: keep it instead of following it.
	e.rec = &recorder{hc: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	auth := func(_ context.Context, r *http.Request) error {
		if r.URL.Path != "/public/liveness-redirect" && e.key != "" {
			r.Header.Set("x-api-key", e.key)
		}
		return nil
	}
	var err error
	e.fm, err = facematch.NewClientWithResponses(e.srv.URL, facematch.WithHTTPClient(e.rec), facematch.WithRequestEditorFn(auth))
	require.NoError(t, err)
	e.idc, err = idcheck.NewClientWithResponses(e.srv.URL, idcheck.WithHTTPClient(e.rec), idcheck.WithRequestEditorFn(auth))
	require.NoError(t, err)
	// The emulator's own answers must match the spec exactly: no violations, no drift.
	t.Cleanup(func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, p := range e.problems {
			t.Errorf("contract problem in emulator traffic: %v", p)
		}
	})
	return e
}

// forgetProblems drops the last n contract problems, which the test caused on purpose
// (bad control bodies), after checking there are that many.
func (e *env) forgetProblems(n int) {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	require.GreaterOrEqual(e.t, len(e.problems), n)
	e.problems = e.problems[:len(e.problems)-n]
}

// checkLast holds the last exchange against spec in both directions; our own emulator
// must not even drift.
func (e *env) checkLast(spec *contract.Spec) exchange {
	e.t.Helper()
	x := e.rec.lastExchange(e.t)
	req := x.req.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(x.reqBody))
	if x.resp.StatusCode != http.StatusRequestEntityTooLarge { // an oversized request is the point
		contracttest.RequireValidRequest(e.t, spec, req)
	}
	req.Body = io.NopCloser(bytes.NewReader(x.reqBody))
	contracttest.RequireNoDrift(e.t, spec, req, x.resp, x.body)
	return x
}

var ctx = context.Background()

// direct serves req in-process and records the exchange like the recorder does, for
// requests a real client cannot send cheaply (a declared 1 GiB body).
func (e *env) direct(req *http.Request) int {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.emu.Handler().ServeHTTP(rec, req)
	resp := rec.Result()
	body := rec.Body.Bytes()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	e.rec.mu.Lock()
	e.rec.last = append(e.rec.last, exchange{req: req, resp: resp, body: body})
	e.rec.mu.Unlock()
	return resp.StatusCode
}

// expectProblems drops the contract problems reported so far whose every violation has
// the rule: the request broke the contract on purpose.
func (e *env) expectProblems(rule string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	kept := e.problems[:0]
	for _, p := range e.problems {
		only := true
		for _, v := range p.Violations() {
			only = only && v.Rule == rule
		}
		if !only {
			kept = append(kept, p)
		}
	}
	e.problems = kept
}

// unreadable is a request body that must not be read: it fails the test if it is.
type unreadable struct{ t *testing.T }

func (u unreadable) Read([]byte) (int, error) {
	u.t.Errorf("an oversized body was read")
	return 0, io.ErrUnexpectedEOF
}

// oversized is a request declaring a 1 GiB body that is never sent.
func oversized(t *testing.T, method, target string) *http.Request {
	req := httptest.NewRequest(method, target, nil)
	req.Body = io.NopCloser(unreadable{t})
	req.ContentLength = 1 << 30
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-api-key", verisoultest.DefaultAPIKey)
	return req
}

func (e *env) faceMatchSession() string {
	e.t.Helper()
	res, err := e.fm.CreateFaceMatchSessionWithResponse(ctx, &facematch.CreateFaceMatchSessionParams{})
	require.NoError(e.t, err)
	require.NotNil(e.t, res.JSON200, "status %d: %s", res.StatusCode(), res.Body)
	return res.JSON200.SessionId.String()
}

func (e *env) idCheckSession() string {
	e.t.Helper()
	res, err := e.idc.CreateIDCheckSessionWithResponse(ctx, &idcheck.CreateIDCheckSessionParams{Id: true})
	require.NoError(e.t, err)
	require.NotNil(e.t, res.JSON200, "status %d: %s", res.StatusCode(), res.Body)
	return res.JSON200.SessionId.String()
}

func (e *env) enroll(sessionID, account string) *facematch.EnrollFaceMatchResult {
	e.t.Helper()
	res, err := e.fm.EnrollFaceMatchWithResponse(ctx, facematch.EnrollRequest{SessionId: uuid.MustParse(sessionID), AccountId: account})
	require.NoError(e.t, err)
	return res
}

func (e *env) verifyFace(sessionID string) *facematch.VerifyFaceResult {
	e.t.Helper()
	res, err := e.fm.VerifyFaceWithResponse(ctx, facematch.VerifyFaceRequest{SessionId: uuid.MustParse(sessionID)})
	require.NoError(e.t, err)
	return res
}

func (e *env) verifyID(sessionID string) *idcheck.VerifyIDResult {
	e.t.Helper()
	res, err := e.idc.VerifyIDWithResponse(ctx, idcheck.VerifyIDRequest{SessionId: uuid.MustParse(sessionID)})
	require.NoError(e.t, err)
	return res
}

func (e *env) verifyUniqueness(sessionID string) *facematch.VerifyUniquenessResult {
	e.t.Helper()
	res, err := e.fm.VerifyUniquenessWithResponse(ctx, facematch.VerifyFaceRequest{SessionId: uuid.MustParse(sessionID)})
	require.NoError(e.t, err)
	return res
}

func (e *env) verifyDocument(sessionID string) *idcheck.VerifyDocumentResult {
	e.t.Helper()
	res, err := e.idc.VerifyDocumentWithResponse(ctx, idcheck.VerifyIDRequest{SessionId: uuid.MustParse(sessionID)})
	require.NoError(e.t, err)
	return res
}

func (e *env) verifyIdentity(sessionID, account string) *facematch.VerifyIdentityFaceMatchResult {
	e.t.Helper()
	res, err := e.fm.VerifyIdentityFaceMatchWithResponse(ctx, facematch.VerifyIdentityRequest{SessionId: uuid.MustParse(sessionID), AccountId: account})
	require.NoError(e.t, err)
	return res
}

// enrolled creates a Face Match session completed as face and enrols it to account.
func (e *env) enrolled(face, account string) string {
	e.t.Helper()
	id := e.faceMatchSession()
	require.NoError(e.t, e.emu.CompleteAs(id, face))
	res := e.enroll(id, account)
	require.NotNil(e.t, res.JSON200, "enroll: %d %s", res.StatusCode(), res.Body)
	return id
}

// deref reads an optional field of a generated type (the 400 bodies mark nothing
// required, as the vendor's schema); absent reads as the zero value.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
