package hostile_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

func verisoulTenancy(t *testing.T) (map[string]tenancyCase, []string) {
	const (
		keyA, keyB = verisoultest.DefaultAPIKey, "tenant-b-verisoul-key"
		projB      = "00000000-0000-4000-8000-0000000000b2"
	)
	emu := verisoultest.New(verisoultest.WithProject(verisoultest.Project{ID: projB, APIKey: keyB}))
	h := emu.Handler()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	client := func(key string) *verisoul.Client {
		c, err := verisoul.New(key, verisoul.WithEnvironment(verisoul.Sandbox), verisoul.WithBaseURL(srv.URL), verisoul.WithTransport(noRetry))
		require.NoError(t, err)
		return c
	}
	a, b := client(keyA), client(keyB)
	completed := func(c *verisoul.Client, face string) verisoul.Session {
		s, err := c.StartSession(ctx, verisoul.SessionOptions{})
		require.NoError(t, err)
		require.NoError(t, emu.CompleteAs(s.ID, face))
		return s
	}
	// Tenant A: an enrolled Face Match session, an ID Check one, one completed but not enrolled.
	sA := completed(a, "tenant-a-face")
	out, err := a.CheckUniqueness(ctx, sA, "acct-tenant-a", nil)
	require.NoError(t, err)
	require.True(t, out.Enrolled())
	idcA, err := a.StartIDCheckSession(ctx, verisoul.SessionOptions{})
	require.NoError(t, err)
	require.NoError(t, emu.CompleteWithDocument(idcA.ID, "tenant-a-face-id", emu.DocumentFor("tenant-a-face-id")))
	idOut, err := a.CheckID(ctx, idcA, "acct-tenant-a-id", nil)
	require.NoError(t, err)
	require.True(t, idOut.Enrolled(), "%v", idOut.Verdict)
	sA2 := completed(a, "tenant-a-face-2")
	// Tenant B: its own completed session.
	sB := completed(b, "tenant-b-face")
	// Tenant B: a capture of tenant A's enrolled face, for the legacy 1:N check.
	sBSameFace := completed(b, "tenant-a-face")
	markers := []string{"acct-tenant-a", sA.ID, sA2.ID, idcA.ID}

	verifyFace := func(id string, auth ...func(*http.Request)) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			r, err := facematch.NewVerifyFaceRequest(rawServer, facematch.VerifyFaceRequest{SessionId: uuid.MustParse(id)})
			return send(t, h, r, err, auth...)
		}
	}
	verifyID := func(id string, auth ...func(*http.Request)) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			r, err := idcheck.NewVerifyIDRequest(rawServer, idcheck.VerifyIDRequest{SessionId: uuid.MustParse(id)})
			return send(t, h, r, err, auth...)
		}
	}
	uniqueness := func(id string, auth ...func(*http.Request)) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			r, err := facematch.NewVerifyUniquenessRequest(rawServer, facematch.VerifyFaceRequest{SessionId: uuid.MustParse(id)})
			return send(t, h, r, err, auth...)
		}
	}
	verifyDocument := func(id string, auth ...func(*http.Request)) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			r, err := idcheck.NewVerifyDocumentRequest(rawServer, idcheck.VerifyIDRequest{SessionId: uuid.MustParse(id)})
			return send(t, h, r, err, auth...)
		}
	}
	identity := func(id, account string, auth ...func(*http.Request)) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			r, err := facematch.NewVerifyIdentityFaceMatchRequest(rawServer, facematch.VerifyIdentityRequest{SessionId: uuid.MustParse(id), AccountId: account})
			return send(t, h, r, err, auth...)
		}
	}
	enroll := func(id, account string, auth ...func(*http.Request)) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			r, err := facematch.NewEnrollFaceMatchRequest(rawServer, facematch.EnrollRequest{SessionId: uuid.MustParse(id), AccountId: account})
			return send(t, h, r, err, auth...)
		}
	}
	enrollIDC := func(id, account string, auth ...func(*http.Request)) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			r, err := idcheck.NewEnrollIDCheckRequest(rawServer, idcheck.EnrollRequest{SessionId: uuid.MustParse(id), AccountId: account})
			return send(t, h, r, err, auth...)
		}
	}
	ownCreated := func(product verisoul.Product) func(t *testing.T, status int, body string) {
		return func(t *testing.T, status int, body string) {
			var v struct {
				SessionID string `json:"session_id"`
			}
			require.NoError(t, json.Unmarshal([]byte(strings.SplitN(body, "\n", 2)[0]), &v))
			info, ok := emu.Session(v.SessionID)
			require.True(t, ok)
			assert.Equal(t, projB, info.ProjectID, "the session belongs to the caller's project")
			_, err := a.VerifyFace(ctx, verisoul.Session{ID: v.SessionID, Product: product})
			if product == verisoul.IDCheck {
				_, err = a.VerifyID(ctx, verisoul.Session{ID: v.SessionID, Product: product})
			}
			assert.Equal(t, verisoul.CodeSessionNotFound, verisoul.CodeOf(err), "the first project cannot see it")
		}
	}
	unchanged := func(t *testing.T) {
		info, ok := emu.Session(sA2.ID)
		require.True(t, ok)
		assert.Empty(t, info.AccountID, "the first project's session was not enrolled by the other")
		for _, e := range emu.Enrollments() {
			assert.NotEqual(t, "acct-tenant-b", e.AccountID)
		}
		res, err := a.VerifyIdentity(ctx, completed(a, "tenant-a-face"), "acct-tenant-a")
		require.NoError(t, err)
		assert.True(t, res.Matched(), "the first project's account is intact")
	}
	// Without a key the contract middleware refuses first (the spec makes the key a
	// required credential): 400 contract_violation naming the security rule.
	noKey := []int{400, 401}
	const publicRedirect = "Verisoul's public liveness redirect takes no API key by design (a link for temporary testing): it only creates a session in the project named by project_id and redirects to the hosted page with that new session"
	redirect := func(id bool) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			if id {
				r, err := idcheck.NewRedirectToIDCheckRequest(rawServer, &idcheck.RedirectToIDCheckParams{ProjectId: uuid.MustParse(verisoultest.DefaultProjectID), Id: "true"})
				return send(t, h, r, err)
			}
			r, err := facematch.NewRedirectToFaceMatchRequest(rawServer, &facematch.RedirectToFaceMatchParams{ProjectId: uuid.MustParse(verisoultest.DefaultProjectID)})
			return send(t, h, r, err)
		}
	}

	return map[string]tenancyCase{
		"verisoul/facematch/createFaceMatchSession": {
			anon: attempt{name: "no key", want: noKey, send: func(t *testing.T) (int, string) {
				r, err := facematch.NewCreateFaceMatchSessionRequest(rawServer, &facematch.CreateFaceMatchSessionParams{})
				return send(t, h, r, err)
			}},
			cross: []attempt{{name: "other project's key creates in its own project", want: []int{200}, check: ownCreated(verisoul.FaceMatch),
				send: func(t *testing.T) (int, string) {
					r, err := facematch.NewCreateFaceMatchSessionRequest(rawServer, &facematch.CreateFaceMatchSessionParams{})
					return send(t, h, r, err, apiKeyHeader(keyB))
				}}},
		},
		"verisoul/idcheck/createIDCheckSession": {
			anon: attempt{name: "no key", want: noKey, send: func(t *testing.T) (int, string) {
				r, err := idcheck.NewCreateIDCheckSessionRequest(rawServer, &idcheck.CreateIDCheckSessionParams{Id: true})
				return send(t, h, r, err)
			}},
			cross: []attempt{{name: "other project's key creates in its own project", want: []int{200}, check: ownCreated(verisoul.IDCheck),
				send: func(t *testing.T) (int, string) {
					r, err := idcheck.NewCreateIDCheckSessionRequest(rawServer, &idcheck.CreateIDCheckSessionParams{Id: true})
					return send(t, h, r, err, apiKeyHeader(keyB))
				}}},
		},
		"verisoul/facematch/redirectToFaceMatch": {
			public: publicRedirect,
			anon:   attempt{name: "no key", send: redirect(false)},
			cross: []attempt{{name: "unknown project", want: []int{400}, send: func(t *testing.T) (int, string) {
				r, err := facematch.NewRedirectToFaceMatchRequest(rawServer, &facematch.RedirectToFaceMatchParams{ProjectId: uuid.New()})
				return send(t, h, r, err, apiKeyHeader(keyB))
			}}},
		},
		"verisoul/idcheck/redirectToIDCheck": {
			public: publicRedirect,
			anon:   attempt{name: "no key", send: redirect(true)},
			cross: []attempt{{name: "unknown project", want: []int{400}, send: func(t *testing.T) (int, string) {
				r, err := idcheck.NewRedirectToIDCheckRequest(rawServer, &idcheck.RedirectToIDCheckParams{ProjectId: uuid.New(), Id: "true"})
				return send(t, h, r, err, apiKeyHeader(keyB))
			}}},
		},
		"verisoul/facematch/verifyFace": {
			anon:  attempt{name: "no key", want: noKey, send: verifyFace(sA.ID)},
			cross: []attempt{{name: "other project's key on the first's session", want: []int{400}, send: verifyFace(sA.ID, apiKeyHeader(keyB))}},
		},
		"verisoul/idcheck/verifyID": {
			anon:  attempt{name: "no key", want: noKey, send: verifyID(idcA.ID)},
			cross: []attempt{{name: "other project's key on the first's session", want: []int{400}, send: verifyID(idcA.ID, apiKeyHeader(keyB))}},
		},
		"verisoul/facematch/verifyUniqueness": {
			anon: attempt{name: "no key", want: noKey, send: uniqueness(sA.ID)},
			cross: []attempt{
				{name: "other project's key on the first's session", want: []int{400}, send: uniqueness(sA.ID, apiKeyHeader(keyB))},
				{name: "other project's capture of the first's enrolled face matches none of the first's accounts", want: []int{200},
					send: uniqueness(sBSameFace.ID, apiKeyHeader(keyB)),
					check: func(t *testing.T, _ int, body string) {
						var v struct {
							Matches []json.RawMessage `json:"matches"`
						}
						require.NoError(t, json.Unmarshal([]byte(strings.SplitN(body, "\n", 2)[0]), &v))
						assert.Empty(t, v.Matches)
					}},
			},
		},
		"verisoul/idcheck/verifyDocument": {
			anon:  attempt{name: "no key", want: noKey, send: verifyDocument(idcA.ID)},
			cross: []attempt{{name: "other project's key on the first's session", want: []int{400}, send: verifyDocument(idcA.ID, apiKeyHeader(keyB))}},
		},
		"verisoul/facematch/verifyIdentityFaceMatch": {
			anon: attempt{name: "no key", want: noKey, send: identity(sA.ID, "acct-tenant-a")},
			cross: []attempt{
				{name: "other project's session against the first's account", want: []int{400}, send: identity(sB.ID, "acct-tenant-a", apiKeyHeader(keyB))},
				{name: "other project's key on the first's session and account", want: []int{400}, send: identity(sA.ID, "acct-tenant-a", apiKeyHeader(keyB))},
			},
		},
		"verisoul/facematch/enrollFaceMatch": {
			anon:  attempt{name: "no key", want: noKey, send: enroll(sA2.ID, "acct-tenant-b")},
			cross: []attempt{{name: "other project's key enrols the first's session", want: []int{400}, send: enroll(sA2.ID, "acct-tenant-b", apiKeyHeader(keyB))}},
			after: unchanged,
		},
		"verisoul/idcheck/enrollIDCheck": {
			anon:  attempt{name: "no key", want: noKey, send: enrollIDC(sA2.ID, "acct-tenant-b")},
			cross: []attempt{{name: "other project's key enrols the first's session", want: []int{400}, send: enrollIDC(sA2.ID, "acct-tenant-b", apiKeyHeader(keyB))}},
			after: unchanged,
		},
	}, markers
}
