package verifik

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing/fstest"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/idvkit/idvkit/api"
	"github.com/idvkit/idvkit/pkg/contract"
)

// callbackOperation is the operationId of the smartEnrollEvent callback in the spec; every
// problem ValidateEvent reports names it.
const callbackOperation = "receiveSmartEnrollEvent"

const smartEnrollSpec = "verifik/smartenroll"

// eventSchema returns a component schema of the Smart Enroll spec, or nil.
func eventSchema(name string) *openapi3.Schema {
	doc := contract.Default().Spec(smartEnrollSpec).Doc
	if ref := doc.Components.Schemas[name]; ref != nil {
		return ref.Value
	}
	return nil
}

// eventSpec is a spec made at first use, beside the vendor's, with one operation per
// event family whose answer is that family's delivery schema (a $ref into
// smartenroll.yaml). The contract kit routes no callbacks; holding a delivery against it
// as a response gives deliveries the kit's own rules: unknown properties and enum values
// (a new event type) are drift, anything else the schema forbids is a violation, and no
// message repeats a value.
var eventSpec = sync.OnceValues(func() (*contract.Spec, error) {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: Smart Enroll events, version: '1'}\npaths:\n")
	families := make([]string, 0, len(schemaOf))
	for f := range schemaOf {
		families = append(families, string(f))
	}
	sort.Strings(families)
	for _, f := range families {
		fmt.Fprintf(&b, "  /%s:\n    post:\n      operationId: %s.%s\n      responses:\n        '200':\n          description: the delivery\n          content:\n            application/json:\n              schema:\n                $ref: 'smartenroll.yaml#/components/schemas/%s'\n",
			f, callbackOperation, f, schemaOf[Family(f)])
	}
	src, err := fs.ReadFile(api.FS, smartEnrollSpec+".yaml")
	if err != nil {
		return nil, err
	}
	// smartenroll.yaml sits beside as a fragment: only files with a top-level
	// "openapi:" key are specs, so it is renamed out of the spec set.
	fsys := fstest.MapFS{
		"verifik/events.yaml":      {Data: []byte(b.String())},
		"verifik/smartenroll.yaml": {Data: bytes.Replace(src, []byte("openapi: 3.0.3"), []byte("x-openapi: 3.0.3"), 1)},
	}
	k, err := contract.Load(fsys)
	if err != nil {
		return nil, err
	}
	return k.Lookup("verifik/events")
})

// ValidateEvent holds an event against its family's schema in the spec (the
// smartEnrollEvent callback). It returns nil when the event matches, or a
// *contract.Error: drift only (errors.Is(err, contract.ErrDrift)) for what Verifik may
// add — an unknown type or field — and violations otherwise. No problem quotes a value.
func ValidateEvent(ev Event) error {
	m := ev.Meta()
	if ev.Family() == FamilyUnknown {
		return &contract.Error{Spec: smartEnrollSpec, Problems: []contract.Problem{{
			Operation: callbackOperation, Location: "body.type", Rule: contract.RuleEnum,
			Message: "event type of a family the spec does not list", Drift: true,
		}}}
	}
	spec, err := eventSpec()
	if err != nil {
		return fmt.Errorf("verifik: event schemas: %w", err)
	}
	body, err := deliveryBody(m)
	if err != nil {
		return err
	}
	req := httptest.NewRequest(http.MethodPost, "/"+string(ev.Family()), nil)
	h := http.Header{"Content-Type": []string{"application/json"}}
	verr := spec.ValidateResponse(req, http.StatusOK, h, body)
	var ce *contract.Error
	if !errors.As(verr, &ce) {
		return verr
	}
	ce.Spec = smartEnrollSpec
	for i := range ce.Problems {
		ce.Problems[i].Operation = callbackOperation
	}
	return ce
}

// deliveryBody rebuilds the delivery from its parts (type and object as delivered).
func deliveryBody(m *EventMeta) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"type":`)
	t, err := jsonString(m.Type)
	if err != nil {
		return nil, err
	}
	b.Write(t)
	b.WriteString(`,"object":`)
	b.Write(m.Raw)
	b.WriteString("}")
	return b.Bytes(), nil
}

func jsonString(s string) ([]byte, error) { return json.Marshal(s) }
