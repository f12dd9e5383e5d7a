// Package realtraffic reads the corpus of real vendor traffic in testdata/real and turns
// its exchanges into HTTP requests and responses, so a test can hold the contract kit and
// the emulators to what the vendors' own clients send and what their docs show — not only
// to what idvkit's specs were written from.
//
// An exchange is one JSON file (format in testdata/real/README.md): where it comes from,
// the request as that client builds it (method, path, query, the headers that matter, and
// a JSON, form or multipart body), and/or a documented response. Credentials, tokens and
// ids are placeholders ({{api_key}}, {{enrol_token}}, ...) that a test resolves against an
// emulator, so the corpus holds no secret and the requests still mean something.
package realtraffic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/idvkit/idvkit/pkg/sandbox"
)

// Exchange is one corpus file.
type Exchange struct {
	// ID is "<vendor>/<file name without .json>", the key the tests' tables use.
	ID string `json:"-"`

	Source Source `json:"source"`
	Vendor string `json:"vendor"`
	// Spec is the contract kit spec that should describe the exchange ("iproov/claim").
	Spec string `json:"spec"`
	// Operation names the vendor operation: the spec's operationId, or a descriptive name
	// with "(not in spec)" for an operation idvkit does not specify yet.
	Operation string `json:"operation"`
	// Client names the library that built the request, when one did.
	Client string `json:"client,omitempty"`
	// Confidence is "inferred" when part of the exchange was reconstructed from the
	// library's behaviour rather than read in the source; empty otherwise.
	Confidence string    `json:"confidence,omitempty"`
	Request    *Request  `json:"request,omitempty"`
	Response   *Response `json:"response,omitempty"`
	// Expect, when set, is how the vendor answers the request in the state its
	// placeholders set up (a fresh token, an enrolled user): the emulator must answer so.
	Expect *Expect `json:"expect,omitempty"`
	Notes  string  `json:"notes,omitempty"`
}

// Expect is the vendor's answer to a request in the state its placeholders describe.
type Expect struct {
	Status []int `json:"status"`
}

// Source says where an exchange was read: a repository file at a commit, or a URL.
type Source struct {
	Repo   string   `json:"repo,omitempty"`
	Path   string   `json:"path,omitempty"`
	Commit string   `json:"commit,omitempty"`
	URL    string   `json:"url,omitempty"`
	Also   []string `json:"also,omitempty"`
	Note   string   `json:"note,omitempty"`
}

// Request is a request as the client builds it. Only one of JSON, Form and Multipart is
// set; a request without a body has none.
type Request struct {
	Method    string              `json:"method"`
	Path      string              `json:"path"`
	Query     map[string][]string `json:"query,omitempty"`
	Headers   map[string]string   `json:"headers,omitempty"`
	JSON      json.RawMessage     `json:"json,omitempty"`
	Form      map[string][]string `json:"form,omitempty"`
	Multipart *Multipart          `json:"multipart,omitempty"`
}

// Multipart is a multipart/form-data body, part by part, with each part's own headers
// exactly as the client library writes them.
type Multipart struct {
	Boundary string `json:"boundary,omitempty"`
	Parts    []Part `json:"parts"`
}

// Part is one multipart part: a text value, or a file made at build time.
type Part struct {
	Name     string            `json:"name"`
	Filename string            `json:"filename,omitempty"`
	Headers  map[string]string `json:"headers,omitempty"`
	Value    string            `json:"value,omitempty"`
	File     *File             `json:"file,omitempty"`
}

// File stands for file content the corpus does not store (images are PII): Kind
// "face-jpeg" is sandbox.FaceJPEG(Face).
type File struct {
	Kind string `json:"kind"`
	Face string `json:"face,omitempty"`
}

// Response is a documented response.
type Response struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	JSON    json.RawMessage   `json:"json,omitempty"`
}

// Load reads every <vendor>/*.json under dir, sorted by ID. A file that does not parse, or
// that has neither a request nor a response, is an error naming it.
func Load(dir string) ([]Exchange, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil {
		return nil, err
	}
	var out []Exchange
	var errs []error
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var ex Exchange
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ex); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f, err))
			continue
		}
		vendor := filepath.Base(filepath.Dir(f))
		ex.ID = vendor + "/" + strings.TrimSuffix(filepath.Base(f), ".json")
		switch {
		case ex.Vendor != vendor:
			errs = append(errs, fmt.Errorf("%s: vendor %q is not its folder", f, ex.Vendor))
		case ex.Request == nil && ex.Response == nil:
			errs = append(errs, fmt.Errorf("%s: neither request nor response", f))
		case ex.Source.Repo == "" && ex.Source.URL == "":
			errs = append(errs, fmt.Errorf("%s: no source", f))
		case ex.Source.Repo != "" && (ex.Source.Path == "" || ex.Source.Commit == ""):
			errs = append(errs, fmt.Errorf("%s: a repository source needs path and commit", f))
		default:
			out = append(out, ex)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, errors.Join(errs...)
}

