package verifik_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/verifik"
)

const completed = `{"type":"onboarding_app_registration_completed","object":{"_id":"66e1a2b3c4d5e6f708192a3b","status":"COMPLETED","updatedAt":"2024-09-10T15:04:05.000Z"}}`

type handled struct {
	mu     sync.Mutex
	events []verifik.Event
	fail   int
}

func (h *handled) handle(_ context.Context, ev verifik.Event) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail > 0 {
		h.fail--
		return errors.New("down")
	}
	h.events = append(h.events, ev)
	return nil
}

func (h *handled) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.events)
}

func post(t *testing.T, rc http.Handler, path, body string, edit ...func(*http.Request)) int {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	for _, e := range edit {
		e(r)
	}
	w := httptest.NewRecorder()
	rc.ServeHTTP(w, r)
	return w.Code
}

// Each protection refuses a forged delivery before the handler sees it, and lets the
// genuine one through.
func TestReceiverProtections(t *testing.T) {
	basic := func(u, p string) func(*http.Request) { return func(r *http.Request) { r.SetBasicAuth(u, p) } }
	from := func(addr string) func(*http.Request) { return func(r *http.Request) { r.RemoteAddr = addr } }
	cases := []struct {
		name   string
		opts   verifik.ReceiverOptions
		path   string
		edit   []func(*http.Request)
		status int
	}{
		{"path secret right", verifik.ReceiverOptions{PathSecret: "s3cret"}, "/hooks/s3cret", nil, 200},
		{"path secret wrong", verifik.ReceiverOptions{PathSecret: "s3cret"}, "/hooks/guess", nil, 404},
		{"path secret missing", verifik.ReceiverOptions{PathSecret: "s3cret"}, "/hooks", nil, 404},
		{"basic auth right", verifik.ReceiverOptions{BasicAuthUser: "verifik", BasicAuthPassword: "pw"}, "/h", []func(*http.Request){basic("verifik", "pw")}, 200},
		{"basic auth wrong", verifik.ReceiverOptions{BasicAuthUser: "verifik", BasicAuthPassword: "pw"}, "/h", []func(*http.Request){basic("verifik", "no")}, 401},
		{"basic auth missing", verifik.ReceiverOptions{BasicAuthUser: "verifik", BasicAuthPassword: "pw"}, "/h", nil, 401},
		{"source allowed", verifik.ReceiverOptions{AllowedSources: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}}, "/h", []func(*http.Request){from("203.0.113.9:4000")}, 200},
		{"source refused", verifik.ReceiverOptions{AllowedSources: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}}, "/h", []func(*http.Request){from("198.51.100.1:4000")}, 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &handled{}
			rc := verifik.NewReceiver(h.handle, c.opts)
			assert.Equal(t, c.status, post(t, rc, c.path, completed, c.edit...))
			want := 0
			if c.status == 200 {
				want = 1
			}
			assert.Equal(t, want, h.count())
		})
	}
}

// What a receiver answers for each kind of delivery, per contract mode.
func TestReceiverAnswers(t *testing.T) {
	cases := []struct {
		name    string
		mode    contract.Mode
		method  string
		body    string
		status  int
		handled int
		drift   bool
	}{
		{"an event", contract.ModeEnforce, "POST", completed, 200, 1, false},
		{"not a POST", contract.ModeOff, "GET", "", 405, 0, false},
		{"not JSON", contract.ModeOff, "POST", "hello", 400, 0, false},
		{"no type", contract.ModeOff, "POST", `{"object":{}}`, 400, 0, false},
		{"object not an object", contract.ModeOff, "POST", `{"type":"onboarding_x","object":[]}`, 400, 0, false},
		{"unknown type passed on as drift", contract.ModeEnforce, "POST", `{"type":"onboarding_app_registration_archived","object":{"_id":"a"}}`, 200, 1, true},
		{"unknown family passed on as drift", contract.ModeEnforce, "POST", `{"type":"onboarding_wallet_linked","object":{"_id":"a"}}`, 200, 1, true},
		{"unknown field passed on as drift", contract.ModeEnforce, "POST", `{"type":"onboarding_app_registration_completed","object":{"_id":"a","newThing":1}}`, 200, 1, true},
		{"violation refused in enforce", contract.ModeEnforce, "POST", `{"type":"onboarding_app_registration_completed","object":{"_id":42}}`, 400, 0, false},
		{"violation passed in report", contract.ModeReport, "POST", `{"type":"onboarding_app_registration_completed","object":{"_id":42}}`, 200, 1, false},
		{"too large", contract.ModeOff, "POST", `{"type":"onboarding_app_registration_completed","object":{"_id":"` + strings.Repeat("a", 2048) + `"}}`, 413, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &handled{}
			var problems []*contract.Error
			rc := verifik.NewReceiver(h.handle, verifik.ReceiverOptions{Mode: c.mode, MaxBytes: 1024,
				OnProblem: func(_ verifik.Event, p *contract.Error) { problems = append(problems, p) }})
			r := httptest.NewRequest(c.method, "/h", strings.NewReader(c.body))
			w := httptest.NewRecorder()
			rc.ServeHTTP(w, r)
			assert.Equal(t, c.status, w.Code)
			assert.Equal(t, c.handled, h.count())
			if c.drift {
				require.Len(t, problems, 1)
				assert.True(t, problems[0].DriftOnly())
			}
			assert.NotContains(t, w.Body.String(), "42", "answers never quote the delivery")
		})
	}
}

