package contract

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// The test specs are loaded once per test binary.
var loadTestKit = sync.OnceValues(func() (*Kit, error) {
	return Load(os.DirFS("testdata/specs"))
})

func testSpec(t testing.TB, name string) *Spec {
	t.Helper()
	k, _ := loadTestKit() // test/broken is broken on purpose
	require.NotNil(t, k)
	s, err := k.Lookup(name)
	require.NoError(t, err)
	return s
}

func people(t testing.TB) *Spec { return testSpec(t, "test/people") }
func things(t testing.TB) *Spec { return testSpec(t, "other/things") }

const (
	uuidV4 = "6f1c2f0e-8c8b-4e7a-9d55-1a2b3c4d5e6f"
	uuidV7 = "0190a6c4-8c1f-7b3e-9d2a-3f4e5d6c7b8a"
	apiKey = "sk_live_SUPERSECRET_0123456789"
)

// jsonRequest builds a request with a JSON body and the API key set.
func jsonRequest(method, target, body string) *http.Request {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("x-api-key", apiKey)
	return r
}

func jsonHeader(extra ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return h
}

// problemKeys lists "location rule" of each problem, for compact assertions.
func problemKeys(err error) []string {
	e, ok := err.(*Error)
	if !ok {
		return nil
	}
	var out []string
	for _, p := range e.Problems {
		k := p.Location + " " + p.Rule
		if p.Drift {
			k += " drift"
		}
		out = append(out, k)
	}
	return out
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func readAll(r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	return string(b), err
}
