package iproovtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/iproov/claim"
	"github.com/idvkit/idvkit/pkg/contract"
)

// iProov's field formats, as its error descriptions state them (and as the spec's
// patterns repeat them).
var (
	userIDPattern = regexp.MustCompile(`^[a-zA-Z0-9'+_@.-]{1,256}$`)
	riskPattern   = regexp.MustCompile(`^[a-zA-Z0-9_-]{0,100}$`)
	reasonPattern = regexp.MustCompile(`^[a-zA-Z0-9_.:=()’'"/\s]{1,800}$`)
	grantPattern  = regexp.MustCompile(`^[a-zA-Z0-9_.-]{0,30}$`)
	scopePattern  = regexp.MustCompile(`^[a-zA-Z0-9_.-]{0,100}$`)
)

func validUserID(s string) bool { return userIDPattern.MatchString(s) }

// vendorRules answers requests that break iProov's field rules with iProov's own error
// codes. Such requests break the spec too, and the contract middleware behind this layer
// would answer them with a generic invalid_request; a sandbox must teach the
// integrator's error handling the vendor's codes (invalid_source, invalid_user_id,
// missing_data, ...). Every answer made here is still checked against the spec before it
// is sent. The body arrives bounded by the operation's limit (see buildHandler).
func (e *Emulator) vendorRules(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, ok := e.spec.FindOperation(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		var data []byte
		if r.Body != nil && r.Body != http.NoBody {
			var err error
			data, err = io.ReadAll(r.Body)
			_ = r.Body.Close()
			var tooLarge *http.MaxBytesError
			switch {
			case errors.As(err, &tooLarge):
				w.Header().Set("Connection", "close")
				e.writeFailure(w, r, errTooLarge)
				return
			case err != nil:
				e.writeFailure(w, r, fail(400, "invalid_request", "The request could not be read"))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(data))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
			r.ContentLength = int64(len(data))
		}
		if f := e.precheck(op, r, data); f != nil {
			e.writeFailure(w, r, f)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// precheck returns iProov's answer to a request whose fields break iProov's rules, or nil.
// Credentials are judged first, as a gateway would.
func (e *Emulator) precheck(op string, r *http.Request, data []byte) *failure {
	switch op {
	case "userEnrolServerToken", "userVerifyServerToken":
		m, ok := jsonObject(data)
		if !ok {
			return nil
		}
		if !e.validCredentials(str(m, "api_key"), str(m, "secret")) {
			return errInvalidKey
		}
		if trimmed(str(m, "resource")) == "" {
			return errMissingData
		}
		if !validUserID(str(m, "user_id")) {
			return fail(400, "invalid_user_id", "The user_id is missing or malformed")
		}
		if v, has := m["assurance_type"]; has {
			if s, _ := v.(string); !claim.AssuranceType(s).Valid() {
				return errAssuranceType
			}
		}
		if v, has := m["risk_profile"]; has {
			if s, isStr := v.(string); !isStr || !riskPattern.MatchString(s) {
				return errRiskAppetite
			}
		}
	case "userEnrolValidate", "userVerifyValidate":
		m, ok := jsonObject(data)
		if !ok {
			return nil
		}
		if !e.validCredentials(str(m, "api_key"), str(m, "secret")) {
			return errInvalidKey
		}
		if !validUserID(str(m, "user_id")) {
			return fail(400, "invalid_user_id", "The user_id is missing or malformed")
		}
		// client is required but may be empty: iProov's schema sets no minimum length and
		// iProov's Retrofit client sends "" (see ClaimValidateRequest.client in the spec).
		if _, hasClient := m["client"].(string); str(m, "token") == "" || !hasClient {
			return errMissingData
		}
		if v, has := m["risk_profile"]; has {
			if s, isStr := v.(string); !isStr || !riskPattern.MatchString(s) {
				return errRiskAppetite
			}
		}
		if v, has := m["ip"]; has {
			if s, _ := v.(string); net.ParseIP(s) == nil || net.ParseIP(s).To4() == nil || strings.Contains(s, ":") {
				return fail(400, "invalid_request", "ip is not an IPv4 address")
			}
		}
	case "userEnrolImage":
		return e.precheckEnrolImage(r, data)
	case "invalidateToken":
		m, ok := jsonObject(data)
		if !ok {
			return nil
		}
		reason, has := m["reason"]
		s, _ := reason.(string)
		if !has || trimmed(s) == "" {
			return errMissingData
		}
		if !reasonPattern.MatchString(s) {
			return fail(400, "invalid_reason", "reason contains characters that are not allowed")
		}
	case "generateToken":
		if _, ok := e.provider(segmentFromEnd(r, 1)); !ok {
			return nil // the handler answers iProov's 500 invalid_key
		}
		if _, _, ok := r.BasicAuth(); !ok {
			return errInvalidClient
		}
		form, err := url.ParseQuery(string(data))
		if err != nil {
			return fail(400, "invalid_request", "The form could not be read")
		}
		grant, has := form["grant_type"]
		switch {
		case !has || grant[0] == "":
			return fail(400, "invalid_request", "grant_type is missing")
		case !grantPattern.MatchString(grant[0]):
			return fail(400, "invalid_grant", "grant_type is malformed")
		}
		for _, sc := range form["scope"] {
			if !scopePattern.MatchString(sc) {
				if strings.ContainsAny(sc, " ,") {
					continue // a list in one field: the handler splits it
				}
				return fail(400, "invalid_scope", "scope is malformed")
			}
		}
	case "userGet", "userUpdate", "userDelete", "userActivate", "userSuspend":
		if _, ok := bearer(r); !ok {
			return errInvalidOAuth
		}
		seg := 0
		if op == "userActivate" || op == "userSuspend" {
			seg = 1
		}
		if !validUserID(segmentFromEnd(r, seg)) {
			return fail(400, "invalid_user_id", "The user_id is malformed")
		}
		m, ok := jsonObject(data)
		if !ok {
			return nil
		}
		if op == "userUpdate" {
			_, hasID := m["user_id"]
			_, hasName := m["name"]
			if !hasID && !hasName {
				return errMissingData
			}
			if hasID && !validUserID(str(m, "user_id")) {
				return fail(400, "invalid_user_id", "The new user_id is malformed")
			}
		}
		if v, has := m["date_time"]; has {
			s, _ := v.(string)
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				return fail(400, "invalid_request", "date_time is not a date-time")
			}
		}
	case "platformAvailable":
		if r.URL.Query().Get("api_key") == "" {
			return errMissingData
		}
	}
	return nil
}

func (e *Emulator) precheckEnrolImage(r *http.Request, data []byte) *failure {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil
	}
	form, err := parseEnrolImage(multipart.NewReader(bytes.NewReader(data), params["boundary"]))
	if err != nil {
		return nil
	}
	if !e.validCredentials(form.apiKey, form.secret) {
		return errInvalidKey
	}
	if form.token == "" {
		return errMissingData
	}
	if form.hasSource && !claim.ImageSource(form.source).Valid() {
		return errInvalidSource
	}
	if !form.hasImage || form.tooLarge || !isEnrolImage(form.image) || !imagePartType(form.imageType) {
		return errEnrolImage
	}
	return nil
}

// imagePartType accepts the part types the spec's encoding lists (application/octet-stream
// is how Spring and Go's CreateFormFile label a byte array); a part without a type is
// judged by its bytes alone, and every image by its bytes as well.
func imagePartType(ct string) bool {
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "image/png", "image/jpeg", "image/jp2", "application/octet-stream":
		return true
	}
	return false
}

