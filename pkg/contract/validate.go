package contract

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// ValidateRequest checks r against the operation it resolves to: security (credential
// presence only), parameters, and body. It returns nil or an *Error with every problem.
// r's body stays readable: it is read through r.GetBody when set (nothing is buffered),
// otherwise it is buffered once and r.Body/r.GetBody are replaced by readers over that
// buffer. Multipart and binary bodies are streamed: file parts are skipped, never held.
//
// A body that must be buffered (GetBody unset: a server request) is read only up to the
// operation's limit (DefaultMaxBodyBytes, or more when the spec declares a larger
// request; see [MiddlewareOptions.MaxBodyBytes]); a longer one is one problem with rule
// RuleBodyTooLarge.
//
// Labels HTTP libraries pick are judged by the bytes behind them (RuleContentTypeLabel,
// drift): a JSON body labelled text/plain or unlabelled where only JSON is documented,
// and an unlabelled or application/octet-stream file part whose bytes sniff as a type
// its encoding lists.
func (s *Spec) ValidateRequest(r *http.Request) error {
	m, ok := s.find(r)
	if !ok {
		return &Error{Spec: s.Name, Problems: []Problem{noRoute(r, s)}}
	}
	var max int64
	if r.GetBody == nil {
		max = m.route.bodyLimit(DefaultMaxBodyBytes)
	}
	return m.validateRequest(r, max)
}

// ValidateResponse checks a response to r: the status must be documented, then headers
// and body must match. Unknown properties and enum values are drift (Problem.Drift).
func (s *Spec) ValidateResponse(r *http.Request, status int, h http.Header, body []byte) error {
	m, ok := s.find(r)
	if !ok {
		return &Error{Spec: s.Name, Problems: []Problem{noRoute(r, s)}}
	}
	return m.validateResponse(r, status, h, body)
}

// validateRequest checks r; max > 0 bounds how much of the body is read (see snapshot).
func (m matchResult) validateRequest(r *http.Request, max int64) error {
	b := &problemBuilder{op: m.route.opID}
	op := m.route.kin.Operation
	ct := r.Header.Get("Content-Type")
	mediaType, params, _ := mime.ParseMediaType(ct)

	var reqBody *openapi3.RequestBody
	if op.RequestBody != nil {
		reqBody = op.RequestBody.Value
	}
	hasBody := r.Body != nil && r.Body != http.NoBody
	var mt *openapi3.MediaType
	if reqBody != nil {
		mt = reqBody.Content.Get(ct)
	}
	// A body labelled text/plain (or not at all) where only JSON is documented is read by
	// its bytes: see RuleContentTypeLabel.
	relabelled := false
	if hasBody && mt == nil {
		if mt = relabelledJSON(reqBody, mediaType); mt != nil {
			relabelled = true
		}
	}
	streamed := hasBody && reqBody != nil && !relabelled && isStreamedBody(mediaType, mt)
	form := hasBody && mt != nil && mediaType == "application/x-www-form-urlencoded"
	jsonBody := hasBody && reqBody != nil && (isJSON(mediaType) || relabelled)
	ownBody := streamed || form || jsonBody

	var data []byte
	if hasBody && !streamed {
		var err error
		if data, err = snapshot(r, max); err != nil {
			addReadError(b, err, max)
			return asError(m.spec.Name, b.out)
		}
	}
	// kin-openapi checks security and parameters (and other bodies) on a shallow copy.
	// It reads the whole body for the security check and again for the body check, so it
	// only sees a body we do not check ourselves.
	kr := r.WithContext(r.Context())
	kr.Body, kr.GetBody = http.NoBody, nil
	if hasBody && !ownBody {
		kr.Body = io.NopCloser(bytes.NewReader(data))
		kr.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		kr.ContentLength = int64(len(data))
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    kr,
		PathParams: m.params,
		Route:      m.route.kin,
		Options:    filterOptions(ownBody, false),
	}
	b.fromError(openapi3filter.ValidateRequest(r.Context(), in))
	m.checkParamFormats(b, kr)

	switch {
	case streamed:
		m.validateStreamedBody(b, r, max, reqBody, ct, mediaType, params)
	case form:
		validateForm(b, data, reqBody, mt)
	case jsonBody:
		if mt == nil {
			b.add("header.content-type", RuleContentType, "request content type is not declared for this operation", false)
			break
		}
		if relabelled && !checkRelabelledJSON(b, data, mediaType) {
			break
		}
		if len(data) == 0 {
			if reqBody.Required {
				b.add("body", RuleRequired, requiredMessage("body"), false)
			}
			break
		}
		// Unknown request properties are violations, not drift: the request is ours to get
		// right, and a property the vendor does not document is usually a typo.
		checkJSON(m.spec, b, data, mt.Schema, sideRequest, func(loc, name string) {
			b.add(loc+"."+name, RuleAdditionalProperties, "property is not in the spec", false)
		})
	}
	return asError(m.spec.Name, b.out)
}

