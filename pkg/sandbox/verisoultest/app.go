package verisoultest

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/idvkit/idvkit/pkg/sandbox"
)

// appHandler serves the hosted-page stand-in, which a browser navigates to from the
// integrator's site (so it is not behind sandbox.GuardControl):
//
//	GET /_sandbox/verisoul/app?session_id=…&redirect_url=…&lng=…
//	    [&face=alice][&document=valid|fake|expired|minor|other_face|none][&fail=liveness_check_failed]
//
// AppPath+"/" is the same page (a base URL configured with a trailing slash).
func (e *Emulator) appHandler() http.Handler {
	// The contract middleware in front routes only GET here.
	return limitBody(func(*http.Request) int64 { return controlBodyBytes }, http.HandlerFunc(e.serveApp))
}

func isApp(path string) bool { return path == AppPath || path == AppPath+"/" }

// serveApp stands in for https://app.{env}.verisoul.ai/: it takes the same query
// (session_id, redirect_url, lng) and ends as the real page does, with a redirect back
// carrying session_id, success and error_message.
//
// A session waiting for its capture is marked started and gets the capture page, whose
// buttons complete or fail it through the control endpoints and then open this URL
// again. A settled session (page, control endpoints, Go helpers, simulate) redirects
// back with its outcome at once. Sandbox shortcuts for tests without a browser:
// face=<name> completes the capture (ID Check with document=<preset>) and fail=<code>
// fails it, both without showing the page.
func (e *Emulator) serveApp(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back := q.Get("redirect_url")
	if back == "" {
		back = "https://verisoul.ai" // Verisoul's documented default
	}
	if !validRedirect(back) {
		sandbox.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_redirect_url",
			"message": "redirect_url must be an absolute http or https URL"})
		return
	}
	id := q.Get("session_id")
	if id == "" {
		redirectBack(w, r, back, "", FailSessionIDNotFound)
		return
	}
	info, ok := e.Session(id)
	if !ok {
		redirectBack(w, r, back, id, FailInvalidSessionID)
		return
	}
	if info.State == Created || info.State == Started {
		var err error
		switch face, fail := q.Get("face"), q.Get("fail"); {
		case fail != "":
			err = e.Fail(id, fail)
		case face != "":
			var d *sandbox.Document
			if info.Product == IDCheck {
				d, err = e.presetDocument(face, q.Get("document"))
			}
			if err == nil {
				err = e.completeWithDocument(id, face, d)
			}
		default:
			_ = e.Start(id)
			e.renderPage(w, r, info)
			return
		}
		if err != nil {
			sandbox.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_capture", "message": err.Error()})
			return
		}
		info, _ = e.Session(id)
	}
	redirectBack(w, r, back, id, info.ErrorMessage)
}

func (e *Emulator) completeWithDocument(id, face string, d *sandbox.Document) error {
	c := Capture{Face: sandbox.FaceImage(face)}
	if d != nil {
		c.Document = sandbox.DocumentImage(*d)
	}
	return e.Complete(id, c)
}

// Document presets: the documents the hosted page (and the complete control endpoint's
// document_preset) offers for an ID Check capture, each made for the face.
const (
	DocumentValid     = "valid"      // a US driver licence of the face, expiring in five years
	DocumentFake      = "fake"       // forged: likely_fake_id
	DocumentExpired   = "expired"    // expired a month ago: id_expired
	DocumentMinor     = "minor"      // a 14-year-old's: id_age_below_16
	DocumentOtherFace = "other_face" // someone else's photo: low_id_face_match_score
	DocumentNone      = "none"       // no document: id_scan_not_complete
)

// ErrUnknownPreset is returned for a document preset that is not one of the Document… values.
var ErrUnknownPreset = fmt.Errorf("verisoul sandbox: unknown document preset (want %s, %s, %s, %s, %s or %s)",
	DocumentValid, DocumentFake, DocumentExpired, DocumentMinor, DocumentOtherFace, DocumentNone)

// presetDocument is the document a preset names for face; nil for DocumentNone.
func (e *Emulator) presetDocument(face, preset string) (*sandbox.Document, error) {
	d := e.documentFor(face)
	switch preset {
	case "", DocumentValid:
	case DocumentFake:
		d.Fake = true
	case DocumentExpired:
		d.Expiry = e.clock.Now().AddDate(0, -1, 0).Format(time.DateOnly)
	case DocumentMinor:
		d.DateOfBirth = e.clock.Now().AddDate(-14, 0, 0).Format(time.DateOnly)
	case DocumentOtherFace:
		d.Face = face + "-lookalike"
	case DocumentNone:
		return nil, nil
	default:
		return nil, ErrUnknownPreset
	}
	return &d, nil
}