// Vars resolves a placeholder name ("api_key") to its value.
type Vars func(name string) (string, error)

var placeholder = regexp.MustCompile(`\{\{([a-z_]+)\}\}`)

// Placeholders lists the placeholder names s uses, in order of first use.
func Placeholders(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// Substitute replaces every {{name}} in s. escape, if set, transforms each value first
// (JSON string escaping for JSON bodies).
func Substitute(s string, vars Vars, escape func(string) string) (string, error) {
	var err error
	out := placeholder.ReplaceAllStringFunc(s, func(m string) string {
		if err != nil {
			return m
		}
		v, e := vars(m[2 : len(m)-2])
		if e != nil {
			err = fmt.Errorf("placeholder %s: %w", m, e)
			return m
		}
		if escape != nil {
			v = escape(v)
		}
		return v
	})
	return out, err
}

// jsonEscape escapes v for use inside a JSON string literal.
func jsonEscape(v string) string {
	b, _ := json.Marshal(v)
	return string(b[1 : len(b)-1])
}

// Text is everything of r that may hold a placeholder, for finding which ones it needs.
func (r *Request) Text() string {
	var b strings.Builder
	b.WriteString(r.Path)
	for k, vs := range r.Query {
		b.WriteString(k + "=" + strings.Join(vs, ","))
	}
	for _, v := range r.Headers {
		b.WriteString(v)
	}
	b.Write(r.JSON)
	for _, vs := range r.Form {
		b.WriteString(strings.Join(vs, ","))
	}
	if r.Multipart != nil {
		for _, p := range r.Multipart.Parts {
			b.WriteString(p.Value)
		}
	}
	return b.String()
}

// Build makes the request against baseURL with placeholders resolved. Its body is
// replayable (GetBody is set), as a client's is. Headers are set exactly as recorded,
// Content-Type included; a multipart body is written part by part with the recorded
// part headers, so a part without Content-Type has none.
func (r *Request) Build(baseURL string, vars Vars) (*http.Request, error) {
	path, err := Substitute(r.Path, vars, url.PathEscape)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(strings.TrimSuffix(baseURL, "/") + path)
	if err != nil {
		return nil, err
	}
	if len(r.Query) > 0 {
		q := url.Values{}
		for k, vs := range r.Query {
			for _, v := range vs {
				v, err := Substitute(v, vars, nil)
				if err != nil {
					return nil, err
				}
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	var body []byte
	switch {
	case len(r.JSON) > 0:
		s, err := Substitute(string(r.JSON), vars, jsonEscape)
		if err != nil {
			return nil, err
		}
		body = []byte(s)
	case r.Form != nil:
		f := url.Values{}
		for k, vs := range r.Form {
			for _, v := range vs {
				v, err := Substitute(v, vars, nil)
				if err != nil {
					return nil, err
				}
				f.Add(k, v)
			}
		}
		body = []byte(f.Encode())
	case r.Multipart != nil:
		body, err = r.Multipart.encode(vars)
		if err != nil {
			return nil, err
		}
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(r.Method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	for k, v := range r.Headers {
		v, err := Substitute(v, vars, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set(k, v)
	}
	return req, nil
}

func (m *Multipart) encode(vars Vars) ([]byte, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if m.Boundary != "" {
		if err := w.SetBoundary(m.Boundary); err != nil {
			return nil, err
		}
	}
	for _, p := range m.Parts {
		h := textproto.MIMEHeader{}
		disp := fmt.Sprintf(`form-data; name="%s"`, p.Name)
		if p.Filename != "" {
			disp += fmt.Sprintf(`; filename="%s"`, p.Filename)
		}
		h.Set("Content-Disposition", disp)
		for k, v := range p.Headers {
			h.Set(k, v)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			return nil, err
		}
		var data []byte
		switch {
		case p.File != nil && p.File.Kind == "face-jpeg":
			data = sandbox.FaceJPEG(p.File.Face)
		case p.File != nil:
			return nil, fmt.Errorf("part %s: unknown file kind %q", p.Name, p.File.Kind)
		default:
			v, err := Substitute(p.Value, vars, nil)
			if err != nil {
				return nil, err
			}
			data = []byte(v)
		}
		if _, err := pw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Route is the request a documented response answers, for routing it in the spec: the
// method and path of the exchange's request (placeholders resolved), without a body.
func (x *Exchange) Route(baseURL string, vars Vars) (*http.Request, error) {
	r := *x.Request
	r.JSON, r.Form, r.Multipart, r.Headers = nil, nil, nil, nil
	return r.Build(baseURL, vars)
}

// Header returns the response headers as an http.Header.
func (r *Response) Header() http.Header {
	h := http.Header{}
	for k, v := range r.Headers {
		h.Set(k, v)
	}
	return h
}