func (m matchResult) validateResponse(r *http.Request, status int, h http.Header, body []byte) error {
	b := &problemBuilder{op: m.route.opID, response: true}
	if h == nil {
		h = http.Header{}
	}
	ct := h.Get("Content-Type")
	mediaType, _, _ := mime.ParseMediaType(ct)
	// A body still compressed (the caller asked for gzip itself) cannot be read here: its
	// status, headers and content type are still checked.
	encoded := h.Get("Content-Encoding") != "" && !strings.EqualFold(h.Get("Content-Encoding"), "identity")
	ownBody := (isJSON(mediaType) || encoded) && r.Method != http.MethodHead && !unvalidatedStatus(status)

	kr := r.WithContext(r.Context())
	kr.Body, kr.GetBody = http.NoBody, nil
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    kr,
			PathParams: m.params,
			Route:      m.route.kin,
			Options:    filterOptions(true, ownBody),
		},
		Status:  status,
		Header:  h,
		Options: filterOptions(true, ownBody),
	}
	in.SetBodyBytes(body)
	b.fromError(openapi3filter.ValidateResponse(r.Context(), in))

	if ownBody && !encoded {
		// JSON bodies are decoded once here, for the schema check and the drift walk.
		ref := responseRef(m.route.kin.Operation, status)
		if ref != nil && ref.Value != nil && len(ref.Value.Content) > 0 {
			if mt := ref.Value.Content.Get(ct); mt == nil {
				b.add("header.content-type", RuleContentType, "response content type is not declared for this status", false)
			} else {
				checkJSON(m.spec, b, body, mt.Schema, sideResponse, func(loc, name string) {
					b.add(loc+"."+name, RuleAdditionalProperties,
						"property is not in the spec (the vendor may have added it)", true)
				})
			}
		}
	}
	return asError(m.spec.Name, b.out)
}

// checkJSON decodes a JSON body once, checks it against schema and walks it for
// properties the schema does not list. The schema check asks the compiled fast path
// first and kin-openapi's VisitJSON only when that does not accept the body, so every
// Problem is still kin-openapi's (see fastpath.go).
func checkJSON(s *Spec, b *problemBuilder, data []byte, schema *openapi3.SchemaRef, sd side, unknown func(loc, name string)) {
	if schema == nil || schema.Value == nil {
		return
	}
	v, err := decodeJSON(data)
	if err != nil {
		b.add("body", RuleDecode, "body is not valid JSON", false)
		return
	}
	opts := requestSchemaOptions
	if sd == sideResponse {
		opts = responseSchemaOptions
	}
	if s.fastValid(schema.Value, sd, v) {
		if fastCrossCheck {
			if err := schema.Value.VisitJSON(v, opts...); err != nil {
				panic("contract: the fast path accepted a body kin-openapi refuses (spec " + s.Name + ")")
			}
		}
	} else if err := schema.Value.VisitJSON(v, opts...); err != nil {
		b.fromSchemaErrors("body", err)
	}
	unknownProperties(s, v, schema, "body", unknown)
}

