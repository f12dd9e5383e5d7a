package idv

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// StateVersion is the version of State this package writes. Resume refuses any other,
// so a stored journey from an incompatible release fails loudly instead of misreading.
const StateVersion = 1

// State is one journey between the user's steps: store it with the user record (it is
// JSON) and hand it back to Resume. It embeds the vendor package's own state value —
// exactly one of Verisoul, IProov, Verifik — rather than a copy of its fields.
//
// The JSON holds secrets (a session id that opens the hosted page, an SDK token, a
// Verifik registrant token) and, for Verifik, the email or phone: keep it out of logs.
// String, GoString and LogValue redact them.
type State struct {
	Version    int        `json:"version"`
	Vendor     string     `json:"vendor"`
	Capability Capability `json:"capability"`
	UserID     string     `json:"user_id"`
	StartedAt  time.Time  `json:"started_at"`

	// RedirectURL and Language rebuild a hosted page's URL when the user must go back.
	RedirectURL string `json:"redirect_url,omitempty"`
	Language    string `json:"language,omitempty"`

	Verisoul *verisoul.Session `json:"verisoul,omitempty"`
	IProov   *iproov.Claim     `json:"iproov,omitempty"`
	Verifik  *verifik.State    `json:"verifik,omitempty"`
}

// String shows the journey without its secrets: the vendor states print themselves
// redacted.
func (s State) String() string {
	return fmt.Sprintf("idv.State{v%d %s %s user: %s, started: %s, vendor state: %s}",
		s.Version, s.Vendor, s.Capability, s.UserID, s.StartedAt.UTC().Format(time.RFC3339), s.vendorState())
}

// GoString is String: %#v must not print the secrets either.
func (s State) GoString() string { return s.String() }

// LogValue logs the journey without its secrets.
func (s State) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.Int("version", s.Version),
		slog.String("vendor", s.Vendor),
		slog.String("capability", string(s.Capability)),
		slog.String("user_id", s.UserID),
		slog.Time("started_at", s.StartedAt),
	}
	switch {
	case s.Verisoul != nil:
		attrs = append(attrs, slog.Any("verisoul", *s.Verisoul))
	case s.IProov != nil:
		attrs = append(attrs, slog.Any("iproov", *s.IProov))
	case s.Verifik != nil:
		attrs = append(attrs, slog.Any("verifik", *s.Verifik))
	}
	return slog.GroupValue(attrs...)
}

func (s State) vendorState() string {
	switch {
	case s.Verisoul != nil:
		return s.Verisoul.String()
	case s.IProov != nil:
		return s.IProov.String()
	case s.Verifik != nil:
		return s.Verifik.String()
	}
	return "none"
}

// check refuses a state that is not this journey's, before any network call.
func (s State) check(vendor string, c Capability) error {
	const op = "idv.Resume"
	switch {
	case s.Version != StateVersion:
		return transport.Invalid(vendor, op, "state.version", fmt.Sprintf("is %d; this release reads version %d", s.Version, StateVersion))
	case s.Vendor != vendor:
		return transport.Invalid(vendor, op, "state.vendor", "belongs to another vendor's journey")
	case s.Capability != c:
		return transport.Invalid(vendor, op, "state.capability", "belongs to a "+string(s.Capability)+" journey, not "+string(c))
	}
	var present bool
	switch vendor {
	case verisoulName:
		present = s.Verisoul != nil
	case iproovName:
		present = s.IProov != nil
	case verifikName:
		present = s.Verifik != nil
	}
	if !present {
		return transport.Invalid(vendor, op, "state."+vendor, "is missing")
	}
	return nil
}

const (
	verisoulName = "verisoul"
	iproovName   = "iproov"
	verifikName  = "verifik"
)
