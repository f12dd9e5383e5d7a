package conform

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/idvkit/idvkit/pkg/contract"
)

// Exchange is one request a vendor client sent and the answer it got, redacted (see
// [Placeholder]), with the contract kit's verdict on the unredacted original. It is what a
// cassette holds and what the diff compares.
type Exchange struct {
	// Journey and Step name where in a journey the call was made; Seq orders the calls of
	// one journey from 0, every attempt of a retried call included.
	Journey string `json:"journey"`
	Step    string `json:"step"`
	Seq     int    `json:"seq"`
	Vendor  string `json:"vendor"`
	// Spec and Operation are the spec and operationId the request resolves to (empty when
	// no spec knows it).
	Spec      string `json:"spec,omitempty"`
	Operation string `json:"operation,omitempty"`

	Request  Message  `json:"request"`
	Response *Message `json:"response,omitempty"`
	// Failure says why no response came (a dropped connection, a timeout); never values.
	Failure string `json:"failure,omitempty"`

	// Problems is the contract verdict of the request and the response, drift included.
	Problems []contract.Problem `json:"problems,omitempty"`
	// Redacted lists the locations whose values were replaced ("request.header.x-api-key",
	// "response.body.session_id"), so replay does not hold a placeholder's format against
	// the spec.
	Redacted []string `json:"redacted,omitempty"`
}

// Message is a redacted request or response.
type Message struct {
	Method string `json:"method,omitempty"`
	// Path has every path parameter replaced: ids, user ids and api keys travel there.
	Path   string      `json:"path,omitempty"`
	Query  string      `json:"query,omitempty"`
	Status int         `json:"status,omitempty"`
	Header http.Header `json:"header,omitempty"`
	// Body is the redacted JSON body; Form a redacted url-encoded one. Other bodies
	// (multipart uploads, images) are never kept: Omitted says what was left out.
	Body    json.RawMessage `json:"body,omitempty"`
	Form    string          `json:"form,omitempty"`
	Omitted string          `json:"omitted,omitempty"`
}

// maxRecordedBody bounds how much of a body conform reads to record and check it; a
// longer answer is handed to the client unread and recorded as omitted.
const maxRecordedBody = 8 << 20

// keptHeaders are the headers worth recording: the rest (user agents, dates, tracing)
// varies from run to run and says nothing about the contract.
var keptHeaders = map[string]bool{"Content-Type": true, "Retry-After": true, "Location": true, "Www-Authenticate": true}

// authHeaders are recorded as present, never with their value.
var authHeaders = map[string]bool{"Authorization": true, "X-Api-Key": true, "Cookie": true, "Set-Cookie": true, "Proxy-Authorization": true}

// tape collects the exchanges of one target's run. The runner sets the journey and the
// step before each call; journeys of one tape run one at a time.
type tape struct {
	red *redactor

	mu        sync.Mutex
	journey   string
	step      string
	seq       int
	exchanges []Exchange
}

func (t *tape) begin(journey string) {
	t.mu.Lock()
	t.journey, t.step, t.seq = journey, "", 0
	t.mu.Unlock()
}

func (t *tape) setStep(step string) {
	t.mu.Lock()
	t.step = step
	t.mu.Unlock()
}

// take returns and forgets the exchanges recorded so far.
func (t *tape) take() []Exchange {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.exchanges
	t.exchanges = nil
	return out
}

// roundTripper records every attempt that passes through it. It sits under the
// client's contract round tripper, next to the network, so it sees the wire.
func (t *tape) roundTripper(vendor string, specs []*contract.Spec, next http.RoundTripper) http.RoundTripper {
	return rtFunc(func(req *http.Request) (*http.Response, error) {
		reqBody, err := requestBody(req)
		if err != nil {
			return nil, err
		}
		resp, rtErr := next.RoundTrip(req)
		var respBody []byte
		complete := true
		if rtErr == nil {
			respBody, complete, err = readUpTo(resp.Body, maxRecordedBody)
			if err != nil {
				resp.Body.Close()
				rtErr = err
				resp = nil
			} else if complete {
				resp.Body.Close()
				resp.Body = io.NopCloser(bytes.NewReader(respBody))
			} else {
				rest := resp.Body
				resp.Body = struct {
					io.Reader
					io.Closer
				}{io.MultiReader(bytes.NewReader(respBody), rest), rest}
			}
		}
		t.record(vendor, specs, req, reqBody, resp, respBody, complete, rtErr)
		return resp, rtErr
	})
}

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// requestBody reads a request's body through GetBody (every vendor client builds its
// requests from bytes), leaving the request as it was; bounded.
func requestBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	if req.GetBody == nil {
		data, _, err := readUpTo(req.Body, maxRecordedBody)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(data))
		return data, nil
	}
	rc, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, _, err := readUpTo(rc, maxRecordedBody)
	return data, err
}

