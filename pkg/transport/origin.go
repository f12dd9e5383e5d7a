package transport

import (
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/idvkit/idvkit/pkg/contract"
)

// RedirectPolicy says which redirects a vendor call follows. Whatever the
// policy and whatever *http.Client carries the calls, a request never goes
// to an origin other than the base URL's: every request carries the vendor's
// credentials, in headers net/http forwards on redirect (x-api-key) or in a
// body it re-sends on 307 and 308 (iProov's api_key and secret).
type RedirectPolicy int

const (
	// RefuseRedirects (the default) follows no redirect: a 3xx with a
	// Location the operation does not document ends the call with a
	// *RedirectError.
	RefuseRedirects RedirectPolicy = iota
	// FollowSameOrigin follows redirects to the base URL's own scheme, host
	// and port (10 requests at most, as net/http, and only those the
	// caller's own CheckRedirect allows); any other ends the call with a
	// *RedirectError.
	FollowSameOrigin
)

// maxRedirects is net/http's own limit: requests in one chain.
const maxRedirects = 10

// WithRedirects sets the redirect policy (default RefuseRedirects). A 3xx the
// operation's spec documents (Verisoul's public liveness redirect answers
// 302) is the vendor's answer and is returned to the caller under either
// policy, never followed.
func WithRedirects(p RedirectPolicy) Option { return func(c *config) { c.redirects = p } }

// originOf is a URL's scheme, host and port, lower-cased, with the scheme's
// default port made explicit, so "https://X.test" and "https://x.test:443"
// are one origin.
func originOf(u *url.URL) string {
	scheme, host, port := originParts(u)
	return scheme + "://" + net.JoinHostPort(host, port)
}

// originParts is originOf before it is joined. strings.ToLower returns a
// lower-case ASCII string as it is, so this allocates nothing for the URLs
// vendor clients build.
func originParts(u *url.URL) (scheme, host, port string) {
	scheme = strings.ToLower(u.Scheme)
	port = u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return scheme, strings.ToLower(u.Hostname()), port
}

// sameOrigin reports originOf(u) == c.origin without building the string
// (the join is one-to-one: the port is digits after the last colon, and a
// host holding a colon is bracketed).
func (c *Client) sameOrigin(u *url.URL) bool {
	scheme, host, port := originParts(u)
	return scheme == c.originScheme && host == c.originHost && port == c.originPort
}

// redirectOpKey carries the operation of an attempt to checkRedirect.
type redirectOpKey struct{}

// checkRedirect is the CheckRedirect of every client the transport sends
// with; it replaces the caller's (which it still consults under
// FollowSameOrigin). Returning http.ErrUseLastResponse hands the 3xx back to
// Do, which turns it into a *RedirectError unless the operation documents it.
func (c *Client) checkRedirect(caller func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(next *http.Request, via []*http.Request) error {
		if c.redirects != FollowSameOrigin || len(via) >= maxRedirects || !c.sameOrigin(next.URL) {
			return http.ErrUseLastResponse
		}
		if next.Response != nil && len(via) > 0 {
			if op, _ := via[0].Context().Value(redirectOpKey{}).(string); c.documents(op, next.Response.StatusCode) {
				return http.ErrUseLastResponse
			}
		}
		if caller != nil && caller(next, via) != nil {
			return http.ErrUseLastResponse
		}
		return nil
	}
}

// isRedirect reports a 3xx status.
func isRedirect(code int) bool { return code >= 300 && code <= 399 }

// documents reports whether the specs document status as an answer of op.
func (c *Client) documents(op string, status int) bool {
	return c.answers3xx[op][status]
}

// redirectError builds the error for a 3xx answer that was not followed.
func (c *Client) redirectError(op string, attempts int, req *http.Request, resp *http.Response) *RedirectError {
	e := &RedirectError{Vendor: c.vendor, Operation: op, StatusCode: resp.StatusCode, Attempts: attempts}
	from := req.URL
	if resp.Request != nil && resp.Request.URL != nil {
		from = resp.Request.URL // the last request of a followed chain
	}
	if u, err := from.Parse(resp.Header.Get("Location")); err == nil {
		// Host only: the path and query may carry tokens.
		e.Host = sanitize(u.Host, 100)
	}
	return e
}

// documentedRedirects lists, per operationId, the 3xx statuses the specs
// give as answers ("3XX" counts as all of them).
func documentedRedirects(specs []*contract.Spec) map[string]map[int]bool {
	out := map[string]map[int]bool{}
	for _, s := range specs {
		if s == nil || s.Doc == nil || s.Doc.Paths == nil {
			continue
		}
		for _, item := range s.Doc.Paths.Map() {
			for _, op := range item.Operations() {
				if op == nil || op.OperationID == "" || op.Responses == nil {
					continue
				}
				for status := range op.Responses.Map() {
					add := func(code int) {
						if out[op.OperationID] == nil {
							out[op.OperationID] = map[int]bool{}
						}
						out[op.OperationID][code] = true
					}
					if strings.EqualFold(status, "3XX") {
						for code := 300; code <= 399; code++ {
							add(code)
						}
					} else if code, err := strconv.Atoi(status); err == nil && isRedirect(code) {
						add(code)
					}
				}
			}
		}
	}
	return out
}

// RedactURL returns raw without what must not be printed: user info
// (user:password@), the query and the fragment. Unparsable input gives
// "[unparsable URL]". Vendor clients' String and LogValue print base URLs
// through it.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "[unparsable URL]"
	}
	u.User = nil
	u.RawQuery, u.ForceQuery = "", false
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// String names the vendor and the redacted base URL.
func (c *Client) String() string {
	return "transport.Client{" + c.vendor + ", " + RedactURL(c.baseURL) + "}"
}

// LogValue logs the vendor and the redacted base URL.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("vendor", c.vendor), slog.String("base_url", RedactURL(c.baseURL)))
}

// GoString keeps %#v from printing the base URL's user info.
func (c *Client) GoString() string { return c.String() }
