package verisoultest

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

// Hosted-page outcomes (the error_message of the redirect back, and the values of the
// simulate parameter), as Verisoul documents them.
const (
	Success               = "success"
	FailInvalidSessionID  = "invalid_session_id"
	FailSessionIDNotFound = "session_id_not_found"
	FailCameraPermission  = "failed_to_get_camera_permission"
	FailFaceScan          = "failed_to_complete_face_scan"
	FailLiveness          = "liveness_check_failed"
	FailIDScan            = "failed_to_process_id_scan"
	FailDeviceData        = "failed_to_collect_device_data"
)

// knownFailures are the error_message values a capture can end with.
var knownFailures = map[string]bool{
	FailInvalidSessionID: true, FailSessionIDNotFound: true, FailCameraPermission: true,
	FailFaceScan: true, FailLiveness: true, FailIDScan: true, FailDeviceData: true,
}

// failureCode maps how a capture ended to the 400 code verify and enroll answer for it.
// Verisoul documents the codes but not this mapping; it is inferred from their names: the
// user never got to the scan → not started; the scan did not finish → not complete.
func failureCode(failure string) string {
	switch failure {
	case FailLiveness:
		return "liveness_check_failed"
	case FailIDScan:
		return "id_scan_failed"
	case FailFaceScan, FailDeviceData:
		return "session_not_complete"
	default: // invalid_session_id, session_id_not_found, failed_to_get_camera_permission
		return "session_not_started"
	}
}

// newSession creates a session of p, in p's pool of redirect sessions when viaRedirect.
// It returns nil when that pool is at its cap and nothing in it may be evicted.
func (e *Emulator) newSession(p *project, product Product, referring, simulate string, viaRedirect bool) *session {
	s := &session{
		id:        sandbox.NewID(),
		project:   p,
		product:   product,
		created:   e.clock.Now(),
		referring: referring,
		simulate:  simulate,
		state:     Created,
	}
	// Verisoul's sandbox finishes a simulated session on its own (the hosted page waits a
	// few seconds and redirects); the emulator settles it at once.
	switch {
	case simulate == Success:
		s.state = Completed
		s.face = "simulated-" + s.id
		s.ip = ipFor(s.face)
		if product == IDCheck {
			d := e.documentFor(s.face)
			s.document = &d
		}
	case knownFailures[simulate]:
		s.state, s.failure = Failed, simulate
	}
	s.pool = p.keyed
	if viaRedirect {
		s.pool = p.redirects
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.admit(p, s.pool, s.created) {
		e.log.Info("verisoul sandbox: session cap reached, refusing a new session",
			"project_id", p.ID, "public_redirect", viaRedirect, "cap", s.pool.max)
		return nil
	}
	e.sessions[s.id] = s
	e.place(s)
	return s
}

// lookup finds a session of project p; another project's session does not exist for p.
// Callers hold e.mu (a read lock is enough).
func (e *Emulator) lookup(p *project, id string) *session {
	s, ok := e.sessions[strings.ToLower(id)]
	if !ok || s.project != p {
		return nil
	}
	return s
}

// readiness is the 400 code for a session that has no result yet, or "".
func (s *session) readiness() string {
	switch s.state {
	case Created:
		return "session_not_started"
	case Started:
		return "session_not_complete"
	case Failed:
		return failureCode(s.failure)
	}
	if s.product == IDCheck && s.document == nil {
		return "id_scan_not_complete"
	}
	return ""
}

func (e *Emulator) enroll(p *project, sessionID, accountID string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.lookup(p, sessionID)
	switch {
	case s == nil:
		return "session_not_found"
	case s.accountID != "":
		return "session_already_tied_to_an_account"
	case e.clock.Now().Sub(s.created) > EnrollWindow:
		return "session_older_than_30_days"
	}
	if code := s.readiness(); code != "" {
		return code
	}
	a, ok := p.accounts[accountID]
	if !ok {
		a = &account{id: accountID}
		p.accounts[accountID] = a
	}
	a.sessions = append(a.sessions, s)
	s.accountID, s.enrolledAt = accountID, e.clock.Now()
	p.gallery.add(a, s)
	e.place(s)
	return ""
}

// verification is a verify result in both generated shapes.
type verification struct {
	face facematch.VerifyFaceResponse // verify-face
	id   idcheck.VerifyIDResponse     // verify-id
}

// verify answers verify-face (product FaceMatch) or verify-id (IDCheck) for a session.
// Each product's verify call accepts only its own sessions.
func (e *Emulator) verify(p *project, sessionID string, endpoint Product) (verification, string) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	s := e.lookup(p, sessionID)
	switch {
	case s == nil:
		return verification{}, "session_not_found"
	case s.product != endpoint:
		return verification{}, "session_not_valid_for_this_endpoint"
	}
	if code := s.readiness(); code != "" {
		return verification{}, code
	}
	return e.buildVerification(s, e.links(s)), ""
}