func readUpTo(r io.Reader, max int64) ([]byte, bool, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(data)) > max {
		return data, false, nil
	}
	return data, true, nil
}

// record checks the exchange against its spec, redacts it and keeps it.
func (t *tape) record(vendor string, specs []*contract.Spec, req *http.Request, reqBody []byte, resp *http.Response, respBody []byte, complete bool, rtErr error) {
	ex := Exchange{Vendor: vendor}
	var spec *contract.Spec
	for _, s := range specs {
		if op, ok := s.FindOperation(req); ok {
			spec, ex.Operation = s, op
			break
		}
	}
	if spec != nil {
		ex.Spec = spec.Name
		ex.Problems = verdict(spec, req, reqBody, resp, respBody, complete)
	}
	locs := map[string]bool{}
	ex.Request = t.redactRequest(req, reqBody, spec, locs)
	if rtErr != nil {
		ex.Failure = failureOf(rtErr)
	} else {
		m := t.redactResponse(resp, respBody, complete, locs)
		ex.Response = &m
	}
	ex.Redacted = slices.Sorted(maps.Keys(locs))

	t.mu.Lock()
	ex.Journey, ex.Step, ex.Seq = t.journey, t.step, t.seq
	t.seq++
	t.exchanges = append(t.exchanges, ex)
	t.mu.Unlock()
}

// verdict validates the unredacted exchange, so a recording's verdict is the wire's.
func verdict(spec *contract.Spec, req *http.Request, reqBody []byte, resp *http.Response, respBody []byte, complete bool) []contract.Problem {
	var out []contract.Problem
	check := req.Clone(req.Context())
	check.Body = io.NopCloser(bytes.NewReader(reqBody))
	check.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(reqBody)), nil }
	if len(reqBody) == 0 {
		check.Body, check.GetBody = http.NoBody, nil
	}
	out = append(out, problemsOf(spec.ValidateRequest(check))...)
	if resp != nil && complete {
		out = append(out, problemsOf(spec.ValidateResponse(check, resp.StatusCode, resp.Header, respBody))...)
	}
	return out
}

func problemsOf(err error) []contract.Problem {
	var ce *contract.Error
	if errors.As(err, &ce) {
		return ce.Problems
	}
	return nil
}

// failureOf names a transport failure by kind only: error strings of net/http quote URLs,
// and a URL may hold a token.
func failureOf(err error) string {
	var ne interface{ Timeout() bool }
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "connection closed before the answer ended"
	}
	return "no answer (connection failed)"
}

func (t *tape) redactRequest(req *http.Request, body []byte, spec *contract.Spec, locs map[string]bool) Message {
	m := Message{Method: req.Method, Path: t.redactPath(req, spec, locs)}
	if req.URL.RawQuery != "" {
		m.Query = t.red.values(req.URL.RawQuery, "request.query", locs)
	}
	m.Header = t.redactHeader(req.Header, "request.header", locs)
	m.Body, m.Form, m.Omitted = t.redactBody(req.Header.Get("Content-Type"), body, true, "request.body", locs)
	return m
}

func (t *tape) redactResponse(resp *http.Response, body []byte, complete bool, locs map[string]bool) Message {
	m := Message{Status: resp.StatusCode, Header: t.redactHeader(resp.Header, "response.header", locs)}
	if !complete {
		m.Omitted = "body over the recording limit"
		return m
	}
	m.Body, m.Form, m.Omitted = t.redactBody(resp.Header.Get("Content-Type"), body, false, "response.body", locs)
	return m
}

