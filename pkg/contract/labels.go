package contract

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// RuleContentTypeLabel: a body or multipart part whose Content-Type label is missing or
// generic (text/plain on a JSON body, application/octet-stream or nothing on an image
// part) while its bytes are what the spec documents. HTTP libraries pick these labels,
// not integrators — iProov's Android Fuel client sends JSON as text/plain, Python
// requests labels no file part, Go's CreateFormFile and Spring label every file
// application/octet-stream — and the vendors read the bytes. So it is drift (reported,
// never enforced); bytes that are not what the spec documents stay a violation.
const RuleContentTypeLabel = "content-type-label"

// sniffBytes is how much of a part http.DetectContentType looks at.
const sniffBytes = 512

// relabelledJSON returns the JSON media type of an operation whose request body is
// documented only as JSON, when the body arrived labelled text/plain or not labelled at
// all (mediaType ""); otherwise nil. Whether the bytes are JSON is decided by the caller.
func relabelledJSON(reqBody *openapi3.RequestBody, mediaType string) *openapi3.MediaType {
	if reqBody == nil || (mediaType != "" && mediaType != "text/plain") || len(reqBody.Content) != 1 {
		return nil
	}
	for name, mt := range reqBody.Content {
		if isJSON(name) {
			return mt
		}
	}
	return nil
}

// checkRelabelledJSON reports a JSON body sent under a text/plain (or no) label: drift
// when the bytes are JSON, else the content-type violation the label alone would get.
// It returns whether the body should be checked as JSON.
func checkRelabelledJSON(b *problemBuilder, data []byte, mediaType string) bool {
	if len(data) > 0 && !json.Valid(data) {
		b.add("header.content-type", RuleContentType, "request content type is not declared for this operation", false)
		return false
	}
	label := "no content type"
	if mediaType != "" {
		label = mediaType
	}
	if len(data) > 0 {
		b.add("header.content-type", RuleContentTypeLabel, "JSON body labelled "+label+" (the operation documents application/json)", true)
	}
	return true
}

// sniffablePart reports whether a part's label says nothing about its bytes, so that its
// content type is judged by them: no Content-Type, or application/octet-stream.
func sniffablePart(partMedia string) bool {
	return partMedia == "" || partMedia == "application/octet-stream"
}

// sniffPart reads up to sniffBytes of a part and returns its detected media type (without
// parameters) and the bytes read, which the caller still has to account for.
func sniffPart(r io.Reader) (string, []byte, error) {
	buf := make([]byte, sniffBytes)
	n, err := io.ReadFull(r, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	if err != nil {
		return "", nil, err
	}
	buf = buf[:n]
	if n == 0 {
		return "", buf, nil
	}
	sniffed, _, _ := strings.Cut(http.DetectContentType(buf), ";")
	if sniffed == "application/octet-stream" && isJPEG2000(buf) {
		sniffed = "image/jp2" // iProov enrols JPEG 2000; http.DetectContentType does not know it
	}
	return sniffed, buf, nil
}

// isJPEG2000 matches the JP2 signature box (ISO/IEC 15444-1 I.5.1) or a bare codestream's
// SOC and SIZ markers.
func isJPEG2000(b []byte) bool {
	return bytes.HasPrefix(b, []byte("\x00\x00\x00\x0cjP  \r\n\x87\n")) || bytes.HasPrefix(b, []byte("\xff\x4f\xff\x51"))
}
