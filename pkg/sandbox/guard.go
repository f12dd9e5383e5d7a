package sandbox

import (
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// GuardControl protects an emulator's control endpoints (/_sandbox/...) from cross-site use:
// it refuses (403, JSON {"error":"forbidden","message":...}) a request whose Origin header is
// present and is not the request's own origin; a request whose Host is neither a loopback name
// or address (localhost, 127.0.0.0/8, [::1]), nor the server's own local address (from
// http.LocalAddrContextKey), nor one of allowHosts (DNS rebinding); and (415, same JSON shape,
// saying application/json is expected) a POST/PUT/PATCH whose Content-Type is not
// application/json (a request with no body is allowed).
//
// Why: any web page the developer opens can send simple (text/plain, form) requests to
// localhost, and a rebinding DNS name can even read the answers; a control request can
// drop every call, reset state or read the OTPs "sent". A browser also marks a cross-site
// request with Sec-Fetch-Site, which is refused the same way. Programs (tests, curl) send
// neither Origin nor Sec-Fetch-Site and are unaffected.
//
// allowHosts are extra host names (a port, if given, is ignored), e.g. a docker service name.
func GuardControl(next http.Handler, allowHosts ...string) http.Handler {
	allow := normalizeHosts(allowHosts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if guardControl(w, r, allow) {
			next.ServeHTTP(w, r)
		}
	})
}

// guardControl answers a refused request and reports whether r may go on.
func guardControl(w http.ResponseWriter, r *http.Request, allow []string) bool {
	if !hostAllowed(r, allow) {
		WriteJSON(w, http.StatusForbidden, map[string]string{
			"error":   "forbidden",
			"message": "control endpoints answer only requests addressed to a loopback or the server's own address, or to an allowed host",
		})
		return false
	}
	if !sameOrigin(r) {
		WriteJSON(w, http.StatusForbidden, map[string]string{
			"error":   "forbidden",
			"message": "control endpoints refuse cross-origin requests",
		})
		return false
	}
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		if hasBody(r) && !isJSONContentType(r.Header.Get("Content-Type")) {
			WriteJSON(w, http.StatusUnsupportedMediaType, map[string]string{
				"error":   "unsupported_media_type",
				"message": "control endpoints expect Content-Type: application/json",
			})
			return false
		}
	}
	return true
}

func hasBody(r *http.Request) bool {
	return r.ContentLength != 0 || (r.Body != nil && r.Body != http.NoBody)
}

func isJSONContentType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// sameOrigin reports whether r carries no browser mark of another origin: an Origin
// header naming another scheme/host/port, or Sec-Fetch-Site other than same-origin or none
// (none: the user typed the URL).
func sameOrigin(r *http.Request) bool {
	switch strings.ToLower(r.Header.Get("Sec-Fetch-Site")) {
	case "", "same-origin", "none":
	default:
		return false
	}
	origins := r.Header.Values("Origin")
	if len(origins) == 0 {
		return true
	}
	if len(origins) > 1 {
		return false
	}
	u, err := url.Parse(origins[0])
	if err != nil || u.Host == "" || u.Path != "" || u.User != nil {
		return false // "null" (sandboxed frames, file:) included
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return strings.EqualFold(u.Scheme, scheme) &&
		strings.EqualFold(withPort(u.Host, scheme), withPort(r.Host, scheme))
}

// withPort adds the scheme's default port to a host that has none.
func withPort(host, scheme string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	port := "80"
	if scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), port)
}

// hostAllowed is the DNS-rebinding check: a rebinding page reaches the server under the
// attacker's own name, so only names the server can vouch for pass.
func hostAllowed(r *http.Request, allow []string) bool {
	if r.Host == "" {
		return true // HTTP/1.0 without Host: no browser sends it
	}
	h := hostOnly(r.Host)
	if h == "localhost" {
		return true
	}
	for _, a := range allow {
		if h == a {
			return true
		}
	}
	ip, err := netip.ParseAddr(h)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	if ip.IsLoopback() {
		return true
	}
	if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok && la != nil {
		if ap, err := netip.ParseAddrPort(la.String()); err == nil && ap.Addr().Unmap().WithZone("") == ip.WithZone("") {
			return true
		}
	}
	return false
}

// hostOnly lowercases a Host value and drops its port, IPv6 brackets and a trailing dot.
func hostOnly(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	h = strings.Trim(h, "[]")
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

func normalizeHosts(hosts []string) []string {
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		if h = hostOnly(strings.TrimSpace(h)); h != "" {
			out = append(out, h)
		}
	}
	return out
}
