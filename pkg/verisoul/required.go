package verisoul

import (
	"errors"
	"net/url"

	"github.com/idvkit/idvkit/pkg/transport"
)

// The required-member check is transport's (one presence pass over the body).
func missing(body []byte, paths ...string) (string, bool) {
	return transport.MissingField(body, paths...)
}

func lacks(op string, status int, field string) error {
	return transport.LacksField(vendor, op, status, field)
}

func requireFields(op string, status int, body []byte, paths ...string) error {
	return transport.RequireFields(vendor, op, status, body, paths...)
}

// checkLocation accepts only an absolute http or https link: a Location is handed to a
// browser, and a javascript:, data: or file: one would run or read there.
func checkLocation(op string, status int, loc string) error {
	u, err := url.Parse(loc)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: status,
			Err: errors.New("the redirect Location is not an absolute http or https URL")}
	}
	return nil
}