// redactPath replaces every path parameter with the placeholder: the route still
// resolves (a parameter matches any segment) and no id, user id or key is kept.
func (t *tape) redactPath(req *http.Request, spec *contract.Spec, locs map[string]bool) string {
	segs := strings.Split(req.URL.EscapedPath(), "/")
	if tmpl := templateOf(spec, req); tmpl != "" {
		ts := strings.Split(strings.Trim(tmpl, "/"), "/")
		// The template matches the end of the path (a base path may come first).
		off := len(segs) - len(ts)
		for i, ts := range ts {
			if off+i >= 0 && strings.Contains(ts, "{") {
				segs[off+i] = Placeholder
				locs["request.path."+strings.Trim(ts, "{}")] = true
			}
		}
	}
	p := strings.Join(segs, "/")
	if s, changed := t.red.scrub(p); changed {
		locs["request.path"] = true
		p = s
	}
	return p
}

func (t *tape) redactHeader(h http.Header, prefix string, locs map[string]bool) http.Header {
	out := http.Header{}
	for k, vs := range h {
		k = http.CanonicalHeaderKey(k)
		switch {
		case authHeaders[k]:
			// The scheme stays: it is what the spec's security requirement checks.
			vals := make([]string, len(vs))
			for i, v := range vs {
				vals[i] = Placeholder
				if scheme, _, ok := strings.Cut(v, " "); ok && (strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "Basic")) {
					vals[i] = scheme + " " + Placeholder
				}
			}
			out[k] = vals
			locs[prefix+"."+strings.ToLower(k)] = true
		case keptHeaders[k]:
			vals := make([]string, len(vs))
			for i, v := range vs {
				s, changed := t.red.scrub(v)
				if k == "Location" {
					s = t.redactLocation(s)
					changed = true
				}
				if changed {
					locs[prefix+"."+strings.ToLower(k)] = true
				}
				vals[i] = s
			}
			out[k] = vals
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// redactLocation keeps a redirect's scheme, host and path, never its query.
func (t *tape) redactLocation(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return Placeholder
	}
	if u.RawQuery != "" {
		u.RawQuery = t.red.values(u.RawQuery, "location", map[string]bool{})
	}
	return u.String()
}

// redactBody keeps JSON and url-encoded bodies, redacted; anything else is omitted.
func (t *tape) redactBody(contentType string, body []byte, request bool, prefix string, locs map[string]bool) (json.RawMessage, string, string) {
	if len(body) == 0 {
		return nil, "", ""
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, "", "body that is not valid JSON"
		}
		v = t.red.jsonValue(v, prefix, false, locs)
		out, err := json.Marshal(v)
		if err != nil {
			return nil, "", "body that could not be re-encoded"
		}
		return out, "", ""
	case mt == "application/x-www-form-urlencoded":
		return nil, t.red.values(string(body), prefix, locs), ""
	}
	what := "request"
	if !request {
		what = "response"
	}
	if mt == "" {
		mt = "no content type"
	}
	return nil, "", what + " body of type " + mt + " (not recorded)"
}

// rescrub replaces, in every value of a recorded exchange (never in a field name), what
// the redactor learned after the exchange was recorded.
func (r *redactor) rescrub(ex *Exchange) {
	for _, m := range []*Message{&ex.Request, ex.Response} {
		if m == nil {
			continue
		}
		m.Path, _ = r.scrub(m.Path)
		m.Query, _ = r.scrub(m.Query)
		m.Form, _ = r.scrub(m.Form)
		for k, vs := range m.Header {
			for i, v := range vs {
				m.Header[k][i], _ = r.scrub(v)
			}
		}
		if len(m.Body) > 0 {
			dec := json.NewDecoder(bytes.NewReader(m.Body))
			dec.UseNumber()
			var v any
			if dec.Decode(&v) == nil {
				if out, err := json.Marshal(r.scrubValues(v)); err == nil {
					m.Body = out
				}
			}
		}
	}
}

func (r *redactor) scrubValues(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, item := range t {
			t[k] = r.scrubValues(item)
		}
	case []any:
		for i, item := range t {
			t[i] = r.scrubValues(item)
		}
	case string:
		s, _ := r.scrub(t)
		return s
	}
	return v
}
