package contract

import (
	"bytes"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxFieldBytes caps a non-file multipart field: text fields are small, and anything
// larger is read as a file would be, never held.
const maxFieldBytes = 1 << 20

// isStreamedBody reports whether a request body is checked by streaming it instead of
// by kin-openapi, which reads the whole body into memory (twice, with security checks)
// and copies every file part into a string.
func isStreamedBody(mediaType string, mt *openapi3.MediaType) bool {
	if mediaType == "multipart/form-data" {
		return true
	}
	if mt != nil && mt.Schema != nil && isBinarySchema(mt.Schema.Value) {
		return true
	}
	return isFileMedia(mediaType)
}

func isFileMedia(mediaType string) bool {
	return mediaType == "application/octet-stream" || mediaType == "application/pdf" ||
		strings.HasPrefix(mediaType, "image/") || strings.HasPrefix(mediaType, "video/") ||
		strings.HasPrefix(mediaType, "audio/")
}

func isBinarySchema(s *openapi3.Schema) bool {
	return s != nil && s.Type.Is(openapi3.TypeString) && s.Format == "binary"
}

// validateStreamedBody checks a multipart or binary request body in one pass: declared
// content type, part names, declared part content types and required part headers, and
// the non-file fields against the schema. File parts are counted and discarded.
func (m matchResult) validateStreamedBody(b *problemBuilder, r *http.Request, max int64, reqBody *openapi3.RequestBody, ct, mediaType string, params map[string]string) {
	mt := reqBody.Content.Get(ct)
	if mt == nil {
		b.add("header.content-type", RuleContentType, "request content type is not declared for this operation", false)
		return
	}
	rc, err := bodyReader(r, max)
	if err != nil {
		addReadError(b, err, max)
		return
	}
	defer rc.Close()

	if mediaType != "multipart/form-data" {
		n, err := io.Copy(io.Discard, rc)
		if err != nil {
			b.add("body", RuleDecode, "request body cannot be read", false)
			return
		}
		if n == 0 && reqBody.Required {
			b.add("body", RuleRequired, requiredMessage("body"), false)
		}
		return
	}

	boundary := params["boundary"]
	if boundary == "" {
		b.add("header.content-type", RuleContentType, "multipart body without a boundary parameter", false)
		return
	}
	if mt.Schema == nil || mt.Schema.Value == nil {
		_, _ = io.Copy(io.Discard, rc)
		return
	}
	schema := mt.Schema.Value
	values := map[string]any{}
	files := map[string]bool{}
	parts := 0
	mr := multipart.NewReader(rc, boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.add("body", RuleDecode, "malformed multipart body", false)
			break
		}
		parts++
		name := part.FormName()
		loc := "body." + name
		prop, open := multipartProperty(schema, name)
		if prop == nil {
			if !open {
				b.add(loc, RuleAdditionalProperties, "part is not in the spec", false)
			}
			_, _ = io.Copy(io.Discard, part)
			continue
		}
		item, isArray := prop, false
		if prop.Type.Is(openapi3.TypeArray) && prop.Items != nil && prop.Items.Value != nil {
			item, isArray = prop.Items.Value, true
		}
		partCT := part.Header.Get("Content-Type")
		partMedia, _, _ := mime.ParseMediaType(partCT)
		var body io.Reader = part // the part, after any bytes sniffed from it
		if enc := mt.Encoding[name]; enc != nil {
			if enc.ContentType != "" && !contentTypeAllowed(partMedia, enc.ContentType) {
				// An unlabelled or octet-stream part is judged by its bytes (see
				// RuleContentTypeLabel).
				sniffed := ""
				if sniffablePart(partMedia) {
					var head []byte
					var err error
					if sniffed, head, err = sniffPart(part); err != nil {
						b.add(loc, RuleDecode, "part cannot be read", false)
						continue
					}
					body = io.MultiReader(bytes.NewReader(head), part)
				}
				switch {
				case sniffed != "" && contentTypeAllowed(sniffed, enc.ContentType):
					label := "no content type"
					if partMedia != "" {
						label = partMedia
					}
					b.add(loc, RuleContentTypeLabel, "part labelled "+label+" holds "+sniffed+" bytes", true)
					partMedia = sniffed
				default:
					b.add(loc, RuleContentType, "part content type must be one of "+enc.ContentType, false)
				}
			}
			for h, ref := range enc.Headers {
				if ref != nil && ref.Value != nil && ref.Value.Required && part.Header.Get(h) == "" {
					b.add(loc+".header."+strings.ToLower(h), RuleRequired, "required part header is missing", false)
				}
			}
		}

		var v any
		if isBinarySchema(item) || isFileMedia(partMedia) {
			if _, err := io.Copy(io.Discard, body); err != nil {
				b.add(loc, RuleDecode, "part cannot be read", false)
			}
			files[name] = true
			v = "" // placeholder: file properties are erased from the schema check below
		} else {
			data, err := io.ReadAll(io.LimitReader(body, maxFieldBytes+1))
			switch {
			case err != nil:
				b.add(loc, RuleDecode, "part cannot be read", false)
				continue
			case len(data) > maxFieldBytes:
				_, _ = io.Copy(io.Discard, body)
				b.add(loc, RuleTooLarge, "text part is larger than 1 MiB", false)
				continue
			}
			var ok bool
			if v, ok = parseField(data, partMedia, item); !ok {
				b.add(loc, RuleType, "must be "+typeName(item), false)
				continue
			}
		}
		if isArray {
			list, _ := values[name].([]any)
			values[name] = append(list, v)
		} else {
			values[name] = v
		}
	}
	if parts == 0 {
		if reqBody.Required {
			b.add("body", RuleRequired, requiredMessage("body"), false)
		}
		return
	}
	check := eraseProperties(schema, files)
	opts := append([]openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsRequest()}, schemaOptions...)
	if err := check.VisitJSON(values, opts...); err != nil {
		b.fromSchemaErrors("body", err)
	}
}

