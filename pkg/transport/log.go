package transport

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// logAttempt writes the one line per attempt. It never logs headers, query
// values or bodies; the path is a template or has its id-like segments
// replaced (see pathTemplates).
func (c *Client) logAttempt(ctx context.Context, op string, r *http.Request, attempt int,
	resp *http.Response, err error, elapsed time.Duration, retry bool, wait time.Duration) {
	if !c.log.Enabled(ctx, slog.LevelInfo) {
		return // before any attribute or the path is built
	}
	path := c.paths.logPath(r.URL.Path)
	attrs := make([]slog.Attr, 0, 13)
	attrs = append(attrs,
		slog.String("vendor", c.vendor),
		slog.String("operation", op),
		slog.String("method", r.Method),
		slog.String("path", path),
	)
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
		if rid := requestID(resp.Header); rid != "" {
			attrs = append(attrs, slog.String("request_id", sanitize(rid, 100)))
		}
	} else {
		attrs = append(attrs, slog.String("error", describeErr(err)))
	}
	attrs = append(attrs,
		slog.Duration("duration", elapsed),
		slog.Int("attempt", attempt),
	)
	if retry {
		attrs = append(attrs, slog.Duration("retry_in", wait))
	}
	if c.log.Enabled(ctx, slog.LevelDebug) {
		attrs = append(attrs, slog.Int64("request_bytes", r.ContentLength))
		if resp != nil {
			attrs = append(attrs, slog.Int64("response_bytes", resp.ContentLength))
		}
	}
	c.log.LogAttrs(ctx, slog.LevelInfo, "vendor call", attrs...)
}

// describeErr names a transport failure without quoting anything that came
// from the request (URLs with query values, contract messages with values).
func describeErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var (
		dnsErr      *net.DNSError
		opErr       *net.OpError
		tooLarge    *BodyTooLargeError
		interrupted *interruptedError
	)
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return "dns: no such host"
		}
		return "dns error"
	case errors.As(err, &opErr):
		s := opErr.Op
		if opErr.Timeout() {
			return s + ": timeout"
		}
		if opErr.Err != nil {
			// The syscall text ("connection refused", "connection reset by
			// peer"), without the addresses OpError.Error adds.
			inner := opErr.Err.Error()
			if i := strings.LastIndex(inner, ": "); i >= 0 {
				inner = inner[i+2:]
			}
			s += ": " + inner
		}
		return s
	case isTimeout(err):
		// net/http's own, such as "timeout awaiting response headers".
		return "timeout"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by vendor"
	case errors.As(err, &tooLarge):
		return "response body too large"
	case errors.As(err, &interrupted):
		return "interrupted"
	}
	if isContractError(err) {
		return "contract violation"
	}
	return "request error"
}

// pathTemplates maps request paths to the vendor's path templates so logs
// never carry ids, tokens or user ids that sit in paths.
type pathTemplates struct {
	list [][]string // split templates, "{param}" segments match anything
}

func newPathTemplates(templates []string) *pathTemplates {
	p := &pathTemplates{}
	for _, t := range templates {
		if t = strings.Trim(t, "/"); t != "" {
			p.list = append(p.list, strings.Split(t, "/"))
		}
	}
	return p
}

// logPath returns the path to log: the longest template matching the end of
// the path (the base URL may add a prefix such as /api/v2), else the path
// with every segment that does not look like a fixed word replaced by "{}".
func (p *pathTemplates) logPath(path string) string {
	trimmed := strings.Trim(path, "/")
	if trimmed == "" {
		return "/"
	}
	segs := strings.Split(trimmed, "/")
	best, bestLiterals := -1, -1
	for i, t := range p.list {
		if len(t) > len(segs) {
			continue
		}
		tail := segs[len(segs)-len(t):]
		literals, ok := 0, true
		for j, ts := range t {
			if isParam(ts) {
				if tail[j] == "" {
					ok = false
					break
				}
				continue
			}
			if ts != tail[j] {
				ok = false
				break
			}
			literals++
		}
		if ok && (len(t) > lenOf(p.list, best) || (len(t) == lenOf(p.list, best) && literals > bestLiterals)) {
			best, bestLiterals = i, literals
		}
	}
	var b strings.Builder
	n := len(segs)
	if best >= 0 {
		n -= len(p.list[best])
	}
	for _, s := range segs[:n] {
		b.WriteByte('/')
		if fixedWord(s) {
			b.WriteString(s)
		} else {
			b.WriteString("{}")
		}
	}
	if best >= 0 {
		for _, s := range p.list[best] {
			b.WriteByte('/')
			b.WriteString(s)
		}
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

func lenOf(list [][]string, i int) int {
	if i < 0 {
		return -1
	}
	return len(list[i])
}

func isParam(s string) bool { return strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") }

// fixedWord reports whether a path segment looks like part of the API rather
// than data: lower-case words with '-' or '_' up to 24 letters, or a version
// such as "v2". Ids, tokens, emails and names fail the test.
func fixedWord(s string) bool {
	if s == "" || len(s) > 24 {
		return false
	}
	if len(s) >= 2 && len(s) <= 3 && s[0] == 'v' {
		digits := true
		for _, r := range s[1:] {
			digits = digits && r >= '0' && r <= '9'
		}
		if digits {
			return true
		}
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
