package iproovtest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/idvkit/idvkit/gen/iproov/claim"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

// Errors of the end-user helpers, so tests can tell why a capture was refused.
var (
	ErrUnknownClaim = errors.New("iproov sandbox: no such claim token")
	ErrClaimExpired = errors.New("iproov sandbox: claim token expired before it was claimed")
	ErrClaimAborted = errors.New("iproov sandbox: claim was invalidated")
	ErrClaimUsed    = errors.New("iproov sandbox: claim was already captured or used")
)

// Capture is what the end user does in the iProov SDK with a claim token.
type Capture struct {
	// Face is the face shown, as named by sandbox.FaceImage. Ignored when Image is set.
	Face string
	// Image is an image of the face shown; sandbox.FaceOf decides whose face it is.
	Image []byte
	// LivenessFailure, when not empty, makes the liveness (or Genuine Presence) check fail
	// with this reason.
	LivenessFailure string
}

// StartCapture launches the SDK with token without finishing: the claim is in progress
// (validate answers invalid_token; invalidate informs the user).
func (e *Emulator) StartCapture(token string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	rec, err := e.capturable(token)
	if err != nil {
		return err
	}
	if rec.state == claimIssued {
		e.claimStarted(rec)
	}
	rec.state = claimStreaming
	return nil
}

// Capture claims token in the SDK and completes the capture as c says.
func (e *Emulator) Capture(token string, c Capture) error {
	face := c.Face
	if c.Image != nil {
		face = sandbox.FaceOf(c.Image)
	}
	if face == "" {
		return errors.New("iproov sandbox: a capture needs a face or an image")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	rec, err := e.capturable(token)
	if err != nil {
		return err
	}
	if rec.state == claimIssued {
		e.claimStarted(rec)
	}
	rec.state, rec.face, rec.liveFail = claimCaptured, face, c.LivenessFailure
	rec.updated = e.now()
	if e.cfg.frames {
		rec.image = c.Image // returned as the frame; otherwise the face name is all it takes
	}
	return nil
}

// CaptureFace completes the capture of token showing face (for example "alice").
func (e *Emulator) CaptureFace(token, face string) error {
	return e.Capture(token, Capture{Face: face})
}

// FailLiveness completes the capture of token with a failed liveness check; reason ""
// means ReasonLiveness.
func (e *Emulator) FailLiveness(token, face, reason string) error {
	if reason == "" {
		reason = ReasonLiveness
	}
	return e.Capture(token, Capture{Face: face, LivenessFailure: reason})
}

// capturable returns the claim the SDK may capture; e.mu is held.
func (e *Emulator) capturable(token string) (*claimRec, error) {
	e.sweepClaims()
	rec := e.claims[token]
	switch {
	case rec == nil:
		return nil, ErrUnknownClaim
	case rec.state == claimAborted:
		return nil, ErrClaimAborted
	case rec.state == claimIssued && e.expired(rec):
		return nil, ErrClaimExpired
	case rec.state == claimCaptured || rec.state == claimSpent:
		return nil, ErrClaimUsed
	}
	return rec, nil
}

// FailNext makes the next call of operation (an operationId of the spec, such as
// "userVerifyValidate") answer status with the spec's own example of that answer. Calls
// queue up in order. Only statuses the spec documents for the operation are accepted, so
// the emulator still cannot answer an undocumented shape.
func (e *Emulator) FailNext(operation string, status int) error {
	if _, ok := e.examples[operation][status]; !ok {
		return fmt.Errorf("iproov sandbox: %s documents no %d answer", operation, status)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.failNext[operation]) >= MaxFailNext {
		return fmt.Errorf("iproov sandbox: %d answers of %s are queued already", MaxFailNext, operation)
	}
	e.failNext[operation] = append(e.failNext[operation], status)
	return nil
}

// Stats counts what the emulator issued and what it holds, for tests and the demo.
type Stats struct {
	ClaimTokens  int // enrol and verify claim tokens issued since New or Reset
	AccessTokens int // OAuth access tokens issued since New or Reset
	Users        int // users enrolled now

	// What the emulator holds now: expired and ended claims and access tokens leave on
	// the emulator's clock (see ClaimMemory, AccessTokenLife) and caps bound the rest
	// (WithMaxClaims, WithMaxAccessTokens).
	HeldClaims       int
	HeldAccessTokens int
}

// Stats returns the counts so far. Expired claims and access tokens are let go first,
// so HeldClaims and HeldAccessTokens read the clock's present.
func (e *Emulator) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sweepClaims()
	e.sweepTokens()
	return Stats{
		ClaimTokens: e.issuedClaims, AccessTokens: e.issuedTokens, Users: len(e.users),
		HeldClaims: len(e.claims), HeldAccessTokens: len(e.tokens),
	}
}