// multipartProperty finds the schema of a part, looking through allOf members. open
// reports whether an unlisted part is allowed anyway.
func multipartProperty(schema *openapi3.Schema, name string) (prop *openapi3.Schema, open bool) {
	cands := expand([]*openapi3.Schema{schema})
	for _, c := range cands {
		if p := c.Properties[name]; p != nil && p.Value != nil {
			return p.Value, true
		}
	}
	for _, c := range cands {
		ap := c.AdditionalProperties
		switch {
		case ap.Schema != nil && ap.Schema.Value != nil:
			return ap.Schema.Value, true
		case ap.Has != nil && *ap.Has, freeForm(c):
			open = true
		}
	}
	return nil, open
}

// eraseProperties returns a shallow copy of schema (and of its allOf members) whose named
// properties accept anything: file parts were streamed past, not kept, so only their
// presence is checked (required).
func eraseProperties(schema *openapi3.Schema, names map[string]bool) *openapi3.Schema {
	if len(names) == 0 {
		return schema
	}
	cp := *schema
	if len(schema.Properties) > 0 {
		cp.Properties = maps.Clone(schema.Properties)
		for n := range names {
			if _, ok := cp.Properties[n]; ok {
				cp.Properties[n] = &openapi3.SchemaRef{Value: &openapi3.Schema{}}
			}
		}
	}
	if len(schema.AllOf) > 0 {
		cp.AllOf = make(openapi3.SchemaRefs, len(schema.AllOf))
		for i, ref := range schema.AllOf {
			if ref == nil || ref.Value == nil {
				cp.AllOf[i] = ref
				continue
			}
			cp.AllOf[i] = &openapi3.SchemaRef{Value: eraseProperties(ref.Value, names)}
		}
	}
	return &cp
}

