package verifiktest

// The hosted app's own JSON endpoints: the registrant's inbox and the stand-in camera.

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// inboxMessage is a code sent to the registrant as the page shows it: the recipient is
// the registrant's own, so it is left out.
type inboxMessage struct {
	Channel      string    `json:"channel"`
	Code         string    `json:"code"`
	ValidationID string    `json:"validationId"`
	SentAt       time.Time `json:"sentAt"`
}

// serveInbox answers the live codes of the registrant's own email and phone
// validations: what the registrant would read in their mailbox or on their phone.
func (e *Emulator) serveInbox(w http.ResponseWriter, r *http.Request) {
	msgs := e.Outbox()
	e.mu.Lock()
	reg, _, _, status := e.registrantOf(r.PathValue("projectId"), bearerToken(r))
	mine := map[string]bool{}
	if reg != nil {
		for _, c := range reg.codes {
			mine[c.id] = true
		}
	}
	e.mu.Unlock()
	if status != http.StatusOK {
		appRefusal(w, status)
		return
	}
	out := []inboxMessage{}
	for _, m := range msgs {
		if mine[m.ValidationID] {
			out = append(out, inboxMessage{Channel: m.Channel, Code: m.Code, ValidationID: m.ValidationID, SentAt: m.SentAt})
		}
	}
	sandbox.WriteJSON(w, http.StatusOK, map[string]any{"messages": out})
}

// captureRequest is what the page asks the stand-in camera for (CaptureRequest in
// api/sandbox/verifik.yaml, which the middleware has already held the body to).
type captureRequest struct {
	Kind     string   `json:"kind"`
	Face     string   `json:"face"`
	Liveness *float64 `json:"liveness"`
	Document string   `json:"document"`
}

// Document choices of the stand-in camera.
const (
	documentValid       = "valid"
	documentFake        = "fake"
	documentExpired     = "expired"
	documentOtherFace   = "other_face"
	documentUnreadable  = "unreadable"
	captureSelfie       = "selfie"
	captureDocument     = "document"
	appDocumentCountry  = "CO"
	appDocumentBirthday = "1990-01-01"
)

// serveCapture answers the image a camera would take of the chosen identity, in the
// form the Smart Enroll API takes it (Selfie, SpoofSelfie, DocumentPhoto).
func (e *Emulator) serveCapture(w http.ResponseWriter, r *http.Request) {
	var req captureRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, maxControlBody)).Decode(&req); err != nil {
		// The controls spec middleware has checked the body; this is a last resort.
		sandbox.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_body", "message": "expected " + expectsOf("captureSignUpImage")})
		return
	}
	e.mu.Lock()
	reg, _, _, status := e.registrantOf(r.PathValue("projectId"), bearerToken(r))
	var first, last string
	if reg != nil {
		_, first, last = reg.declaredName()
	}
	now := e.clock.Now()
	e.mu.Unlock()
	if status != http.StatusOK {
		appRefusal(w, status)
		return
	}
	var image verifik.Image
	switch req.Kind {
	case captureSelfie:
		image = Selfie(req.Face)
		if req.Liveness != nil {
			image = SpoofSelfie(req.Face, *req.Liveness)
		}
	case captureDocument:
		image = DocumentPhoto(appDocument(req.Face, req.Document, first, last, now))
		if req.Document == documentUnreadable {
			// A photo of something that is not a document: the OCR reads nothing.
			image = verifik.ImageOf(sandbox.FaceImage("not a document"))
		}
	}
	sandbox.WriteJSON(w, http.StatusOK, map[string]string{"image": string(image)})
}

// appDocument is the identity document the stand-in camera photographs: the registrant's
// declared name (so that the name checks can pass), or one made from the face name.
func appDocument(face, choice, first, last string, now time.Time) sandbox.Document {
	if first == "" && last == "" {
		first, last = "Sandbox", "Sandbox"
		if face != "" {
			first = strings.ToUpper(face[:1]) + face[1:]
		}
	}
	sum := sha256.Sum256([]byte(face))
	d := sandbox.Document{
		Kind: "national_id", Country: appDocumentCountry,
		Number:    fmt.Sprintf("10%08d", (uint32(sum[0])<<24|uint32(sum[1])<<16|uint32(sum[2])<<8|uint32(sum[3]))%100000000),
		FirstName: first, LastName: last, DateOfBirth: appDocumentBirthday,
		Expiry: now.AddDate(5, 0, 0).Format(time.DateOnly), Face: face,
	}
	switch choice {
	case documentFake:
		d.Fake = true
	case documentExpired:
		d.Expiry = now.AddDate(-1, 0, 0).Format(time.DateOnly)
	case documentOtherFace:
		d.Face = "not-" + face
	}
	return d
}

// bearerToken is the token of an "Authorization: Bearer <token>" header, "" without one.
func bearerToken(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// appRefusal answers a page call whose token leads to no registrant of the project.
func appRefusal(w http.ResponseWriter, status int) {
	if status == http.StatusUnauthorized {
		sandbox.WriteJSON(w, status, map[string]string{"error": "unauthorized", "message": "send the registrant's app-registration token as Authorization Bearer"})
		return
	}
	sandbox.WriteJSON(w, http.StatusNotFound, map[string]string{"error": "not_found", "message": "no registration of this project holds this token"})
}
