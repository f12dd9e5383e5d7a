package verisoultest

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/idvkit/idvkit/pkg/sandbox"
)

// Errors of the end-user helpers.
var (
	ErrUnknownSession  = errors.New("verisoul sandbox: unknown session")
	ErrSessionFinished = errors.New("verisoul sandbox: session already completed or failed")
	ErrNoFace          = errors.New("verisoul sandbox: capture has no face image")
	ErrUnknownFailure  = errors.New("verisoul sandbox: unknown error_message")
)

// Capture is what the end user gives the hosted page.
type Capture struct {
	// Face is the selfie; sandbox.FaceImage("alice") is recognised as alice.
	Face []byte
	// Document is the front of the identity document (ID Check sessions), made with
	// sandbox.DocumentImage. Without one an ID Check session stays "ID scan not complete";
	// an image that is not a readable document fails the ID scan.
	Document []byte
	// IPAddress the capture came from; by default a stable address per face, so a
	// returning face also links by ip_address.
	IPAddress string
	// Incomparable makes verify-identity answer success=false for this session: the
	// vendor's "verification did not complete" outcome, distinct from "different person".
	Incomparable bool
}

// Start records that the user opened the hosted page without finishing: verify and
// enroll then answer session_not_complete instead of session_not_started.
func (e *Emulator) Start(sessionID string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.openSession(sessionID)
	if err != nil {
		return err
	}
	s.state = Started
	e.place(s)
	return nil
}

