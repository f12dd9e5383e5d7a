package verifik_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

func TestCodeOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want verifik.ErrorCode
	}{
		{"nil", nil, ""},
		{"not an API error", errors.New("dial: refused"), ""},
		{"Verifik's code", &transport.APIError{Vendor: "verifik", Code: "otp_does_not_match"}, "otp_does_not_match"},
		{"wrapped", fmt.Errorf("confirm: %w", &transport.APIError{Vendor: "verifik", Code: "person_already_set"}), "person_already_set"},
		{"another vendor's", &transport.APIError{Vendor: "iproov", Code: "invalid_token"}, ""},
	}
	for _, tt := range tests {
		if got := verifik.CodeOf(tt.err); got != tt.want {
			t.Errorf("%s: CodeOf = %q, want %q", tt.name, got, tt.want)
		}
	}
}
