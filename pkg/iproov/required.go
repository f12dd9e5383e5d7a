package iproov

import "github.com/idvkit/idvkit/pkg/transport"

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
