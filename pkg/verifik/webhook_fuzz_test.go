package verifik_test

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// callbackExamples are the spec's examples of the smartEnrollEvent callback, by name.
func callbackExamples(t testing.TB) map[string][]byte {
	doc := contract.Default().Spec("verifik/smartenroll").Doc
	op := doc.Paths.Find("/v2/webhooks").Post
	cb := op.Callbacks["smartEnrollEvent"].Value
	item := cb.Value("{$request.body#/url}")
	out := map[string][]byte{}
	for name, ex := range item.Post.RequestBody.Value.Content.Get("application/json").Examples {
		b, err := json.Marshal(ex.Value.Value)
		require.NoError(t, err)
		out[name] = b
	}
	return out
}

// FuzzParseEvent: any body either parses into an event or fails with ErrInvalidEvent;
// never a panic, and validation of what parses never panics either.
func FuzzParseEvent(f *testing.F) {
	for _, b := range callbackExamples(f) {
		f.Add(b)
	}
	f.Add([]byte(`{"type":"onboarding_","object":{}}`))
	f.Add([]byte(`{"type":"_app_registration_","object":{"_id":null}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/hooks", strings.NewReader(string(body)))
		ev, err := verifik.ParseEvent(r)
		if err != nil {
			if !errors.Is(err, verifik.ErrInvalidEvent) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if ev.Meta().Key == "" {
			t.Fatal("no key")
		}
		_ = ev.RegistrationID()
		_ = verifik.ValidateEvent(ev)
	})
}
