package iproov_test

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/iproov"
)

func TestBaseURL(t *testing.T) {
	tests := []struct {
		name string
		opts []iproov.Option
		want string
	}{
		{"default region", nil, "https://eu.rp.secure.iproov.me/api/v2"},
		{"region", []iproov.Option{iproov.WithRegion(iproov.RegionJakarta)}, "https://jkt.rp.secure.iproov.me/api/v2"},
		{"legacy host as documented", []iproov.Option{iproov.WithBaseURL("https://secure.iproov.me/api/v2/")}, "https://secure.iproov.me/api/v2"},
		{"dedicated tenant without the API path", []iproov.Option{iproov.WithBaseURL("https://gds.rp.secure.iproov.me")}, "https://gds.rp.secure.iproov.me/api/v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := iproov.New("k", "s", tt.opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.BaseURL())
		})
	}
}

// TestPathTemplatesMatchSpec keeps the client's log templates (which hide api keys, tokens
// and user ids) in step with the spec's paths.
func TestPathTemplatesMatchSpec(t *testing.T) {
	var want []string
	for p := range claimSpec(t).Doc.Paths.Map() {
		want = append(want, p)
	}
	sort.Strings(want)
	got := iproov.PathTemplates()
	sort.Strings(got)
	assert.Equal(t, want, got)
}