// controlHandler serves the end-user and test controls:
//
//	GET  /_sandbox/iproov/sdk/...                 the Web SDK stand-in (sdk.go)
//	POST /_sandbox/iproov/claims                  {"type":"enrol","user_id":"alice"}: issue a claim
//	GET  /_sandbox/iproov/claims/{token}          what the SDK learns of the claim
//	POST /_sandbox/iproov/claims/{token}/validate validate it as a backend would
//	POST /_sandbox/iproov/claims/{token}/start    the SDK claimed the token, capture in progress
//	POST /_sandbox/iproov/claims/{token}/capture  {"face":"alice"} or {"image":"<base64>"}, "liveness_failure":"reason"
//	POST /_sandbox/iproov/fail-next               {"operation":"userVerifyValidate","status":500}
//	PUT  /_sandbox/iproov/availability            {"up":false}
//	POST /_sandbox/iproov/reset
//	GET  /_sandbox/iproov/stats
//	GET  /_sandbox/openapi.yaml                   the controls spec (api/sandbox/iproov.yaml)
//
// Each is described in api/sandbox/iproov.yaml, which buildHandler enforces.
func (e *Emulator) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+ControlsSpecPath, serveControlsSpec)
	mux.HandleFunc("POST "+ControlPrefix+"claims", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Type          claim.ClaimType      `json:"type"`
			UserID        string               `json:"user_id"`
			AssuranceType *claim.AssuranceType `json:"assurance_type"`
		}
		if !decodeControl(w, r, &body, expects["issueClaim"]) {
			return
		}
		rec, f := e.issueForDemo(body.Type, body.UserID, body.AssuranceType)
		if f != nil {
			failureAnswer(w, f)
			return
		}
		sandbox.WriteJSON(w, http.StatusCreated, map[string]string{
			"token": rec.token, "type": string(rec.kind), "assurance_type": string(rec.assurance),
		})
	})
	mux.HandleFunc("GET "+ControlPrefix+"claims/{token}", func(w http.ResponseWriter, r *http.Request) {
		v, err := e.claimView(r.PathValue("token"))
		if err != nil {
			controlAnswer(w, err)
			return
		}
		sandbox.WriteJSON(w, http.StatusOK, v)
	})
	mux.HandleFunc("POST "+ControlPrefix+"claims/{token}/validate", func(w http.ResponseWriter, r *http.Request) {
		resp, f := e.validateForDemo(r.PathValue("token"))
		if f != nil {
			failureAnswer(w, f)
			return
		}
		sandbox.WriteJSON(w, http.StatusOK, resp)
	})
	mux.HandleFunc("POST "+ControlPrefix+"claims/{token}/start", func(w http.ResponseWriter, r *http.Request) {
		controlAnswer(w, e.StartCapture(r.PathValue("token")))
	})
	mux.HandleFunc("POST "+ControlPrefix+"claims/{token}/capture", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Face            string `json:"face"`
			Image           string `json:"image"`
			LivenessFailure string `json:"liveness_failure"`
		}
		if !decodeControl(w, r, &body, `{"face":"alice"} or {"image":"<base64 PNG or JPEG>"}, with an optional "liveness_failure":"<reason>"`) {
			return
		}
		c := Capture{Face: body.Face, LivenessFailure: body.LivenessFailure}
		if body.Image != "" {
			img, err := base64.StdEncoding.DecodeString(body.Image)
			if err != nil {
				controlError(w, http.StatusBadRequest, "invalid_image", "image is not base64")
				return
			}
			c.Image = img
		}
		controlAnswer(w, e.Capture(r.PathValue("token"), c))
	})
	mux.HandleFunc("POST "+ControlPrefix+"fail-next", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Operation string `json:"operation"`
			Status    int    `json:"status"`
		}
		if !decodeControl(w, r, &body, `{"operation":"<operationId>","status":<documented status>}`) {
			return
		}
		if err := e.FailNext(body.Operation, body.Status); err != nil {
			controlError(w, http.StatusBadRequest, "undocumented_status", err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("PUT "+ControlPrefix+"availability", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Up bool `json:"up"`
		}
		if !decodeControl(w, r, &body, `{"up":true} or {"up":false}`) {
			return
		}
		e.SetAvailable(body.Up)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST "+ControlPrefix+"reset", func(w http.ResponseWriter, r *http.Request) {
		e.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc(ControlPrefix, func(w http.ResponseWriter, r *http.Request) {
		controlError(w, http.StatusNotFound, "unknown_control", "no such control; see "+ControlsSpecPath+" for the list")
	})
	mux.HandleFunc("GET "+ControlPrefix+"stats", func(w http.ResponseWriter, r *http.Request) {
		st := e.Stats()
		sandbox.WriteJSON(w, http.StatusOK, map[string]int{
			"claim_tokens": st.ClaimTokens, "access_tokens": st.AccessTokens, "users": st.Users,
			"held_claims": st.HeldClaims, "held_access_tokens": st.HeldAccessTokens,
		})
	})
	return mux
}

// decodeControl reads a control's JSON body into v; expects shows the body the control
// takes, for the 400 that answers anything else. The body arrives bounded (see
// buildHandler); the bound here is a second line for callers of controlHandler alone.
func decodeControl(w http.ResponseWriter, r *http.Request, v any, expects string) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		controlError(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("control bodies are limited to %d bytes", MaxBodyBytes))
		return false
	case err != nil:
		controlError(w, http.StatusBadRequest, "invalid_body", "this control expects a JSON body "+expects)
		return false
	}
	return true
}

