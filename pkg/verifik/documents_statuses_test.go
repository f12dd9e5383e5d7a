package verifik_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// documentedAnswer is one example answer the spec documents for an operation.
type documentedAnswer struct {
	status int
	name   string
	body   []byte
}

// documentedAnswers lists every example of every response the spec documents for op;
// a 5XX range is served as 500 and 503.
func documentedAnswers(t *testing.T, op string) []documentedAnswer {
	t.Helper()
	var found *openapi3.Operation
	for _, item := range smartEnroll(t).Doc.Paths.Map() {
		for _, o := range item.Operations() {
			if o.OperationID == op {
				found = o
			}
		}
	}
	require.NotNil(t, found, op)
	var out []documentedAnswer
	for code, ref := range found.Responses.Map() {
		statuses := []int{}
		if code == "5XX" {
			statuses = append(statuses, 500, 503)
		} else {
			n, err := strconv.Atoi(code)
			require.NoError(t, err, code)
			statuses = append(statuses, n)
		}
		mt := ref.Value.Content.Get("application/json")
		require.NotNil(t, mt, "%s %s", op, code)
		examples := map[string]any{}
		if mt.Example != nil {
			examples["example"] = mt.Example
		}
		for name, ex := range mt.Examples {
			examples[name] = ex.Value.Value
		}
		require.NotEmpty(t, examples, "%s %s has an example", op, code)
		for name, ex := range examples {
			body, err := json.Marshal(ex)
			require.NoError(t, err)
			for _, s := range statuses {
				out = append(out, documentedAnswer{status: s, name: name, body: body})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].status != out[j].status {
			return out[i].status < out[j].status
		}
		return out[i].name < out[j].name
	})
	return out
}

// TestDocumentedAnswers serves every answer the spec documents for the operations behind
// Document, Documents and DeleteFlow to a client enforcing the contract: a success is
// read, each error is a *transport.APIError with its status, and the contract kit finds
// nothing wrong with the request or the answer. It also checks each request's method,
// path and query.
func TestDocumentedAnswers(t *testing.T) {
	const id = "674de8df21c72be3cc42b8a9"
	var (
		mu       sync.Mutex
		answer   documentedAnswer
		seen     *http.Request
		problems []*contract.Error
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen = r.Clone(r.Context())
		w.Header().Set("Content-Type", "application/json")
		if answer.status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		w.WriteHeader(answer.status)
		_, _ = w.Write(answer.body)
	}))
	defer srv.Close()
	c, err := verifik.New("a-client-token", verifik.WithBaseURL(srv.URL), verifik.WithContract(contract.ModeEnforce),
		verifik.WithTransport(
			transport.WithRetryPolicy(transport.RetryPolicy{MaxAttempts: 1}),
			transport.WithContractOptions(contract.RoundTripperOptions{OnProblem: func(p *contract.Error) {
				mu.Lock()
				problems = append(problems, p)
				mu.Unlock()
			}}),
		))
	require.NoError(t, err)

	filter := verifik.DocumentFilter{Page: 2, Limit: 5, Status: verifik.DocumentActive, Type: "CC", ValidationMethod: "OCR", InputMethod: "CAMERA", ValidationType: "onboarding"}
	ops := []struct {
		op, method, path, query string
		call                    func() error
	}{
		{"getDocumentValidation", http.MethodGet, "/v2/document-validations/" + id, "",
			func() error { _, err := c.Document(ctx, id); return err }},
		{"listDocumentValidations", http.MethodGet, "/v2/document-validations",
			"page=2&perPage=5&where_documentType=CC&where_inputMethod=CAMERA&where_status=ACTIVE&where_type=onboarding&where_validationMethod=OCR",
			func() error { _, err := c.Documents(ctx, filter); return err }},
		{"deleteProjectFlow", http.MethodDelete, "/v2/project-flows/" + id, "",
			func() error { return c.DeleteFlow(ctx, id) }},
	}
	for _, op := range ops {
		for _, a := range documentedAnswers(t, op.op) {
			t.Run(op.op+" "+strconv.Itoa(a.status)+" "+a.name, func(t *testing.T) {
				mu.Lock()
				answer, seen, problems = a, nil, nil
				mu.Unlock()
				err := op.call()

				mu.Lock()
				defer mu.Unlock()
				require.NotNil(t, seen, "the call was sent")
				assert.Equal(t, op.method, seen.Method)
				assert.Equal(t, op.path, seen.URL.Path)
				assert.Equal(t, op.query, sortedQuery(seen.URL.RawQuery))
				assert.Equal(t, "Bearer a-client-token", seen.Header.Get("Authorization"))
				for _, p := range problems {
					assert.True(t, p.DriftOnly(), "contract: %v", p)
				}
				if a.status < 300 {
					require.NoError(t, err)
					return
				}
				var api *transport.APIError
				require.ErrorAs(t, err, &api)
				assert.Equal(t, a.status, api.StatusCode)
				assert.Equal(t, op.op, api.Operation)
				assert.Equal(t, a.status == 429 || a.status >= 500 && a.status != 501, api.Retryable)
			})
		}
	}
}

// sortedQuery puts a raw query's pairs in order, so the test does not depend on the
// encoder's.
func sortedQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	sort.Strings(parts)
	return strings.Join(parts, "&")
}

// A 2xx without what the spec requires is a *transport.DecodeError, in every contract
// mode (here off): the generated types would read it as an empty record.
func TestDocumentReadsRefuseHollowAnswers(t *testing.T) {
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	c, err := verifik.New("a-client-token", verifik.WithBaseURL(srv.URL))
	require.NoError(t, err)
	document := func() error { _, err := c.Document(ctx, "674de8df21c72be3cc42b8a9"); return err }
	documents := func() error { _, err := c.Documents(ctx, verifik.DocumentFilter{}); return err }
	deleteFlow := func() error { return c.DeleteFlow(ctx, "674de8df21c72be3cc42b8a9") }
	for _, tc := range []struct {
		name, body string
		call       func() error
	}{
		{"document: no record", `{}`, document},
		{"document: a record without an id", `{"data":{"status":"ACTIVE"}}`, document},
		{"document: null", `null`, document},
		{"documents: no list", `{"pagination":{"total":0}}`, documents},
		{"documents: a record without an id", `{"data":[{"_id":"a"},{"status":"ACTIVE"}]}`, documents},
		{"delete flow: no flow", `{}`, deleteFlow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body = tc.body
			var dec *transport.DecodeError
			require.ErrorAs(t, tc.call(), &dec)
		})
	}
}