// A handler failure answers 500 and releases the key: the redelivery is handled, once.
// The same event delivered again after that is a duplicate.
func TestReceiverRetryThenDedup(t *testing.T) {
	h := &handled{fail: 2}
	rc := verifik.NewReceiver(h.handle, verifik.ReceiverOptions{})
	assert.Equal(t, 500, post(t, rc, "/h", completed))
	assert.Equal(t, 500, post(t, rc, "/h", completed))
	assert.Equal(t, 200, post(t, rc, "/h", completed))
	assert.Equal(t, 200, post(t, rc, "/h", completed))
	assert.Equal(t, 1, h.count())
}

type brokenStore struct{}

func (brokenStore) Claim(context.Context, string, time.Duration) (verifik.DedupClaim, error) {
	return verifik.DedupClaim{}, errors.New("connection refused")
}
func (brokenStore) Done(context.Context, string, time.Duration) error { return nil }
func (brokenStore) Release(context.Context, string, string) error     { return nil }

// A store outage answers 503 and hands nothing on: Verifik's redelivery is safe.
func TestReceiverStoreDown(t *testing.T) {
	h := &handled{}
	rc := verifik.NewReceiver(h.handle, verifik.ReceiverOptions{Store: brokenStore{}})
	assert.Equal(t, http.StatusServiceUnavailable, post(t, rc, "/h", completed))
	assert.Zero(t, h.count())
}

// Two receivers sharing a store (two instances behind one URL) apply a delivery once.
func TestReceiversShareStore(t *testing.T) {
	store := verifik.NewMemoryStore(0, nil)
	h := &handled{}
	a := verifik.NewReceiver(h.handle, verifik.ReceiverOptions{Store: store})
	b := verifik.NewReceiver(h.handle, verifik.ReceiverOptions{Store: store})
	assert.Equal(t, 200, post(t, a, "/h", completed))
	assert.Equal(t, 200, post(t, b, "/h", completed))
	assert.Equal(t, 1, h.count())
}

// The memory store is bounded (oldest forgotten first) and forgets keys on its clock.
func TestMemoryStore(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := verifik.NewMemoryStore(2, func() time.Time { return now })
	claim := func(k string) verifik.DedupClaim {
		c, err := s.Claim(context.Background(), k, time.Minute)
		require.NoError(t, err)
		return c
	}
	done := func(k string) { require.NoError(t, s.Done(context.Background(), k, time.Hour)) }
	a := claim("a")
	assert.Equal(t, verifik.ClaimGranted, a.State)
	assert.Equal(t, verifik.ClaimInFlight, claim("a").State)
	done("a")
	assert.Equal(t, verifik.ClaimDone, claim("a").State)
	assert.Equal(t, verifik.ClaimGranted, claim("b").State)
	assert.Equal(t, verifik.ClaimGranted, claim("c").State, "full: a is forgotten")
	assert.Equal(t, 2, s.Len())
	assert.Equal(t, verifik.ClaimGranted, claim("a").State)
	now = now.Add(time.Minute)
	b := claim("b")
	assert.Equal(t, verifik.ClaimGranted, b.State, "the lease ran out")
	require.NoError(t, s.Release(context.Background(), "b", b.Token))
	assert.Equal(t, verifik.ClaimGranted, claim("b").State, "released")
}

// The dedup key follows the event's identity, not its bytes.
func TestEventKey(t *testing.T) {
	k := func(typ, obj string) string { return verifik.EventKey(typ, []byte(obj)) }
	base := k("onboarding_x", `{"_id":"a","updatedAt":"t1","status":"S"}`)
	assert.Equal(t, base, k("onboarding_x", `{"status":"S", "updatedAt":"t1","_id":"a"}`), "field order and spacing do not matter")
	assert.NotEqual(t, base, k("onboarding_y", `{"_id":"a","updatedAt":"t1"}`), "type")
	assert.NotEqual(t, base, k("onboarding_x", `{"_id":"a","updatedAt":"t2"}`), "updatedAt")
	assert.NotEqual(t, base, k("onboarding_x", `{"_id":"b","updatedAt":"t1"}`), "_id")
	assert.NotContains(t, k("onboarding_x", `{"email":"alice@example.com"}`), "alice")
}

// Every example of the spec's callback parses into its family and validates cleanly.
func TestSpecExamplesParse(t *testing.T) {
	for name, body := range callbackExamples(t) {
		ev, err := verifik.DecodeEvent(body)
		require.NoError(t, err, name)
		assert.True(t, ev.Meta().Known, name)
		assert.NotEqual(t, verifik.FamilyUnknown, ev.Family(), name)
		assert.NoError(t, verifik.ValidateEvent(ev), name)
	}
	assert.Len(t, callbackExamples(t), len(verifik.EventTypes()), "one example per event type")
}
