package hostile_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// garbage is a hostile answer a vendor (or something in front of it) may give.
type garbage struct {
	name        string
	status      int
	contentType string
	body        []byte
	// want is the error every step must return for it.
	want error
}

// wrongTypes answers every field name the three vendors use with a value of the wrong
// JSON type.
const wrongTypes = `{"session_id": 42, "request_id": ["x"], "success": "yes", "match": "no", "decision": 7,
"risk_score": "high", "token": 123, "user_id": false, "pod": {}, "passed": "true", "type": 1, "up": "yes",
"claim_aborted": "no", "user_informed": 0, "access_token": 99, "expires_in": "soon", "status": 5, "name": [],
"data": "ok", "id": 1, "_id": 2, "appRegistration": "x", "documentValidation": 3, "person": 4, "result": "a",
"score": "high", "metadata": "m", "matches": 1, "document_signals": 2, "document_data": 3, "signals": "s",
"frame": 12, "userId": 3, "enrolled": "y", "existing": "n", "expiresAt": 4}`

func garbages() []garbage {
	big := append([]byte(`{"session_id":"`), bytes.Repeat([]byte("A"), 10<<20)...)
	big = append(big, `"}`...)
	return []garbage{
		{"truncated JSON", 200, "application/json", []byte(`{"session_id": "00022912-cbaa-42`), transport.ErrDecode},
		{"HTML 502 page", 502, "text/html", []byte("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"), transport.ErrServer},
		{"200 with wrong types", 200, "application/json", []byte(wrongTypes), transport.ErrDecode},
		{"10 MB body", 200, "application/json", big, transport.ErrBodyTooLarge},
		{"empty 200", 200, "application/json", nil, transport.ErrDecode},
		{"JSON null", 200, "application/json", []byte("null"), transport.ErrDecode},
	}
}

