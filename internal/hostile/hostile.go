// Package hostile holds idvkit's tests of the vendor clients and emulators under bad
// input, hostile vendor answers, secret-hunting and cross-tenant access, and the small
// helpers those tests share: a request counter to put in front of an emulator, a
// concurrency-safe log buffer, and a finder for secret values (and their encodings) in
// text.
package hostile

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Counter is an http.Handler that counts the vendor requests reaching the handler it
// wraps. Control endpoints (paths under /_sandbox/) are the test's own and not counted.
type Counter struct {
	next  http.Handler
	calls atomic.Int64
	mu    sync.Mutex
	watch func(*http.Request)
}

// Count wraps h.
func Count(h http.Handler) *Counter { return &Counter{next: h} }

// Watch has f see every vendor request before it is served (to learn what went over the
// wire, such as bearer tokens the client obtained).
func (c *Counter) Watch(f func(*http.Request)) {
	c.mu.Lock()
	c.watch = f
	c.mu.Unlock()
}

// ServeHTTP counts r when it is a vendor request, then hands it on.
func (c *Counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/_sandbox/") {
		c.calls.Add(1)
		c.mu.Lock()
		f := c.watch
		c.mu.Unlock()
		if f != nil {
			f(r)
		}
	}
	c.next.ServeHTTP(w, r)
}

// Calls is the number of vendor requests seen so far.
func (c *Counter) Calls() int64 { return c.calls.Load() }

// Buffer is a bytes.Buffer safe for concurrent writers, for slog handlers.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Secrets is a set of named values that must never appear in logs or error strings.
// Byte values (images) are looked for in their encodings too. It is safe for concurrent
// use.
type Secrets struct {
	mu     sync.Mutex
	needle map[string]string // needle → name
	codes  map[string]string // short numeric codes (OTPs) → name
}

// minNeedle keeps short, common strings from being reported as leaks.
const minNeedle = 8

// Add records a text secret. Values shorter than 8 characters are refused (they would
// match by chance): the tests use distinctive values.
func (s *Secrets) Add(name, value string) {
	if len(value) < minNeedle {
		panic("hostile: secret " + name + " is too short to look for")
	}
	s.put(value, name)
}

// AddBytes records a binary secret (an image): its base64 (standard, URL, raw), its hex,
// and the first 24 characters of each of those encodings, since a leak may be truncated.
func (s *Secrets) AddBytes(name string, b []byte) {
	if len(b) < minNeedle {
		panic("hostile: secret " + name + " is too short to look for")
	}
	for enc, v := range map[string]string{
		"base64":     base64.StdEncoding.EncodeToString(b),
		"base64url":  base64.URLEncoding.EncodeToString(b),
		"base64raw":  base64.RawStdEncoding.EncodeToString(b),
		"hex":        hex.EncodeToString(b),
		"base64 mid": middle(base64.StdEncoding.EncodeToString(b), 40),
	} {
		s.put(v, name+" ("+enc+")")
		if len(v) > 24 {
			s.put(v[:24], name+" ("+enc+" prefix)")
		}
	}
}

// middle is n characters from the middle of s (all of s when shorter).
func middle(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := (len(s) - n) / 2
	return s[i : i+n]
}

func (s *Secrets) put(needle, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.needle == nil {
		s.needle = map[string]string{}
	}
	s.needle[needle] = name
}

// Len is the number of needles looked for.
func (s *Secrets) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.needle)
}

// Find returns the names of the secrets found in text, sorted, each once. JSON escapes
// of the text are undone first so that a value escaped by a JSON log handler is found.
func (s *Secrets) Find(text string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	haystacks := []string{text, unescapeJSON(text)}
	seen := map[string]bool{}
	for needle, name := range s.needle {
		for _, h := range haystacks {
			if strings.Contains(h, needle) {
				seen[name] = true
			}
		}
	}
	for _, h := range haystacks {
		s.findCodes(h, seen)
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// unescapeJSON undoes the escapes JSON encoders apply to text (\u0026, \/, \", \\, \n).
func unescapeJSON(s string) string {
	r := strings.NewReplacer(`\u0026`, "&", `\u003c`, "<", `\u003e`, ">", `\u002b`, "+", `\/`, "/", `\"`, `"`, `\\`, `\`, `\n`, "\n", `\t`, "\t")
	return r.Replace(s)
}

// AddCode records a short numeric secret (a one-time code). Codes are looked for as
// whole numbers, outside the numeric metrics log lines carry (durations, byte counts),
// which could equal a short code by chance.
func (s *Secrets) AddCode(name, code string) {
	if len(code) < 4 || strings.Trim(code, "0123456789") != "" {
		panic("hostile: code " + name + " is not a numeric code")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.codes == nil {
		s.codes = map[string]string{}
	}
	s.codes[code] = name
}

// metrics are the numeric fields of a log line that are not data.
var metrics = regexp.MustCompile(`"(duration|retry_in|request_bytes|response_bytes|attempt|status|time)":-?[0-9.e+]+`)

// findCodes returns the names of the codes found in text as whole numbers.
func (s *Secrets) findCodes(text string, seen map[string]bool) {
	text = metrics.ReplaceAllString(text, "")
	for code, name := range s.codes {
		for i := strings.Index(text, code); i >= 0; {
			end := i + len(code)
			if (i == 0 || !isDigit(text[i-1])) && (end == len(text) || !isDigit(text[end])) {
				seen[name] = true
				break
			}
			next := strings.Index(text[i+1:], code)
			if next < 0 {
				break
			}
			i += 1 + next
		}
	}
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
