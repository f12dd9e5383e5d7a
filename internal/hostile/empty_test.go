package hostile_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/transport"
)

// vendorSteps are the steps of each client (see responses_test.go) with the specs their
// calls are routed by.
func vendorSteps() []struct {
	vendor string
	specs  []string
	steps  []step
} {
	return []struct {
		vendor string
		specs  []string
		steps  []step
	}{
		{"verisoul", []string{"verisoul/facematch", "verisoul/idcheck"}, verisoulSteps()},
		{"iproov", []string{"iproov/claim"}, iproovSteps()},
		{"verifik", []string{"verifik/smartenroll"}, verifikSteps()},
	}
}

// TestEmptySuccessIsNotAResult: a 200 {} lacks what every success answer needs, so with
// contract checks off (the default) each step of the three clients returns a
// *transport.DecodeError, never a result built of zero values (a "failed" validation, a
// refusal, a user with no id).
func TestEmptySuccessIsNotAResult(t *testing.T) {
	empty := garbage{name: "200 {}", status: 200, contentType: "application/json", body: []byte("{}"), want: transport.ErrDecode}
	for _, v := range vendorSteps() {
		pass := iproovAccessToken
		if v.vendor != "iproov" {
			pass = nil
		}
		for _, s := range v.steps {
			t.Run(v.vendor+"/"+s.name, func(t *testing.T) {
				srv := hostileServer(t, empty, pass)
				err := s.run(t, srv.URL)
				require.Error(t, err, "{} must not pass as a result")
				assert.ErrorIs(t, err, transport.ErrDecode, "got %T: %v", err, err)
				var decErr *transport.DecodeError
				assert.True(t, errors.As(err, &decErr), "got %T: %v", err, err)
			})
		}
	}
}

// clientRequired is what a client needs although the spec marks it optional: the spec
// follows Verisoul's JSON, which marks nothing required in the verify answers, but a
// verdict read from absent fields would be invented.
var clientRequired = map[string][]string{
	"verifyFace":              {"decision", "risk_score", "matches"},
	"verifyID":                {"decision", "risk_score", "matches"},
	"verifyIdentityFaceMatch": {"success", "match"}, // match: the example has success true
	"verifyDocument":          {"decision", "risk_score"},
}

// TestRequiredFieldRemoved serves every call of every step the spec's own success
// example, except that one operation's answer lacks one field the spec marks required
// (following required members down, the first element of arrays): the step must return a
// *transport.DecodeError. Steps are first run on the untouched examples, which must
// succeed, to learn which operations they call.
func TestRequiredFieldRemoved(t *testing.T) {
	kit := contract.Default()
	var skipped []string
	cases := 0
	for _, v := range vendorSteps() {
		var specs []*contract.Spec
		for _, name := range v.specs {
			s, err := kit.Lookup(name)
			require.NoError(t, err)
			specs = append(specs, s)
		}
		for _, s := range v.steps {
			ex := newExampleServer(t, specs)
			if err := s.run(t, ex.srv.URL); err != nil {
				skipped = append(skipped, v.vendor+"/"+s.name+": "+err.Error())
				continue
			}
			for _, op := range ex.called() {
				paths := append(requiredPaths(ex.schema[op], ""), clientRequired[op]...)
				for _, p := range paths {
					cases++
					t.Run(v.vendor+"/"+s.name+"/"+op+"/without "+p, func(t *testing.T) {
						ex := newExampleServer(t, specs)
						ex.drop(op, p)
						err := s.run(t, ex.srv.URL)
						ex.mu.Lock()
						dropped := ex.dropped
						ex.mu.Unlock()
						if !dropped {
							t.Skip("the example has no such member (an empty array)")
						}
						require.Error(t, err, "an answer without %s must not pass as a result", p)
						assert.ErrorIs(t, err, transport.ErrDecode, "got %T: %v", err, err)
					})
				}
			}
		}
	}
	t.Logf("%d removals; steps whose examples do not make a journey (not tested here): %d", cases, len(skipped))
	for _, s := range skipped {
		t.Log("  ", s)
	}
	assert.Greater(t, cases, 60)
}