func jsonObject(data []byte) (map[string]any, bool) {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// segmentFromEnd returns the unescaped path segment n places before the last one.
func segmentFromEnd(r *http.Request, n int) string {
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	if len(segs) < n+1 {
		return ""
	}
	s, err := url.PathUnescape(segs[len(segs)-1-n])
	if err != nil {
		return ""
	}
	return s
}

// writeFailure answers f in iProov's error envelope, after checking the answer against
// the spec like the contract middleware checks the generated handlers' answers. An
// answer the spec does not document is a bug of the emulator: it is reported and
// replaced by iProov's 500 server_error. A request no operation matches (a 413 before
// routing) has no documentation to check against.
func (e *Emulator) writeFailure(w http.ResponseWriter, r *http.Request, f *failure) {
	body := envelope(f.code, f.desc)
	h := http.Header{"Content-Type": {"application/json"}}
	if f.status == http.StatusTooManyRequests {
		h.Set("Retry-After", "1")
	}
	if _, routed := e.spec.FindOperation(r); routed {
		if err := e.spec.ValidateResponse(r, f.status, h, body); err != nil {
			var cerr *contract.Error
			if errors.As(err, &cerr) && !cerr.DriftOnly() {
				if e.cfg.onProblem != nil {
					e.cfg.onProblem(cerr)
				}
				e.cfg.logger.Error("iproov sandbox: rule answer violates the spec", "problems", cerr.Problems)
				f, body = errServer, envelope(errServer.code, errServer.desc)
			}
		}
	}
	for k, v := range h {
		w.Header()[k] = v
	}
	w.WriteHeader(f.status)
	_, _ = w.Write(body)
}