func controlAnswer(w http.ResponseWriter, err error) {
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, ErrUnknownClaim):
		controlError(w, http.StatusNotFound, "unknown_claim", err.Error())
	case errors.Is(err, ErrClaimExpired):
		controlError(w, http.StatusGone, "claim_expired", err.Error())
	case errors.Is(err, ErrClaimAborted), errors.Is(err, ErrClaimUsed):
		controlError(w, http.StatusConflict, "claim_state", err.Error())
	default:
		controlError(w, http.StatusBadRequest, "invalid_capture", err.Error())
	}
}

// failureAnswer answers an iProov refusal in the controls' shape, with iProov's code.
func failureAnswer(w http.ResponseWriter, f *failure) {
	status := f.status
	switch {
	case status == http.StatusTooManyRequests:
		if f.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.retryAfter))
		}
	case status >= 500:
		status = http.StatusInternalServerError
	default:
		status = http.StatusBadRequest
	}
	controlError(w, status, f.code, f.desc)
}

func controlError(w http.ResponseWriter, status int, code, msg string) {
	sandbox.WriteJSON(w, status, map[string]string{"error": code, "message": msg})
}

// example is a documented answer of the spec, ready to replay.
type example struct {
	body   []byte
	header http.Header
}

// loadExamples indexes every documented answer's example by operation and status.
func (e *Emulator) loadExamples() map[string]map[int]example {
	out := map[string]map[int]example{}
	for _, item := range e.spec.Doc.Paths.Map() {
		for _, op := range item.Operations() {
			for status, ref := range op.Responses.Map() {
				code, err := strconv.Atoi(status)
				if err != nil || ref.Value == nil {
					continue
				}
				mt := ref.Value.Content.Get("application/json")
				if mt == nil || mt.Example == nil {
					continue
				}
				body, err := json.Marshal(mt.Example)
				if err != nil {
					continue
				}
				h := http.Header{"Content-Type": {"application/json"}}
				for name, hr := range ref.Value.Headers {
					if hr.Value != nil && hr.Value.Example != nil {
						h.Set(name, fmt.Sprint(hr.Value.Example))
					}
				}
				if out[op.OperationID] == nil {
					out[op.OperationID] = map[int]example{}
				}
				out[op.OperationID][code] = example{body: body, header: h}
			}
		}
	}
	return out
}

// injectFailures answers queued FailNext statuses. It sits inside the contract
// middleware, so these answers are checked like any other.
func (e *Emulator) injectFailures(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, _ := e.spec.FindOperation(r)
		e.mu.Lock()
		queue := e.failNext[op]
		status := 0
		if len(queue) > 0 {
			status, e.failNext[op] = queue[0], queue[1:]
		}
		e.mu.Unlock()
		if status == 0 {
			next.ServeHTTP(w, r)
			return
		}
		ex := e.examples[op][status]
		for k, v := range ex.header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = w.Write(ex.body)
	})
}
