package contract

import (
	"context"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// missingCredential is the error of a security scheme whose credential is absent. It
// names where the credential belongs, never its value.
type missingCredential struct {
	scheme   string
	location string // "header.x-api-key", "query.key", "cookie.sid", "header.authorization"
	want     string // "an API key", "basic credentials", "a bearer token"
}

func (e *missingCredential) Error() string {
	return "security scheme " + e.scheme + " needs " + e.want + " in " + e.location
}

// credentialPresent is the kin-openapi AuthenticationFunc: the contract says which
// credential a call carries and where, not whether it is valid, so only presence is
// checked and the value is never read beyond that.
func credentialPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	sc := in.SecurityScheme
	r := in.RequestValidationInput.Request
	miss := &missingCredential{scheme: in.SecuritySchemeName}
	switch sc.Type {
	case "apiKey":
		miss.want = "an API key"
		switch sc.In {
		case "header":
			miss.location = "header." + strings.ToLower(sc.Name)
			if r.Header.Get(sc.Name) != "" {
				return nil
			}
		case "query":
			miss.location = "query." + sc.Name
			if r.URL.Query().Get(sc.Name) != "" {
				return nil
			}
		case "cookie":
			miss.location = "cookie." + sc.Name
			if c, err := r.Cookie(sc.Name); err == nil && c.Value != "" {
				return nil
			}
		}
	case "http":
		miss.location = "header.authorization"
		switch strings.ToLower(sc.Scheme) {
		case "basic":
			miss.want = "basic credentials"
			if hasAuthScheme(r, "basic") {
				return nil
			}
		case "bearer":
			miss.want = "a bearer token"
			if hasAuthScheme(r, "bearer") {
				return nil
			}
		default:
			miss.want = sc.Scheme + " credentials"
			if r.Header.Get("Authorization") != "" {
				return nil
			}
		}
	default: // oauth2, openIdConnect: a bearer access token
		miss.location = "header.authorization"
		miss.want = "a bearer token"
		if hasAuthScheme(r, "bearer") {
			return nil
		}
	}
	return miss
}

func hasAuthScheme(r *http.Request, scheme string) bool {
	v := r.Header.Get("Authorization")
	if len(v) <= len(scheme)+1 || !strings.EqualFold(v[:len(scheme)], scheme) || v[len(scheme)] != ' ' {
		return false
	}
	return strings.TrimSpace(v[len(scheme)+1:]) != ""
}
