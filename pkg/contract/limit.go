package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// DefaultMaxBodyBytes bounds a request body the middleware reads when
// MiddlewareOptions.MaxBodyBytes is 0.
const DefaultMaxBodyBytes int64 = 4 << 20

// MaxBodyExtension, on an operation's requestBody, declares the largest body the
// operation takes, in bytes; it wins over a size derived from the schema's maxLength.
const MaxBodyExtension = "x-idvkit-max-body-bytes"

// bodySlack is added to a size derived from the schema: maxLength bounds the big fields
// (images), not the JSON or multipart framing around them or small unbounded fields.
const bodySlack = 64 << 10

// maxPrealloc bounds what a declared Content-Length makes us allocate, when no limit
// bounds it, before any byte arrives: the length is the sender's claim (eight claims of
// 1 GiB once took 10 GB of virtual memory). A longer body still reads, growing with the
// bytes really sent.
const maxPrealloc = 4 << 20

// maxDeclared caps a size summed from a schema, so that maxItems × maxLength cannot
// overflow.
const maxDeclared = 1 << 40

// errBodyTooLarge is returned by readAllSized for a body over its bound.
var errBodyTooLarge = errors.New("contract: request body too large")

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.Is(err, errBodyTooLarge) || errors.As(err, &mbe)
}

// addReadError records why a request body could not be read.
func addReadError(b *problemBuilder, err error, max int64) {
	if isTooLarge(err) {
		b.add("body", RuleBodyTooLarge, tooLargeMessage(max), false)
		return
	}
	b.add("body", RuleDecode, "request body cannot be read", false)
}

func tooLargeMessage(max int64) string {
	return fmt.Sprintf("request body is larger than this operation's limit of %d bytes", max)
}

// readAllSized reads rd to the end, allocating n (a declared length, at most limit or
// maxPrealloc) once instead of doubling. limit > 0 bounds the read: a declared length over
// limit fails at once, and at most limit+1 bytes are read before errBodyTooLarge; the
// buffer of a body of unknown length never grows past limit+1.
func readAllSized(rd io.Reader, n, limit int64) ([]byte, error) {
	if limit > 0 {
		if n > limit {
			return nil, errBodyTooLarge
		}
		rd = io.LimitReader(rd, limit+1) // slices.Grow may round the capacity up
	}
	// With a limit, a declared length was checked against it above, so the allocation is
	// bounded by configuration; without one, by maxPrealloc.
	size := min(max(n, 0), maxPrealloc)
	if limit > 0 {
		size = max(n, 0)
	}
	// One spare byte lets the read see EOF without growing a buffer that the declared
	// length filled exactly.
	buf := make([]byte, 0, size+1)
	for {
		if len(buf) == cap(buf) {
			grow := int64(max(cap(buf), bytes.MinRead)) // doubling
			if limit > 0 {
				grow = min(grow, limit+1-int64(len(buf)))
			}
			buf = slices.Grow(buf, int(grow))
		}
		k, err := rd.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if limit > 0 && int64(len(buf)) > limit {
			return nil, errBodyTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// bodyLimit is the body limit of the route given the caller's base limit: the larger of
// base and what the spec declares for the operation.
func (rt *route) bodyLimit(base int64) int64 {
	return max(base, rt.declaredBody)
}

// declaredBodyBytes is the largest request body an operation's spec declares: the
// MaxBodyExtension on its requestBody, else the summed maxLength of its string fields
// (base64 images in JSON, binary parts) plus bodySlack; 0 when it declares no size.
// Arrays count maxItems times (once without maxItems); oneOf/anyOf count their largest
// member.
func declaredBodyBytes(op *openapi3.Operation) int64 {
	if op == nil || op.RequestBody == nil || op.RequestBody.Value == nil {
		return 0
	}
	rb := op.RequestBody.Value
	if v, ok := extensionBytes(rb.Extensions[MaxBodyExtension]); ok {
		return v
	}
	var most int64
	for _, mt := range rb.Content {
		if mt == nil || mt.Schema == nil {
			continue
		}
		most = max(most, schemaBytes(mt.Schema.Value, map[*openapi3.Schema]bool{}))
	}
	if most == 0 {
		return 0
	}
	return satAdd(most, bodySlack)
}

// extensionBytes reads an extension's value as a positive byte count; the loader gives
// numbers as float64 (or json.Number, depending on how the spec was read).
func extensionBytes(v any) (int64, bool) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	case uint64:
		f = float64(x)
	case json.Number:
		n, err := x.Float64()
		if err != nil {
			return 0, false
		}
		f = n
	default:
		return 0, false
	}
	if f <= 0 || math.IsNaN(f) || f > maxDeclared {
		return 0, false
	}
	return int64(f), true
}

// schemaBytes sums the declared maxLength of a schema's strings; onStack cuts recursive
// schemas.
func schemaBytes(s *openapi3.Schema, onStack map[*openapi3.Schema]bool) int64 {
	if s == nil || onStack[s] {
		return 0
	}
	onStack[s] = true
	defer delete(onStack, s)
	var n int64
	if s.MaxLength != nil {
		n = satAdd(n, int64(min(*s.MaxLength, maxDeclared)))
	}
	for _, p := range s.Properties {
		if p != nil {
			n = satAdd(n, schemaBytes(p.Value, onStack))
		}
	}
	if ap := s.AdditionalProperties.Schema; ap != nil {
		n = satAdd(n, schemaBytes(ap.Value, onStack))
	}
	if s.Items != nil {
		times := int64(1)
		if s.MaxItems != nil {
			times = int64(min(*s.MaxItems, maxDeclared))
		}
		n = satAdd(n, satMul(schemaBytes(s.Items.Value, onStack), times))
	}
	for _, ref := range s.AllOf {
		if ref != nil {
			n = satAdd(n, schemaBytes(ref.Value, onStack))
		}
	}
	var alt int64
	for _, refs := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
		for _, ref := range refs {
			if ref != nil {
				alt = max(alt, schemaBytes(ref.Value, onStack))
			}
		}
	}
	return satAdd(n, alt)
}

func satAdd(a, b int64) int64 { return min(a+b, maxDeclared) } // both ≤ maxDeclared: no overflow

func satMul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > maxDeclared/b {
		return maxDeclared
	}
	return min(a*b, maxDeclared)
}