// exampleServer answers each vendor request with its operation's success example.
type exampleServer struct {
	srv    *httptest.Server
	specs  []*contract.Spec
	schema map[string]*openapi3.Schema // success schema by operation id
	mu     sync.Mutex
	seen   map[string]bool
	// dropOp's answer lacks dropPath; dropped says whether its example had it.
	dropOp, dropPath string
	dropped          bool
}

func newExampleServer(t *testing.T, specs []*contract.Spec) *exampleServer {
	e := &exampleServer{specs: specs, schema: map[string]*openapi3.Schema{}, seen: map[string]bool{}}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *exampleServer) drop(op, path string) { e.dropOp, e.dropPath = op, path }

func (e *exampleServer) called() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for op := range e.seen {
		out = append(out, op)
	}
	sort.Strings(out)
	return out
}

func (e *exampleServer) serve(w http.ResponseWriter, r *http.Request) {
	for _, s := range e.specs {
		op, ok := s.FindOperation(r)
		if !ok {
			continue
		}
		status, resp := success(s, op)
		if resp == nil {
			break
		}
		e.mu.Lock()
		e.seen[op] = true
		e.mu.Unlock()
		for name, h := range resp.Headers {
			if h.Value.Example != nil {
				if hv, ok := h.Value.Example.(string); ok {
					w.Header().Set(name, hv)
				}
			} else if h.Value.Schema != nil && h.Value.Schema.Value.Example != nil {
				if hv, ok := h.Value.Schema.Value.Example.(string); ok {
					w.Header().Set(name, hv)
				}
			}
		}
		mt := resp.Content.Get("application/json")
		if mt == nil {
			w.WriteHeader(status)
			return
		}
		e.mu.Lock()
		e.schema[op] = mt.Schema.Value
		e.mu.Unlock()
		example := mt.Example
		if example == nil {
			for _, x := range mt.Examples {
				example = x.Value.Value
				break
			}
		}
		body, _ := json.Marshal(example)
		if op == e.dropOp {
			var tree any
			_ = json.Unmarshal(body, &tree)
			if remove(tree, strings.Split(e.dropPath, ".")) {
				e.mu.Lock()
				e.dropped = true
				e.mu.Unlock()
			}
			body, _ = json.Marshal(tree)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
		return
	}
	http.Error(w, "no example", http.StatusNotImplemented)
}

// success is the operation's first documented 2xx or 3xx answer.
func success(s *contract.Spec, opID string) (int, *openapi3.Response) {
	for _, item := range s.Doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID != opID {
				continue
			}
			for _, code := range []int{200, 201, 302} {
				if r := op.Responses.Status(code); r != nil && r.Value != nil {
					return code, r.Value
				}
			}
		}
	}
	return 0, nil
}

// requiredPaths lists the members schema marks required, following required members
// into objects and arrays (notation of the clients' missing: "data._id", "data[]._id").
// Unions (oneOf, anyOf) are left out: which branch's list applies depends on the value.
func requiredPaths(s *openapi3.Schema, prefix string) []string {
	if s == nil {
		return nil
	}
	var out []string
	for _, name := range s.Required {
		p := prefix + name
		out = append(out, p)
		ref := s.Properties[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		prop := ref.Value
		if prop.Items != nil && prop.Items.Value != nil {
			out = append(out, requiredPaths(prop.Items.Value, p+"[].")...)
			continue
		}
		out = append(out, requiredPaths(prop, p+".")...)
	}
	return out
}

// remove deletes the member segs names from tree ("[]" applies to an array's first
// element) and reports whether there was one.
func remove(tree any, segs []string) bool {
	obj, ok := tree.(map[string]any)
	if !ok {
		return false
	}
	name, each := strings.CutSuffix(segs[0], "[]")
	next, ok := obj[name]
	if !ok {
		return false
	}
	if len(segs) == 1 {
		delete(obj, name)
		return true
	}
	if each {
		items, _ := next.([]any)
		if len(items) == 0 {
			return false
		}
		next = items[0]
	}
	return remove(next, segs[1:])
}
