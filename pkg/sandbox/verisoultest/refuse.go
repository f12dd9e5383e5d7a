package verisoultest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

// MaxBodyBytes bounds the body of every Verisoul API call. Verisoul's requests are small
// JSON objects (a session id and an account id), so the contract kit's default is ample.
const MaxBodyBytes = contract.DefaultMaxBodyBytes

// Body bounds of the control endpoints: complete takes base64 images, the rest take a
// small JSON object or nothing.
const (
	controlImageBodyBytes = 8 << 20
	controlBodyBytes      = 64 << 10
)

// refuse answers, in Verisoul's own shapes, every request the contract middleware turns
// away, with a status the spec documents for the operation:
//
//   - 400 (the request breaks the spec): the operation's own 400 body, with the code the
//     vendor uses for a request it cannot act on: missing_project_id on the public
//     redirect, account_not_found when only verify-identity's account_id is at fault,
//     session_not_found otherwise. A keyed call without a valid x-api-key gets 401 first,
//     as Verisoul's gateway checks the key before the body.
//   - 404 (no such route), 413 (body too large), 500 (the emulator's own answer broke the
//     spec): the gateway's {message} body.
func (e *Emulator) refuse(w http.ResponseWriter, r *http.Request, ref contract.Refusal) {
	status := ref.Status
	var body any = gatewayBody(status)
	if status == http.StatusBadRequest {
		switch {
		case isRedirect(ref.Operation):
			body = facematch.RedirectError{Error: ptr(facematch.RedirectErrorCodeMissingProjectId)}
		case ref.Operation != "" && !e.knownKey(r.Header.Get("x-api-key")):
			status = http.StatusUnauthorized
			body = gatewayBody(status)
		default:
			body = e.badRequest(ref)
		}
	}
	sandbox.WriteJSON(w, status, body)
}

func isRedirect(op string) bool { return op == "redirectToFaceMatch" || op == "redirectToIDCheck" }

func (e *Emulator) knownKey(key string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.byKey[key]
	return ok && key != ""
}

// badRequest is a keyed operation's 400 body for a request that breaks the spec.
func (e *Emulator) badRequest(ref contract.Refusal) any {
	rid, no := ptr(requestID()), falsePtr()
	switch ref.Operation {
	case "createFaceMatchSession", "createIDCheckSession":
		return facematch.SessionError{RequestId: rid, Success: no, Error: ptr(facematch.SessionErrorCodeSessionNotFound)}
	case "enrollFaceMatch", "enrollIDCheck":
		return facematch.EnrollError{RequestId: rid, Success: no, Error: ptr(facematch.EnrollErrorCodeSessionNotFound)}
	case "verifyIdentityFaceMatch":
		code := facematch.VerifyIdentityErrorCodeSessionNotFound
		if onlyAbout(ref.Err, "account_id") {
			code = facematch.VerifyIdentityErrorCodeAccountNotFound
		}
		return facematch.VerifyIdentityError{RequestId: rid, Success: no, Error: ptr(code)}
	case "verifyFace", "verifyID", "verifyUniqueness", "verifyDocument":
		// verify-face and verify-id share the error body and these codes, and so do their
		// legacy forms, verify-uniqueness and verify-document.
		return facematch.VerifyFaceError{RequestId: rid, Success: no, Error: ptr(facematch.VerifyFaceErrorCodeSessionNotFound)}
	}
	return gatewayBody(http.StatusBadRequest)
}

// onlyAbout reports whether every violation in e concerns the named body field.
func onlyAbout(e *contract.Error, field string) bool {
	if e == nil {
		return false
	}
	vs := e.Violations()
	for _, p := range vs {
		if !strings.Contains(p.Location, field) && !strings.Contains(p.Message, field) {
			return false
		}
	}
	return len(vs) > 0
}

// limitBody refuses, with 413 in the control endpoints' JSON shape, a body over limit(r):
// a declared Content-Length before anything is read, a body of unknown length after
// limit+1 bytes, so even a route that ignores bodies turns a huge one away.
func limitBody(limit func(*http.Request) int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		max := limit(r)
		if r.ContentLength > max {
			tooLarge(w, max)
			return
		}
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength < 0 {
			data, err := io.ReadAll(io.LimitReader(r.Body, max+1))
			switch {
			case err != nil:
				sandbox.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_body", "message": "request body cannot be read"})
				return
			case int64(len(data)) > max:
				tooLarge(w, max)
				return
			}
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(data)), int64(len(data))
		} else {
			r.Body = http.MaxBytesReader(w, r.Body, max)
		}
		next.ServeHTTP(w, r)
	})
}

func tooLarge(w http.ResponseWriter, max int64) {
	w.Header().Set("Connection", "close") // the rest of the body is never read
	sandbox.WriteJSON(w, http.StatusRequestEntityTooLarge, map[string]string{
		"error": "body_too_large", "message": fmt.Sprintf("request body is larger than this endpoint's limit of %d bytes", max)})
}

// mountPrefix is the path the emulator is mounted under, for links it makes to itself:
// http.StripPrefix (as `idvkit sandbox serve` mounts it at /verisoul) trims r.URL.Path
// but leaves r.RequestURI as the client sent it, so the prefix is their difference.
func mountPrefix(r *http.Request) string {
	if r.RequestURI == "" {
		return ""
	}
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil || !strings.HasSuffix(u.Path, r.URL.Path) {
		return ""
	}
	prefix := strings.TrimSuffix(u.Path, r.URL.Path)
	if prefix == "" || !strings.HasPrefix(prefix, "/") || strings.HasSuffix(prefix, "/") ||
		strings.Contains(prefix, "//") || strings.Contains(prefix, "/..") {
		return ""
	}
	return prefix
}
