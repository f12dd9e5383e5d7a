package hostile_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/contract"
)

// attempt is one raw HTTP request to an emulator handler and what it must get.
type attempt struct {
	name string
	send func(t *testing.T) (int, string)
	// want lists the statuses that refuse the attempt; nil means the operation acts on the
	// caller's own resources only (any status below 500 will do) and check or the markers
	// prove it did not reach the first tenant's.
	want  []int
	check func(t *testing.T, status int, body string)
}

// tenancyCase is what one operation must do without credentials and with another
// tenant's.
type tenancyCase struct {
	// public is why the vendor designed the operation to need no credentials; the anon
	// attempt then only has to reveal none of the first tenant's data.
	public string
	anon   attempt   // no credentials at all
	cross  []attempt // the second tenant's credentials (or another registrant's token)
	// after proves the first tenant's resources came through the attempts unchanged.
	after func(t *testing.T)
}

// rawServer is the base URL the generated request builders get; the requests go straight
// to the emulator's handler, never over the network.
const rawServer = "http://emulator.test"

// send serves r on h with the auth editors applied and returns the status and the body
// (with the Location header, where a redirect would carry data).
func send(t *testing.T, h http.Handler, r *http.Request, err error, auth ...func(*http.Request)) (int, string) {
	t.Helper()
	require.NoError(t, err)
	for _, a := range auth {
		a(r)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec.Code, rec.Body.String() + "\nLocation: " + rec.Header().Get("Location")
}

func apiKeyHeader(k string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("x-api-key", k) }
}

func bearerHeader(tok string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

// TestTenancy holds every operation of every spec (enumerated from the contract kit, so a
// new operation without a case fails here) to two rules on the emulators: without
// credentials it is refused, unless the vendor made it public on purpose (listed with the
// reason); with a second tenant's credentials — another Verisoul project, another iProov
// service provider, another Verifik account or registrant — it is refused or finds
// nothing of the first tenant's, and never answers with the first tenant's data.
func TestTenancy(t *testing.T) {
	cases := map[string]tenancyCase{}
	markers := map[string][]string{}
	for vendor, build := range map[string]func(t *testing.T) (map[string]tenancyCase, []string){
		"verisoul": verisoulTenancy, "iproov": iproovTenancy, "verifik": verifikTenancy,
	} {
		vc, vm := build(t)
		for op, c := range vc {
			cases[op] = c
		}
		markers[vendor] = vm
	}

	seen := map[string]bool{}
	for _, spec := range contract.Default().Specs() {
		vendor, _, _ := strings.Cut(spec.Name, "/")
		if vendor == "sandbox" {
			// The sandbox's own controls (api/sandbox/): single-tenant by design, kept to
			// loopback and same-origin JSON by sandbox.GuardControl.
			continue
		}
		require.NotEmpty(t, markers[vendor], "%s: the first tenant's data to look for", vendor)
		for _, op := range operations(spec) {
			key := spec.Name + "/" + op
			seen[key] = true
			c, ok := cases[key]
			if !ok {
				t.Errorf("%s has no tenancy case: say what it does without credentials and with another tenant's", key)
				continue
			}
			t.Run(key, func(t *testing.T) {
				leaks := func(t *testing.T, what, body string) {
					t.Helper()
					for _, m := range markers[vendor] {
						assert.NotContains(t, body, m, "%s answers with the first tenant's data", what)
					}
				}
				require.NotNil(t, c.anon.send, "every operation is tried without credentials")
				status, body := c.anon.send(t)
				if c.public != "" {
					t.Logf("public by design: %s (answered %d)", c.public, status)
					assert.Less(t, status, 500, "without credentials: %s", body)
				} else {
					require.NotEmpty(t, c.anon.want)
					assert.Contains(t, c.anon.want, status, "without credentials: %s", body)
				}
				leaks(t, "without credentials", body)
				if status == 400 && strings.Contains(body, "contract_violation") {
					assert.Contains(t, body, `"rule":"security"`, "a contract 400 without credentials is for the missing credential")
				}
				if c.anon.check != nil {
					c.anon.check(t, status, body)
				}
				require.NotEmpty(t, c.cross, "every operation is tried with another tenant's credentials")
				for _, a := range c.cross {
					status, body := a.send(t)
					if a.want != nil {
						assert.Contains(t, a.want, status, "%s: %s", a.name, body)
					} else {
						assert.Less(t, status, 500, "%s: %s", a.name, body)
					}
					leaks(t, a.name, body)
					if a.check != nil {
						a.check(t, status, body)
					}
				}
				if c.after != nil {
					c.after(t)
				}
			})
		}
	}
	for key := range cases {
		assert.True(t, seen[key], "case %s names no operation of the specs", key)
	}
}

// operations lists a spec's operation ids, sorted.
func operations(s *contract.Spec) []string {
	var ops []string
	for _, item := range s.Doc.Paths.Map() {
		for _, op := range item.Operations() {
			ops = append(ops, op.OperationID)
		}
	}
	sort.Strings(ops)
	return ops
}

// ---- Verisoul: projects ----

// ---- iProov: service providers ----

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// ---- Verifik: accounts and registrants ----

func emailBody(project, email string) smartenroll.EmailValidationCreateRequest {
	return smartenroll.EmailValidationCreateRequest{Project: project, Email: email, Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode}
}

func phoneBody(project, phone string) smartenroll.PhoneValidationCreateRequest {
	return smartenroll.PhoneValidationCreateRequest{Project: project, Phone: phone, CountryCode: "+57", Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode}
}

func atoi(t *testing.T, s string) int {
	var n int
	_, err := fmt.Sscan(s, &n)
	require.NoError(t, err)
	return n
}

func ptrTo[T any](v T) *T { return &v }
