package iproovtest

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/iproov/claim"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

// The Web SDK stand-in. iProov's Web SDK is the <iproov-me> custom element
// (github.com/iProov/web, README of v5.4.4, commit 11ed0f6e): the integrator's page gives
// it the claim token from its backend and listens for its events. The emulator serves a
// script defining the same element, so a page runs against the sandbox by loading
// SDKScriptPath instead of @iproov/web-sdk. The element cannot call the control
// endpoints from the integrator's origin (the guard refuses cross-origin requests), so
// it opens a hidden frame of the emulator's origin (SDKBridgePath) and asks it by
// postMessage; the frame calls the claim endpoints same-origin.

// Paths of the SDK stand-in, under the emulator's mount.
const (
	// SDKScriptPath is the script defining <iproov-me>; load it in place of iProov's SDK.
	SDKScriptPath = ControlPrefix + "sdk/iproov-me.js"
	// SDKBridgePath is the hidden frame through which the element reaches the emulator.
	SDKBridgePath = ControlPrefix + "sdk/bridge"
	// SDKDemoPath is a page that runs a whole claim in the browser, for people.
	SDKDemoPath = ControlPrefix + "sdk/"
	// ControlsSpecPath serves api/sandbox/iproov.yaml, self-contained.
	ControlsSpecPath = "/_sandbox/openapi.yaml"
)

//go:embed sdk
var sdkFS embed.FS

// Feedback is one of the Web SDK's feedback codes and the English reason the SDK gives
// with it (the detail.feedback and detail.reason of its events).
type Feedback struct {
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// Feedback codes as iProov's Web SDK README lists them (v5.4.4, "Feedback Codes").
var (
	// GenuinePresenceFailures are the codes of a failed Genuine Presence Assurance claim.
	GenuinePresenceFailures = []Feedback{
		{"eyes_closed", "Keep your eyes open"},
		{"face_too_far", "Move your face closer to the screen"},
		{"face_too_close", "Move your face farther from the screen"},
		{"misaligned_face", "Keep your face in the oval"},
		{"multiple_faces", "Ensure only one person is visible"},
		{"obscured_face", "Remove any face coverings"},
		{"sunglasses", "Remove sunglasses"},
		{"too_bright", "Ambient light too strong or screen brightness too low"},
		{"too_dark", "Your environment appears too dark"},
		{"too_much_movement", "Please keep still"},
		{"unknown", "Try again"},
	}
	// LivenessFailures are the codes of a failed Liveness Assurance claim.
	LivenessFailures = []Feedback{
		{"eyes_closed", "Keep your eyes open"},
		{"multiple_faces", "Ensure only one person is visible"},
		{"obscured_face", "Remove any face coverings"},
		{"sunglasses", "Remove sunglasses"},
		{"too_bright", "Ambient light too strong or screen brightness too low"},
		{"too_dark", "Your environment appears too dark"},
		{"unknown", "Try again"},
	}
	// SDKErrors are the codes of the error event, for both assurance types.
	SDKErrors = []Feedback{
		{"unknown", "Try again"},
		{"client_camera", "There was an error getting video from the camera"},
		{"client_error", "An unknown error occurred"},
		{"error_asset_fetch", "Unable to fetch assets"},
		{"error_camera", "The camera cannot be started for unknown reasons"},
		{"error_camera_in_use", "The camera is already in use and cannot be accessed"},
		{"error_camera_not_supported", "The camera resolution is too small"},
		{"error_camera_permission_denied", "The user denied our camera permission request"},
		{"error_device_motion_denied", "The user denied our device motion permission request"},
		{"error_device_motion_unsupported", "Your device does not seem to fully report device motion"},
		{"error_fullscreen_change", "Exited fullscreen without completing iProov"},
		{"error_invalid_token", "The token is invalid"},
		{"error_network", "Network error"},
		{"error_no_face_found", "No face could be found"},
		{"error_not_supported", "The device or integration isn't able to run the Web SDK"},
		{"error_server", "An error occurred when communicating with iProov's servers"},
		{"error_token_timeout", "The token was claimed too long after being created"},
		{"error_too_many_requests", "The service is under high load and the user must try again"},
		{"error_user_timeout", "The user started the claim but did not stream in time"},
		{"integration_unloaded", "The SDK was unmounted from the DOM before it finished"},
		{"sdk_unsupported", "The SDK has passed end of life and is no longer supported"},
	}
	// Canceled is the feedback of the canceled event when the user exits the SDK. The
	// README lists the event's fields, not this value: the code is the CHANGELOG's
	// user_cancelled (3.3.2) in the US spelling v5 adopted, the reason the English
	// language file's canceled_user.
	Canceled = Feedback{"user_canceled", "The user has intentionally exited the application"}
	// TransactionCanceled is the error the element's cancelTransaction() raises.
	TransactionCanceled = Feedback{"error_transaction_canceled", "This transaction has been canceled"}
)

// failureFeedback names the feedback code of a liveness failure reason: the code whose
// reason it is (case aside: the emulator's ReasonLiveness is "Please Keep Still"), else
// unknown with the reason as given.
func failureFeedback(reason string) Feedback {
	for _, list := range [][]Feedback{GenuinePresenceFailures, LivenessFailures} {
		for _, f := range list {
			if strings.EqualFold(f.Reason, reason) {
				return f
			}
		}
	}
	return Feedback{"unknown", reason}
}

// sdkScript is the element's script with the feedback tables filled in, so the Go and
// the JavaScript sides share one list.
var sdkScript = func() []byte {
	src, err := sdkFS.ReadFile("sdk/iproov-me.js")
	if err != nil {
		panic(err)
	}
	tables, err := json.Marshal(map[string]any{
		string(claim.GenuinePresence): GenuinePresenceFailures,
		string(claim.Liveness):        LivenessFailures,
		"errors":                      SDKErrors,
		"canceled":                    Canceled,
		"transaction_canceled":        TransactionCanceled,
	})
	if err != nil {
		panic(err)
	}
	const mark = "/*IDVKIT_FEEDBACK*/null"
	if !bytes.Contains(src, []byte(mark)) {
		panic("iproov sandbox: iproov-me.js lost its feedback mark")
	}
	return bytes.Replace(src, []byte(mark), tables, 1)
}()

// contentTypes of the SDK files, by extension.
var contentTypes = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
}