// The schema options of a body check, per side, built once.
var (
	requestSchemaOptions  = append([]openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsRequest()}, schemaOptions...)
	responseSchemaOptions = append([]openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsResponse()}, schemaOptions...)
)

// unvalidatedStatus mirrors the statuses kin-openapi never validates.
func unvalidatedStatus(status int) bool {
	switch status {
	case http.StatusNotModified, http.StatusPermanentRedirect, http.StatusTemporaryRedirect, http.StatusMovedPermanently:
		return true
	}
	return false
}

// responseRef returns the response documented for status, or the default one.
func responseRef(op *openapi3.Operation, status int) *openapi3.ResponseRef {
	if op.Responses == nil {
		return nil
	}
	if ref := op.Responses.Status(status); ref != nil {
		return ref
	}
	return op.Responses.Default()
}

func isJSON(mediaType string) bool {
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

// decodeJSON uses json.Unmarshal rather than a json.Decoder: the decoder copies the whole
// body into its own growing buffer, which matters for base64 images inside JSON.
func decodeJSON(data []byte) (any, error) {
	var v any
	err := json.Unmarshal(data, &v)
	return v, err
}

// snapshot returns r's body and leaves r readable: through GetBody when the caller set it
// (r.Body untouched), else by buffering r.Body once and replacing it. max > 0 bounds the
// read: a longer body gives errBodyTooLarge after reading at most max+1 bytes.
func snapshot(r *http.Request, max int64) ([]byte, error) {
	if r.GetBody != nil {
		rc, err := r.GetBody()
		if err == nil {
			defer rc.Close()
			return readAllSized(rc, r.ContentLength, max)
		}
	}
	data, err := readAllSized(r.Body, r.ContentLength, max)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	return data, nil
}

// bodyReader returns a fresh reader of r's body for a streaming check, buffering r.Body
// only when it cannot be replayed (GetBody unset) — one copy, sized from ContentLength
// and bounded by max as in snapshot.
func bodyReader(r *http.Request, max int64) (io.ReadCloser, error) {
	if r.GetBody != nil {
		if rc, err := r.GetBody(); err == nil {
			return rc, nil
		}
	}
	if _, err := snapshot(r, max); err != nil {
		return nil, err
	}
	return r.GetBody()
}

// checkParamFormats checks string formats of parameters against our format validators:
// kin-openapi's parameter validation does not take per-validation format options.
func (m matchResult) checkParamFormats(b *problemBuilder, r *http.Request) {
	check := func(p *openapi3.Parameter) {
		if p == nil || p.Schema == nil || p.Schema.Value == nil {
			return
		}
		sch := p.Schema.Value
		isArray := sch.Type.Is(openapi3.TypeArray)
		if isArray && sch.Items != nil && sch.Items.Value != nil {
			sch = sch.Items.Value
		}
		f, ok := stringFormats[sch.Format]
		if !ok {
			return
		}
		var values []string
		switch p.In {
		case openapi3.ParameterInPath:
			if v, ok := m.params[p.Name]; ok {
				values = []string{v}
			}
		case openapi3.ParameterInQuery:
			values = r.URL.Query()[p.Name]
		case openapi3.ParameterInHeader:
			values = r.Header.Values(p.Name)
		case openapi3.ParameterInCookie:
			if c, err := r.Cookie(p.Name); err == nil {
				values = []string{c.Value}
			}
		}
		if isArray && (p.Explode == nil || !*p.Explode) && len(values) == 1 {
			values = strings.Split(values[0], ",")
		}
		for _, v := range values {
			if v != "" && f.Validate(v) != nil {
				name := p.Name
				if p.In == openapi3.ParameterInHeader {
					name = strings.ToLower(name)
				}
				b.add(p.In+"."+name, RuleFormat, "must be a valid "+`"`+sch.Format+`"`+" string", false)
				return
			}
		}
	}
	op := m.route.kin.Operation
	for _, p := range m.route.kin.PathItem.Parameters {
		if op.Parameters.GetByInAndName(p.Value.In, p.Value.Name) == nil {
			check(p.Value)
		}
	}
	for _, p := range op.Parameters {
		check(p.Value)
	}
}