// validRedirect accepts what a browser can be sent back to: an absolute http(s) URL.
func validRedirect(back string) bool {
	u, err := url.Parse(back)
	return err == nil && u.IsAbs() && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// redirectBack sends the browser to back with the outcome, as the real page does: the
// caller's own query kept, session_id, success and (on failure) error_message added.
func redirectBack(w http.ResponseWriter, r *http.Request, back, sessionID, failure string) {
	u, err := url.Parse(back)
	if err != nil || !validRedirect(back) {
		sandbox.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_redirect_url",
			"message": "redirect_url must be an absolute http or https URL"})
		return
	}
	q := u.Query()
	if sessionID != "" {
		q.Set("session_id", sessionID)
	}
	q.Set("success", fmt.Sprint(failure == ""))
	if failure != "" {
		q.Set("error_message", failure)
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

//go:embed app.html
var appHTML string

var appPage = template.Must(template.New("app").Parse(appHTML))

// langPattern is a BCP 47-like language tag; anything else falls back to en, as the real
// page falls back to its default.
var langPattern = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$`)

// choice is one option of the page: a value and what it does.
type choice struct{ Value, Label, Help string }

var documentChoices = []choice{
	{DocumentValid, "Valid", "A US driver licence showing this face, expiring in five years."},
	{DocumentFake, "Fake", "A forged document: id_validity likely_fake_id."},
	{DocumentExpired, "Expired", "Expired a month ago: risk flag id_expired."},
	{DocumentMinor, "A minor's", "The holder is 14: risk flag id_age_below_16."},
	{DocumentOtherFace, "Another face", "Someone else's photo: low_id_face_match_score."},
	{DocumentNone, "None", "No document scanned: verify-id answers id_scan_not_complete."},
}

var failureChoices = []choice{
	{FailLiveness, "Liveness check failed", "The face is not live (a photo, a screen, a mask)."},
	{FailFaceScan, "Face scan not completed", "The user gave up during the face scan."},
	{FailCameraPermission, "No camera permission", "The user refused the camera."},
	{FailIDScan, "ID scan failed", "The document could not be processed (ID Check)."},
	{FailDeviceData, "Device data not collected", "The page could not collect device data."},
	{FailInvalidSessionID, "Invalid session", "The session token expired or is invalid."},
	{FailSessionIDNotFound, "No session id", "The page was opened without a session token."},
}

// pageData is what the capture page shows; html/template escapes all of it.
type pageData struct {
	Nonce, Lang               string
	SessionID, Product, State string
	IDCheck                   bool
	ReturnsTo                 string // the redirect_url's host only
	CompleteURL, FailURL      string
	ContinueURL               string
	Documents, Failures       []choice
}

// renderPage answers the capture page of a session waiting for its capture.
func (e *Emulator) renderPage(w http.ResponseWriter, r *http.Request, info SessionInfo) {
	q := r.URL.Query()
	lang := q.Get("lng")
	if !langPattern.MatchString(lang) {
		lang = "en"
	}
	prefix := mountPrefix(r)
	control := prefix + ControlPrefix + "sessions/" + url.PathEscape(info.ID)
	cont := url.Values{"session_id": {info.ID}}
	for _, k := range []string{"redirect_url", "lng"} {
		if v := q.Get(k); v != "" {
			cont.Set(k, v)
		}
	}
	back, _ := url.Parse(q.Get("redirect_url"))
	returnsTo := "verisoul.ai"
	if back != nil && back.Host != "" {
		returnsTo = back.Host
	}
	d := pageData{
		Nonce: sandbox.RandomHex(16), Lang: lang,
		SessionID: info.ID, Product: "Face Match", State: string(Started),
		IDCheck: info.Product == IDCheck, ReturnsTo: returnsTo,
		CompleteURL: control + "/complete", FailURL: control + "/fail",
		ContinueURL: prefix + AppPath + "?" + cont.Encode(),
		Failures:    failureChoices,
	}
	if d.IDCheck {
		d.Product, d.Documents = "ID Check", documentChoices
	} else {
		d.Failures = nil
		for _, c := range failureChoices {
			if c.Value != FailIDScan {
				d.Failures = append(d.Failures, c)
			}
		}
	}
	var buf bytes.Buffer
	if err := appPage.Execute(&buf, d); err != nil {
		e.log.Error("verisoul sandbox: capture page", "err", err)
		sandbox.WriteJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal", "message": "the capture page failed to render"})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", strings.Join([]string{
		"default-src 'self'",
		"script-src 'nonce-" + d.Nonce + "'",
		"style-src 'nonce-" + d.Nonce + "'",
		"img-src 'self' data:",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; "))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}