// serveSDK serves the SDK stand-in's files. They are pages and scripts a browser loads
// from the integrator's site, so they are outside the control guard; they change
// nothing. Every page is self-contained: Content-Security-Policy default-src 'self'.
func (e *Emulator) serveSDK(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, ControlPrefix+"sdk/")
	switch name {
	case "":
		name = "demo.html"
	case "bridge":
		name = "bridge.html"
	}
	ct, ok := contentTypes[path.Ext(name)]
	if !ok || strings.Contains(name, "/") {
		controlError(w, http.StatusNotFound, "unknown_control", "no such file of the SDK stand-in")
		return
	}
	body := sdkScript
	if name != "iproov-me.js" {
		var err error
		if body, err = sdkFS.ReadFile("sdk/" + name); err != nil {
			controlError(w, http.StatusNotFound, "unknown_control", "no such file of the SDK stand-in")
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	if name == "iproov-me.js" {
		// A module script from another origin loads only with CORS; the file is public.
		h.Set("Access-Control-Allow-Origin", "*")
	}
	if path.Ext(name) == ".html" {
		// No frame-ancestors: the bridge is framed by the integrator's page, any origin.
		h.Set("Content-Security-Policy", "default-src 'self'; base-uri 'none'; form-action 'self'")
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// claimView is what GET /_sandbox/iproov/claims/{token} answers: what iProov's SDK
// learns from the platform about a claim. Never the user id, an image or a secret.
type claimView struct {
	Type          claim.ClaimType     `json:"type"`
	AssuranceType claim.AssuranceType `json:"assurance_type"`
	State         string              `json:"state"`
	Result        *captureResult      `json:"result,omitempty"`
}

type captureResult struct {
	Passed   bool   `json:"passed"`
	Feedback string `json:"feedback,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// stateName names a claim's state as the controls spec does; e.mu is held.
func (e *Emulator) stateName(rec *claimRec) string {
	switch rec.state {
	case claimStreaming:
		return "streaming"
	case claimCaptured:
		return "captured"
	case claimSpent:
		return "validated"
	case claimAborted:
		return "invalidated"
	}
	if e.expired(rec) {
		return "expired"
	}
	return "issued"
}

// sdkResult is what the SDK shows once the capture finished, judged as validate will
// judge it (nil before); e.mu is held. A verify whose face does not match fails with
// feedback unknown: the SDK tells the user to try again, not why.
func (e *Emulator) sdkResult(rec *claimRec) *captureResult {
	if rec.face == "" || (rec.state != claimCaptured && rec.state != claimSpent) {
		return nil
	}
	switch {
	case rec.liveFail != "":
		f := failureFeedback(rec.liveFail)
		return &captureResult{Feedback: f.Code, Reason: f.Reason}
	case rec.face == NoFace:
		return &captureResult{Feedback: "unknown", Reason: "Try again"}
	case rec.kind == claim.Verify:
		u := e.users[userKey{rec.sp, rec.userID}]
		if u == nil || u.face != rec.face {
			return &captureResult{Feedback: "unknown", Reason: "Try again"}
		}
	}
	return &captureResult{Passed: true}
}

// ClaimView returns what the SDK learns of a claim (for GET claims/{token}).
func (e *Emulator) claimView(token string) (claimView, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sweepClaims()
	rec := e.claims[token]
	if rec == nil {
		return claimView{}, ErrUnknownClaim
	}
	return claimView{Type: rec.kind, AssuranceType: rec.assurance, State: e.stateName(rec), Result: e.sdkResult(rec)}, nil
}

// issueForDemo issues a claim for the default service provider through the token
// endpoints' own rules, for the demo page and tests without a backend.
func (e *Emulator) issueForDemo(kind claim.ClaimType, userID string, assurance *claim.AssuranceType) (*claimRec, *failure) {
	return e.tokenRequest(kind, &claim.ServerClaimRequest{
		ApiKey: e.cfg.apiKey, Secret: e.cfg.secret, Resource: "idvkit sandbox", UserId: userID, AssuranceType: assurance,
	})
}

// validateForDemo validates a claim of the default service provider for its own user,
// as the validate endpoints do.
func (e *Emulator) validateForDemo(token string) (*claim.ClaimValidateResponse, *failure) {
	e.mu.Lock()
	e.sweepClaims()
	rec := e.claims[token]
	var kind claim.ClaimType
	var sp, userID, profile string
	if rec != nil {
		kind, sp, userID, profile = rec.kind, rec.sp, rec.userID, rec.riskProfile
	}
	e.mu.Unlock()
	if rec == nil || sp != e.cfg.apiKey {
		return nil, errInvalidToken
	}
	req := claim.ClaimValidateRequest{ApiKey: e.cfg.apiKey, Secret: e.cfg.secret, UserId: userID, Token: token, Client: "idvkit sandbox"}
	if profile != "" {
		req.RiskProfile = &profile
	}
	return e.validation(kind, req, nil)
}

// Inspect shows the emulator on the sandbox dashboard: its claims (by a fingerprint of
// the token, never the token), its users (by a fingerprint of the user id, which is
// often an email address) and its recent calls.
func (e *Emulator) Inspect() sandbox.Inspection {
	e.mu.Lock()
	e.sweepClaims()
	items := make([]sandbox.Item, 0, len(e.claims)+len(e.users))
	for _, rec := range e.claims {
		d := map[string]string{"type": string(rec.kind), "assurance_type": string(rec.assurance), "user": fingerprint(rec.userID)}
		if rec.face != "" {
			d["face"] = rec.face
		}
		if res := e.sdkResult(rec); res != nil {
			d["result"] = "passed"
			if !res.Passed {
				d["result"], d["feedback"] = "failed", res.Feedback
			}
		}
		items = append(items, sandbox.Item{Kind: "claim", ID: fingerprint(rec.token), State: e.stateName(rec), Detail: d, Updated: rec.updated})
	}
	for _, u := range e.users {
		updated := time.Time{}
		if u.activated != nil {
			updated = *u.activated
		}
		if u.suspended != nil && u.suspended.After(updated) {
			updated = *u.suspended
		}
		items = append(items, sandbox.Item{Kind: "user", ID: fingerprint(u.id), State: string(u.status), Detail: map[string]string{"face": u.face}, Updated: updated})
	}
	e.mu.Unlock()
	// Most recent first, as the calls are; the fingerprint keeps the order stable.
	slices.SortFunc(items, func(a, b sandbox.Item) int {
		if c := b.Updated.Compare(a.Updated); c != 0 {
			return c
		}
		return strings.Compare(a.Kind+a.ID, b.Kind+b.ID)
	})
	return sandbox.Inspection{Vendor: "iproov", Items: items, Calls: e.calls.Calls()}
}

// fingerprint names a token or a user id on the dashboard by a short digest, the form
// pkg/iproov uses in its logs, so the two can be matched.
func fingerprint(s string) string {
	d := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(d[:4])
}