// hostileServer answers every vendor request with g, except the requests pass answers
// itself (an OAuth token, so the step after it is reached).
func hostileServer(t *testing.T, g garbage, pass func(w http.ResponseWriter, r *http.Request) bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if pass != nil && pass(w, r) {
			return
		}
		w.Header().Set("Content-Type", g.contentType)
		w.WriteHeader(g.status)
		_, _ = w.Write(g.body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// step is one backend step of a client, run against a hostile server at base.
type step struct {
	name string
	run  func(t *testing.T, base string) error
}

// TestHostileResponses points every step of the three clients at a server answering
// garbage, with contract checking off (the production default): each must return a
// typed error that says what went wrong — never a panic, never a success made of zero
// values.
func TestHostileResponses(t *testing.T) {
	vendors := []struct {
		vendor string
		steps  []step
		pass   func(w http.ResponseWriter, r *http.Request) bool
	}{
		{"verisoul", verisoulSteps(), nil},
		{"iproov", iproovSteps(), iproovAccessToken},
		{"verifik", verifikSteps(), nil},
	}
	for _, v := range vendors {
		for _, g := range garbages() {
			for _, s := range v.steps {
				t.Run(v.vendor+"/"+s.name+"/"+g.name, func(t *testing.T) {
					srv := hostileServer(t, g, v.pass)
					var err error
					require.NotPanics(t, func() { err = s.run(t, srv.URL) })
					require.Error(t, err, "garbage must not pass as a result")
					assert.ErrorIs(t, err, g.want, "got %T: %v", err, err)
					assert.False(t, errors.Is(err, transport.ErrValidation), "not the caller's fault: %v", err)
					assertTyped(t, err)
					assert.Less(t, len(err.Error()), 600, "the error does not quote the body")
					assert.NotContains(t, err.Error(), "AAAAAAAAAAAAAAAA")
				})
			}
		}
	}
}

// assertTyped requires one of the transport's typed errors in err's chain.
func assertTyped(t *testing.T, err error) {
	t.Helper()
	var (
		apiErr *transport.APIError
		decErr *transport.DecodeError
		bigErr *transport.BodyTooLargeError
	)
	if errors.As(err, &apiErr) || errors.As(err, &decErr) || errors.As(err, &bigErr) {
		return
	}
	t.Errorf("want *transport.APIError, *transport.DecodeError or *transport.BodyTooLargeError, got %T: %v", err, err)
}

func verisoulSteps() []step {
	client := func(t *testing.T, base string) *verisoul.Client {
		c, err := verisoul.New("hostile-verisoul-key", verisoul.WithEnvironment(verisoul.Sandbox),
			verisoul.WithBaseURL(base), verisoul.WithTransport(noRetry))
		require.NoError(t, err)
		return c
	}
	fm := verisoul.Session{ID: goodUUID, Product: verisoul.FaceMatch, CreatedAt: time.Now()}
	idc := verisoul.Session{ID: goodUUID, Product: verisoul.IDCheck, CreatedAt: time.Now()}
	return []step{
		{"start session", func(t *testing.T, b string) error {
			_, err := client(t, b).StartSession(ctx, verisoul.SessionOptions{})
			return err
		}},
		{"start ID check session", func(t *testing.T, b string) error {
			_, err := client(t, b).StartIDCheckSession(ctx, verisoul.SessionOptions{})
			return err
		}},
		{"verify face", func(t *testing.T, b string) error { _, err := client(t, b).VerifyFace(ctx, fm); return err }},
		{"verify id", func(t *testing.T, b string) error { _, err := client(t, b).VerifyID(ctx, idc); return err }},
		{"verify identity", func(t *testing.T, b string) error {
			_, err := client(t, b).VerifyIdentity(ctx, fm, "acct-1")
			return err
		}},
		{"verify uniqueness (legacy)", func(t *testing.T, b string) error { _, err := client(t, b).VerifyUniqueness(ctx, fm); return err }},
		{"verify document (legacy)", func(t *testing.T, b string) error { _, err := client(t, b).VerifyDocument(ctx, idc); return err }},
		{"enroll face match", func(t *testing.T, b string) error { _, err := client(t, b).Enroll(ctx, fm, "acct-1"); return err }},
		{"enroll id check", func(t *testing.T, b string) error { _, err := client(t, b).Enroll(ctx, idc, "acct-1"); return err }},
		{"check uniqueness", func(t *testing.T, b string) error {
			_, err := client(t, b).CheckUniqueness(ctx, fm, "acct-1", nil)
			return err
		}},
		{"check id", func(t *testing.T, b string) error {
			_, err := client(t, b).CheckID(ctx, idc, "acct-1", nil)
			return err
		}},
		{"public redirect", func(t *testing.T, b string) error {
			_, err := client(t, b).PublicRedirect(ctx, verisoul.PublicRedirectOptions{ProjectID: goodUUID})
			return err
		}},
		{"public redirect id check", func(t *testing.T, b string) error {
			_, err := client(t, b).PublicRedirect(ctx, verisoul.PublicRedirectOptions{ProjectID: goodUUID, IDCheck: true})
			return err
		}},
	}
}

// iproovAccessToken answers the OAuth token request well, so the Management API steps
// reach their own (hostile) answer.
func iproovAccessToken(w http.ResponseWriter, r *http.Request) bool {
	if !strings.HasSuffix(r.URL.Path, "/access_token") {
		return false
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"access_token":"hostileaccesstoken0123456789","token_type":"Bearer","expires_in":3600,"scope":["user-read","user-write","user-write-status"]}`))
	return true
}

func iproovSteps() []step {
	client := func(t *testing.T, base string) *iproov.Client {
		c, err := iproov.New("hostileapikey0000000000000000000000000000", "hostilesecret000000000000000000000000000",
			iproov.WithBaseURL(base), iproov.WithOAuth("hostile-user", "hostile-pass"), iproov.WithTransport(noRetry))
		require.NoError(t, err)
		return c
	}
	claim := func(kind iproov.ClaimType) *iproov.Claim {
		return &iproov.Claim{Type: kind, Token: sandbox.RandomHex(32), UserID: "hostile-user", IssuedAt: time.Now()}
	}
	req := iproov.TokenRequest{UserID: "hostile-user", Resource: "onboarding"}
	photo := iproov.Photo{Image: sandbox.FaceImage("hostile"), Source: iproov.SourceOID}
	return []step{
		{"enrol token", func(t *testing.T, b string) error { _, err := client(t, b).EnrolToken(ctx, req); return err }},
		{"verify token", func(t *testing.T, b string) error { _, err := client(t, b).VerifyToken(ctx, req); return err }},
		{"enrol image", func(t *testing.T, b string) error {
			_, err := client(t, b).EnrolImage(ctx, claim(iproov.Enrol), photo)
			return err
		}},
		{"photo enrol", func(t *testing.T, b string) error {
			_, err := client(t, b).PhotoEnrol(ctx, iproov.PhotoEnrolRequest{TokenRequest: req, Photo: photo})
			return err
		}},
		{"enrol validate", func(t *testing.T, b string) error {
			_, err := client(t, b).EnrolValidate(ctx, claim(iproov.Enrol), iproov.ValidateOptions{})
			return err
		}},
		{"verify validate", func(t *testing.T, b string) error {
			_, err := client(t, b).VerifyValidate(ctx, claim(iproov.Verify), iproov.ValidateOptions{})
			return err
		}},
		{"invalidate", func(t *testing.T, b string) error {
			_, err := client(t, b).Invalidate(ctx, claim(iproov.Verify), "user left")
			return err
		}},
		{"availability", func(t *testing.T, b string) error { _, err := client(t, b).Available(ctx); return err }},
		{"get user", func(t *testing.T, b string) error { _, err := client(t, b).GetUser(ctx, "hostile-user"); return err }},
		{"update user", func(t *testing.T, b string) error {
			_, err := client(t, b).UpdateUser(ctx, "hostile-user", iproov.UserUpdate{Name: "Hostile"})
			return err
		}},
		{"delete user", func(t *testing.T, b string) error { _, err := client(t, b).DeleteUser(ctx, "hostile-user"); return err }},
		{"activate user", func(t *testing.T, b string) error {
			_, err := client(t, b).ActivateUser(ctx, "hostile-user", time.Time{})
			return err
		}},
		{"suspend user", func(t *testing.T, b string) error {
			_, err := client(t, b).SuspendUser(ctx, "hostile-user", time.Time{})
			return err
		}},
	}
}

func verifikSteps() []step {
	client := func(t *testing.T, base string) *verifik.Client {
		c, err := verifik.New("hostile-verifik-token", verifik.WithBaseURL(base), verifik.WithTransport(noRetry))
		require.NoError(t, err)
		return c
	}
	flow := verifik.Flow{
		ProjectID: "65f0c0ffee000000000000a1", FlowID: "65f0c0ffee000000000000a2", RedirectURL: "https://acme.example/welcome",
		Steps: map[string]verifik.Requirement{
			verifik.StepSignUpForm: verifik.Mandatory, verifik.StepDocument: verifik.Optional, verifik.StepLiveness: verifik.Optional,
		},
		EmailCode: true, PhoneCode: true, VerifyNames: true, VerifyCriminal: true, CompareMinScore: 0.67,
	}
	// registrant is one far enough along that every step's own rules let it call Verifik.
	registrant := func(t *testing.T, base string) *verifik.Registrant {
		r, err := client(t, base).Resume(verifik.State{
			AppRegistrationID: "65f0c0ffee000000000000b1", InformationValidationID: "65f0c0ffee000000000000b2",
			Token: "hostile-registrant-token", Flow: flow,
			Email: "hostile@example.com", Phone: "3001234567", CountryCode: "+57",
			EmailValidationID: "65f0c0ffee000000000000b3", EmailExpiresAt: time.Now().Add(time.Hour), EmailVerified: true,
			PhoneValidationID: "65f0c0ffee000000000000b4", PhoneExpiresAt: time.Now().Add(time.Hour), PhoneVerified: true,
			DocumentValidationID: "65f0c0ffee000000000000b5", DocumentStatus: "ACTIVE", PersonID: "65f0c0ffee000000000000b6",
			Status: verifik.Ongoing,
		})
		require.NoError(t, err)
		return r
	}
	front := verifik.ImageOf(sandbox.FaceJPEG("hostile"))
	return []step{
		{"setup", func(t *testing.T, b string) error {
			_, err := client(t, b).Setup(ctx, project("hostile"), verifik.BasicEnrollment("https://acme.example/welcome"))
			return err
		}},
		{"flow", func(t *testing.T, b string) error { _, err := client(t, b).Flow(ctx, flow.FlowID); return err }},
		{"projects", func(t *testing.T, b string) error {
			_, err := client(t, b).Projects(ctx, verifik.ProjectFilter{})
			return err
		}},
		{"project", func(t *testing.T, b string) error { _, err := client(t, b).Project(ctx, flow.ProjectID); return err }},
		{"update project", func(t *testing.T, b string) error {
			_, err := client(t, b).UpdateProject(ctx, flow.ProjectID, verifik.ProjectUpdate{Status: verifik.ProjectPaused})
			return err
		}},
		{"delete project", func(t *testing.T, b string) error { return client(t, b).DeleteProject(ctx, flow.ProjectID) }},
		{"register", func(t *testing.T, b string) error {
			_, err := client(t, b).Register(ctx, flow, verifik.Registration{Email: "hostile@example.com", Phone: "3001234567", CountryCode: "+57"})
			return err
		}},
		{"review", func(t *testing.T, b string) error {
			_, err := client(t, b).Review(ctx, "65f0c0ffee000000000000b1")
			return err
		}},
		{"delete registration", func(t *testing.T, b string) error {
			return client(t, b).DeleteRegistration(ctx, "65f0c0ffee000000000000b1")
		}},
		{"refresh", func(t *testing.T, b string) error { _, err := registrant(t, b).Refresh(ctx); return err }},
		{"send email code", func(t *testing.T, b string) error { _, err := registrant(t, b).SendEmailCode(ctx); return err }},
		{"confirm email code", func(t *testing.T, b string) error { return registrant(t, b).ConfirmEmailCode(ctx, "123456") }},
		{"send phone code", func(t *testing.T, b string) error {
			_, err := registrant(t, b).SendPhoneCode(ctx, verifik.SMS)
			return err
		}},
		{"confirm phone code", func(t *testing.T, b string) error { return registrant(t, b).ConfirmPhoneCode(ctx, "123456") }},
		{"submit document", func(t *testing.T, b string) error {
			_, err := registrant(t, b).SubmitDocument(ctx, verifik.Document{Front: front, Force: true})
			return err
		}},
		{"submit selfie", func(t *testing.T, b string) error {
			_, err := registrant(t, b).SubmitSelfie(ctx, verifik.Selfie{Image: front, OS: verifik.IOS, Force: true})
			return err
		}},
		{"retake selfie", func(t *testing.T, b string) error {
			_, err := registrant(t, b).RetakeSelfie(ctx, verifik.Selfie{Image: front, OS: verifik.IOS})
			return err
		}},
		{"change phone", func(t *testing.T, b string) error {
			_, err := registrant(t, b).ChangePhone(ctx, "3009876543", "+57", verifik.SMS)
			return err
		}},
		{"compare faces", func(t *testing.T, b string) error { _, err := registrant(t, b).CompareFaces(ctx); return err }},
		{"check names", func(t *testing.T, b string) error { _, err := registrant(t, b).CheckNames(ctx); return err }},
		{"check criminal record", func(t *testing.T, b string) error {
			_, err := registrant(t, b).CheckCriminalRecord(ctx)
			return err
		}},
		{"advance", func(t *testing.T, b string) error { return registrant(t, b).Advance(ctx, verifik.StepDocument) }},
		{"finish", func(t *testing.T, b string) error {
			_, err := registrant(t, b).Finish(ctx, verifik.Completed)
			return err
		}},
		{"skip KYC", func(t *testing.T, b string) error { _, err := registrant(t, b).SkipKYC(ctx); return err }},
	}
}