// Complete finishes the capture of a session with c.
func (e *Emulator) Complete(sessionID string, c Capture) error {
	if len(c.Face) == 0 {
		return ErrNoFace
	}
	face := sandbox.FaceOf(c.Face)
	var doc *sandbox.Document
	docUnreadable := false
	if len(c.Document) > 0 {
		if d, ok := sandbox.DocumentOf(c.Document); ok {
			doc = &d
		} else {
			docUnreadable = true
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.openSession(sessionID)
	if err != nil {
		return err
	}
	defer e.place(s)
	if s.product == IDCheck && docUnreadable {
		s.state, s.failure = Failed, FailIDScan
		return nil
	}
	s.state, s.face, s.noCompare = Completed, face, c.Incomparable
	s.ip = c.IPAddress
	if s.ip == "" {
		s.ip = ipFor(face)
	}
	if s.product == IDCheck {
		s.document = doc
	}
	return nil
}

// CompleteAs finishes the capture as the named face (no document).
func (e *Emulator) CompleteAs(sessionID, face string) error {
	return e.Complete(sessionID, Capture{Face: sandbox.FaceImage(face)})
}

// CompleteWithDocument finishes an ID Check capture as face, showing document d
// (see DocumentFor for a valid one to start from).
func (e *Emulator) CompleteWithDocument(sessionID, face string, d sandbox.Document) error {
	return e.Complete(sessionID, Capture{Face: sandbox.FaceImage(face), Document: sandbox.DocumentImage(d)})
}

// openSession returns a session whose capture has not ended yet. e.mu must be held.
func (e *Emulator) openSession(sessionID string) (*session, error) {
	s, ok := e.sessions[strings.ToLower(sessionID)]
	switch {
	case !ok:
		return nil, ErrUnknownSession
	case s.state == Completed || s.state == Failed:
		return nil, ErrSessionFinished
	}
	return s, nil
}

// Fail ends the capture with one of the hosted page's error_message values
// (FailLiveness, FailIDScan, FailCameraPermission, …).
func (e *Emulator) Fail(sessionID, errorMessage string) error {
	if !knownFailures[errorMessage] {
		return ErrUnknownFailure
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.openSession(sessionID)
	if err != nil {
		return err
	}
	s.state, s.failure = Failed, errorMessage
	e.place(s)
	return nil
}

// SessionInfo is what the emulator knows about a session (no images, no document data).
type SessionInfo struct {
	ID           string    `json:"session_id"`
	ProjectID    string    `json:"project_id"`
	Product      Product   `json:"product"`
	State        State     `json:"state"`
	ErrorMessage string    `json:"error_message,omitempty"`
	Face         string    `json:"face,omitempty"`
	HasDocument  bool      `json:"has_document"`
	AccountID    string    `json:"account_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	Simulate     string    `json:"simulate,omitempty"`
}

// Session returns what the emulator knows about a session.
func (e *Emulator) Session(id string) (SessionInfo, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	s, ok := e.sessions[strings.ToLower(id)]
	if !ok {
		return SessionInfo{}, false
	}
	return s.info(), true
}

func (s *session) info() SessionInfo {
	return SessionInfo{
		ID: s.id, ProjectID: s.project.ID, Product: s.product, State: s.state, ErrorMessage: s.failure,
		Face: s.face, HasDocument: s.document != nil, AccountID: s.accountID, CreatedAt: s.created, Simulate: s.simulate,
	}
}

// Enrollment is one session tied to an account.
type Enrollment struct {
	ProjectID  string    `json:"project_id"`
	AccountID  string    `json:"account_id"`
	SessionID  string    `json:"session_id"`
	Face       string    `json:"face"`
	EnrolledAt time.Time `json:"enrolled_at"`
}

// Enrollments lists every enrolment the emulator recorded, oldest first: what a client's
// own records should agree with.
func (e *Emulator) Enrollments() []Enrollment {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []Enrollment
	for _, p := range e.projects {
		for _, a := range p.accounts {
			for _, s := range a.sessions {
				out = append(out, Enrollment{ProjectID: p.ID, AccountID: a.id, SessionID: s.id, Face: s.face, EnrolledAt: s.enrolledAt})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].EnrolledAt.Equal(out[j].EnrolledAt) {
			return out[i].EnrolledAt.Before(out[j].EnrolledAt)
		}
		return out[i].SessionID < out[j].SessionID
	})
	return out
}

// controlHandler serves the end-user simulation over HTTP, for tests in other languages,
// for the hosted page and for `idvkit sandbox serve`; api/sandbox/verisoul.yaml describes
// every endpoint and the caller holds each call to it. Requests with a body must send
// Content-Type: application/json (see sandbox.GuardControl, which the caller puts in front):
//
//	POST /_sandbox/verisoul/sessions/{id}/start
//	POST /_sandbox/verisoul/sessions/{id}/complete  {"face":"alice","document_preset":"fake"}
//	     (or "face_image"/"document_image" as base64 images, "document" field by field, "ip_address", "incomparable")
//	POST /_sandbox/verisoul/sessions/{id}/fail      {"error_message":"liveness_check_failed"}
//	GET  /_sandbox/verisoul/sessions/{id}
//	GET  /_sandbox/verisoul/enrollments
//	GET  /_sandbox/openapi.yaml
func (e *Emulator) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+ControlPrefix+"sessions/{id}/start", func(w http.ResponseWriter, r *http.Request) {
		e.answer(w, r.PathValue("id"), e.Start(r.PathValue("id")))
	})
	mux.HandleFunc("POST "+ControlPrefix+"sessions/{id}/complete", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Face          string            `json:"face"`
			FaceImage     []byte            `json:"face_image"`
			Document      *sandbox.Document `json:"document"`
			Preset        string            `json:"document_preset"`
			DocumentImage []byte            `json:"document_image"`
			IPAddress     string            `json:"ip_address"`
			Incomparable  bool              `json:"incomparable"`
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			badBody(w, err, `{"face":"alice"} or {"face_image":"<base64>"}, optionally with "document_preset" (valid, fake, expired, minor, other_face, none), "document" (a sandbox.Document), "document_image", "ip_address", "incomparable"`)
			return
		}
		c := Capture{Face: body.FaceImage, Document: body.DocumentImage, IPAddress: body.IPAddress, Incomparable: body.Incomparable}
		if body.Face != "" {
			c.Face = sandbox.FaceImage(body.Face)
		}
		if body.Document != nil {
			c.Document = sandbox.DocumentImage(*body.Document)
		}
		if body.Preset != "" {
			if body.Document != nil || body.DocumentImage != nil {
				sandbox.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_capture",
					"message": "give the document one way: document_preset, document or document_image"})
				return
			}
			face := body.Face
			if face == "" && len(c.Face) > 0 {
				face = sandbox.FaceOf(c.Face)
			}
			d, err := e.presetDocument(face, body.Preset)
			if err != nil {
				e.answer(w, r.PathValue("id"), err)
				return
			}
			if d != nil {
				c.Document = sandbox.DocumentImage(*d)
			}
		}
		e.answer(w, r.PathValue("id"), e.Complete(r.PathValue("id"), c))
	})
	mux.HandleFunc("POST "+ControlPrefix+"sessions/{id}/fail", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			ErrorMessage string `json:"error_message"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			badBody(w, err, `{"error_message":"liveness_check_failed"}`)
			return
		}
		e.answer(w, r.PathValue("id"), e.Fail(r.PathValue("id"), body.ErrorMessage))
	})
	mux.HandleFunc("GET "+ControlPrefix+"sessions/{id}", func(w http.ResponseWriter, r *http.Request) {
		info, ok := e.Session(r.PathValue("id"))
		if !ok {
			e.answer(w, r.PathValue("id"), ErrUnknownSession)
			return
		}
		sandbox.WriteJSON(w, http.StatusOK, info)
	})
	mux.HandleFunc("GET "+SpecPath, e.serveSpec)
	mux.HandleFunc("GET "+ControlPrefix+"enrollments", func(w http.ResponseWriter, r *http.Request) {
		list := e.Enrollments()
		if list == nil {
			list = []Enrollment{}
		}
		sandbox.WriteJSON(w, http.StatusOK, list)
	})
	return limitBody(func(r *http.Request) int64 {
		if strings.HasSuffix(r.URL.Path, "/complete") {
			return controlImageBodyBytes
		}
		return controlBodyBytes
	}, mux)
}

// badBody answers a control body that does not decode: 413 when it outgrew its bound,
// else 400 saying what the endpoint expects.
func badBody(w http.ResponseWriter, err error, want string) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		tooLarge(w, tooBig.Limit)
		return
	}
	sandbox.WriteJSON(w, http.StatusBadRequest, map[string]string{
		"error": "invalid_body", "message": "expected a JSON object " + want + ": " + err.Error()})
}

// answer writes the outcome of a helper call on session id.
func (e *Emulator) answer(w http.ResponseWriter, id string, err error) {
	switch {
	case err == nil:
		info, _ := e.Session(id)
		sandbox.WriteJSON(w, http.StatusOK, info)
	case errors.Is(err, ErrUnknownSession):
		sandbox.WriteJSON(w, http.StatusNotFound, map[string]string{"error": "session_not_found",
			"message": "no session with this id (unknown, or forgotten after its retention)"})
	case errors.Is(err, ErrSessionFinished):
		sandbox.WriteJSON(w, http.StatusConflict, map[string]string{"error": "session_finished",
			"message": "the capture of this session already ended; start a new session"})
	default:
		sandbox.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_capture", "message": err.Error()})
	}
}
