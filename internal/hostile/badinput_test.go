package hostile_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// badInput is one entry of the catalogue.
//
// A client-side case names the field its *transport.ValidationError must name (for a
// Verifik flow rule, the *verifik.RuleError's rule and the step its message names); it
// must fail before any request reaches the emulator. A vendor-side case, for a rule only the
// vendor can judge (whether the user finished the capture, whether a token was spent by
// another process, whether credentials are right), says "(vendor-side)" in its name and
// gives the vendor's code and HTTP status of the *transport.APIError instead; it must
// cost exactly the requests it names (default one).
type badInput struct {
	name  string
	field string // *transport.ValidationError.Field, client-side cases
	is    error  // a sentinel the error must also match, when the vendor package has one

	code     string // *transport.APIError.Code, vendor-side cases
	status   int    // *transport.APIError.StatusCode, vendor-side cases
	requests int64  // requests a vendor-side case costs (0 means 1)

	leak string // a value the error string must not quote

	// bad prepares what the case needs (it may call the vendor; those calls are not
	// counted) and returns the bad call.
	bad func(t *testing.T) func() error
}

// call is a case that needs no preparation.
func call(f func() error) func(*testing.T) func() error {
	return func(*testing.T) func() error { return f }
}

// tamper round-trips a state value through JSON with edit applied in between, as a
// tampered (or corrupted) row of the integrator's storage would come back.
func tamper[T any](t *testing.T, v T, edit func(m map[string]any)) T {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	edit(m)
	data, err = json.Marshal(m)
	require.NoError(t, err)
	var out T
	require.NoError(t, json.Unmarshal(data, &out))
	return out
}

// TestBadInputCatalogue runs every bad input the clients must refuse: malformed ids,
// oversized and wrong-type images, bad OTPs, emails and phones, unknown enums, steps out
// of order, reused tokens, empty credentials, zero and tampered state. Each gets a typed
// error naming the field, before any network call where the client can know.
func TestBadInputCatalogue(t *testing.T) {
	vs := newVerisoulWorld(t, "")
	ip := newIProovWorld(t)
	vf := newVerifikWorld(t)
	catalogue := []struct {
		vendor string
		count  func() int64
		cases  []badInput
	}{
		{"verisoul", vs.count.Calls, verisoulCatalogue(vs)},
		{"iproov", ip.count.Calls, iproovCatalogue(ip)},
		{"verifik", vf.count.Calls, verifikCatalogue(vf)},
	}
	total := 0
	for _, group := range catalogue {
		total += len(group.cases)
		t.Logf("%s: %d bad inputs", group.vendor, len(group.cases))
		names := map[string]bool{}
		for _, c := range group.cases {
			require.False(t, names[c.name], "duplicate case name %q", c.name)
			names[c.name] = true
			t.Run(group.vendor+"/"+c.name, func(t *testing.T) {
				bad := c.bad(t)
				before := group.count()
				err := bad()
				sent := group.count() - before
				require.Error(t, err)
				if c.leak != "" {
					assert.NotContains(t, err.Error(), c.leak, "the error quotes the rejected value")
				}
				if c.is != nil {
					assert.ErrorIs(t, err, c.is)
				}
				vendorSide := strings.Contains(c.name, "(vendor-side)")
				if !vendorSide {
					require.NotEmpty(t, c.field, "a client-side case names its field")
					var (
						verr *transport.ValidationError
						rerr *verifik.RuleError
					)
					switch {
					case errors.As(err, &verr):
						assert.Equal(t, group.vendor, verr.Vendor)
						assert.Equal(t, c.field, verr.Field)
						assert.NotEmpty(t, verr.Reason)
					case errors.As(err, &rerr):
						// Verifik's flow rules: the documented *verifik.RuleError, whose
						// Kind says which rule and whose detail names the step.
						require.NotNil(t, c.is, "a flow-rule case names its rule")
						assert.NotEmpty(t, rerr.Operation)
					default:
						require.Failf(t, "untyped error", "want a *transport.ValidationError or *verifik.RuleError, got %T: %v", err, err)
					}
					assert.Contains(t, err.Error(), c.field, "the message names the field")
					assert.ErrorIs(t, err, transport.ErrValidation)
					assert.Zero(t, sent, "no request may reach the vendor")
					return
				}
				var apiErr *transport.APIError
				require.ErrorAs(t, err, &apiErr, "want a *transport.APIError, got %T: %v", err, err)
				assert.Equal(t, group.vendor, apiErr.Vendor)
				require.True(t, c.code != "" || c.status != 0, "a vendor-side case names the vendor's answer")
				if c.code != "" {
					assert.Equal(t, c.code, apiErr.Code)
				}
				if c.status != 0 {
					assert.Equal(t, c.status, apiErr.StatusCode)
				}
				want := c.requests
				if want == 0 {
					want = 1
				}
				assert.Equal(t, want, sent, "requests reaching the vendor")
			})
		}
	}
	assert.GreaterOrEqual(t, total, 60, "the catalogue covers at least 60 bad inputs")
	t.Logf("catalogue: %d bad inputs", total)
}

const goodUUID = "00022912-cbaa-4239-a3ec-51c32fcc0fc1"