// contentTypeAllowed matches a part's media type against an encoding's contentType, a
// comma-separated list that may use wildcards (image/*).
func contentTypeAllowed(got, list string) bool {
	for _, want := range strings.Split(list, ",") {
		want = strings.TrimSpace(want)
		if base, _, err := mime.ParseMediaType(want); err == nil {
			want = base
		}
		switch {
		case want == "*/*", strings.EqualFold(want, got):
			return true
		case strings.HasSuffix(want, "/*"):
			if t, _, ok := strings.Cut(got, "/"); ok && strings.EqualFold(t+"/*", want) {
				return true
			}
		}
	}
	return false
}

// parseField turns a text part into the JSON value its schema expects.
func parseField(data []byte, mediaType string, s *openapi3.Schema) (any, bool) {
	if isJSON(mediaType) {
		v, err := decodeJSON(data)
		return v, err == nil
	}
	str := string(data)
	switch {
	case s.Type.Is(openapi3.TypeInteger):
		n, err := strconv.ParseInt(strings.TrimSpace(str), 10, 64)
		return float64(n), err == nil
	case s.Type.Is(openapi3.TypeNumber):
		f, err := strconv.ParseFloat(strings.TrimSpace(str), 64)
		return f, err == nil
	case s.Type.Is(openapi3.TypeBoolean):
		v, err := strconv.ParseBool(strings.TrimSpace(str))
		return v, err == nil
	case s.Type.Is(openapi3.TypeObject), s.Type.Is(openapi3.TypeArray):
		v, err := decodeJSON(data)
		return v, err == nil
	}
	return str, true
}

func typeName(s *openapi3.Schema) string {
	if s.Type == nil || len(*s.Type) == 0 {
		return "a value"
	}
	t := (*s.Type)[0]
	switch t {
	case openapi3.TypeInteger, openapi3.TypeObject, openapi3.TypeArray:
		return "an " + t
	}
	return "a " + t
}

// validateForm checks an application/x-www-form-urlencoded body. kin-openapi has a
// decoder for it, but it drops a field it cannot parse ("age=three") and then reports it
// missing; here the field is kept so the problem is its type.
func validateForm(b *problemBuilder, data []byte, reqBody *openapi3.RequestBody, mt *openapi3.MediaType) {
	if len(data) == 0 {
		if reqBody.Required {
			b.add("body", RuleRequired, requiredMessage("body"), false)
		}
		return
	}
	if mt.Schema == nil || mt.Schema.Value == nil {
		return
	}
	form, err := url.ParseQuery(string(data))
	if err != nil {
		b.add("body", RuleDecode, "form body cannot be decoded", false)
		return
	}
	schema := mt.Schema.Value
	values := map[string]any{}
	keys := slices.Sorted(maps.Keys(form))
	for _, name := range keys {
		loc := "body." + name
		prop, open := multipartProperty(schema, name)
		if prop == nil {
			if !open {
				b.add(loc, RuleAdditionalProperties, "field is not in the spec", false)
			}
			continue
		}
		item, isArray := prop, false
		if prop.Type.Is(openapi3.TypeArray) && prop.Items != nil && prop.Items.Value != nil {
			item, isArray = prop.Items.Value, true
		}
		var list []any
		for _, raw := range form[name] {
			v, ok := parseField([]byte(raw), "", item)
			if !ok {
				b.add(loc, RuleType, "must be "+typeName(item), false)
				list = nil
				break
			}
			list = append(list, v)
		}
		switch {
		case list == nil:
		case isArray:
			values[name] = list
		default:
			values[name] = list[0]
		}
	}
	opts := append([]openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsRequest()}, schemaOptions...)
	if err := schema.VisitJSON(values, opts...); err != nil {
		before := len(b.out)
		b.fromSchemaErrors("body", err)
		// A field already reported for its type is not missing as well.
		kept := b.out[:before]
		for _, p := range b.out[before:] {
			if p.Rule == RuleRequired && hasProblemAt(b.out[:before], p.Location) {
				continue
			}
			kept = append(kept, p)
		}
		b.out = kept
	}
}

func hasProblemAt(ps []Problem, loc string) bool {
	for _, p := range ps {
		if p.Location == loc {
			return true
		}
	}
	return false
}