func (e *Emulator) verifyIdentity(p *project, sessionID, accountID string) (success, match bool, code string) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	s := e.lookup(p, sessionID)
	switch {
	case s == nil:
		return false, false, "session_not_found"
	case s.product != FaceMatch:
		// The vendor documents no ID Check variant of verify-identity.
		return false, false, "session_not_valid_for_this_endpoint"
	}
	if code := s.readiness(); code != "" {
		return false, false, code
	}
	a, ok := p.accounts[accountID]
	if !ok {
		return false, false, "account_not_found"
	}
	if s.noCompare {
		return false, false, ""
	}
	for _, enrolled := range a.sessions {
		if enrolled.face == s.face {
			return true, true, ""
		}
	}
	return true, false, ""
}

// link is one enrolled account a session is linked to, and how.
type link struct {
	account string
	types   []string
}

// links lists the enrolled accounts of s's project, other than the one s is enrolled to,
// that share a face, an IP address, a document number or a document name with s. It
// asks the project's gallery index, so its cost follows the number of accounts linked,
// not the number enrolled. Callers hold e.mu (a read lock is enough).
func (e *Emulator) links(s *session) []link {
	const (
		face = 1 << iota
		ip
		number
		name
	)
	g := &s.project.gallery
	found := map[*account]int{}
	mark := func(accounts []*account, how int) {
		for _, a := range accounts {
			if a.id != s.accountID {
				found[a] |= how
			}
		}
	}
	mark(g.byFace[s.face], face)
	if s.ip != "" {
		mark(g.byIP[s.ip], ip)
	}
	if s.document != nil {
		mark(g.byNumber[numberKeyOf(s)], number)
		mark(g.byName[nameKeyOf(s)], name)
	}
	out := make([]link, 0, len(found))
	for a, how := range found {
		var types []string
		for _, t := range []struct {
			bit  int
			name string
		}{{face, "face"}, {ip, "ip_address"}, {number, "document_number"}, {name, "document_name"}} {
			if how&t.bit != 0 {
				types = append(types, t.name)
			}
		}
		out = append(out, link{account: a.id, types: types})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].account < out[j].account })
	return out
}

// ipFor gives each face a stable address in the benchmarking range 198.18.0.0/15, so a
// returning face also returns from the same network unless a capture says otherwise.
func ipFor(face string) string {
	h := sha256.Sum256([]byte(face))
	return fmt.Sprintf("198.%d.%d.%d", 18+h[0]%2, h[1], 1+h[2]%254)
}

// documentFor is a valid US driver licence for face: stable number and names derived from
// the face name, born 1990-01-01, expiring five years after the emulator's now.
func (e *Emulator) documentFor(face string) sandbox.Document {
	h := sha256.Sum256([]byte("doc:" + face))
	first := face
	if first != "" {
		first = strings.ToUpper(first[:1]) + first[1:]
	}
	return sandbox.Document{
		Kind:        "driver_license",
		Country:     "US",
		Number:      fmt.Sprintf("D%09d", (uint32(h[0])<<24|uint32(h[1])<<16|uint32(h[2])<<8|uint32(h[3]))%1_000_000_000),
		FirstName:   first,
		LastName:    "Sandbox",
		DateOfBirth: "1990-01-01",
		Expiry:      e.clock.Now().AddDate(5, 0, 0).Format(time.DateOnly),
		Face:        face,
	}
}

// DocumentFor returns a valid document showing face (a US driver licence with a stable
// number, expiring five years from the emulator's clock). Change fields to make it fake,
// expired, a minor's, or someone else's.
func (e *Emulator) DocumentFor(face string) sandbox.Document { return e.documentFor(face) }
