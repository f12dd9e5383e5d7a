package verisoultest_test

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

var otherProject = verisoultest.Project{ID: "7d2b5c1e-0000-4000-8000-0000000000aa", APIKey: "groups-key", GroupsEnabled: true}

// TestContractCoverage reaches every documented status of every operation of both specs
// through the generated clients, and holds each exchange against the spec both ways.
// The last subtest fails when a spec documents a status no case reaches.
func TestContractCoverage(t *testing.T) {
	type call func(e *env) int
	wrongKey := func(c call) call {
		return func(e *env) int { e.key = "not-the-key"; return c(e) }
	}
	// limited runs c twice under a limit of one request per minute: the second is 429.
	limited := func(setup func(e *env) string, c func(e *env, id string) int) func(e *env) int {
		return func(e *env) int { id := setup(e); c(e, id); return c(e, id) }
	}
	none := func(*env) string { return uuid.NewString() }

	createFM := func(e *env) int {
		res, err := e.fm.CreateFaceMatchSessionWithResponse(ctx, &facematch.CreateFaceMatchSessionParams{})
		require.NoError(t, err)
		return res.StatusCode()
	}
	createIDC := func(e *env) int {
		res, err := e.idc.CreateIDCheckSessionWithResponse(ctx, &idcheck.CreateIDCheckSessionParams{Id: true})
		require.NoError(t, err)
		return res.StatusCode()
	}
	redirectFM := func(project string) call {
		return func(e *env) int {
			res, err := e.fm.RedirectToFaceMatchWithResponse(ctx, &facematch.RedirectToFaceMatchParams{ProjectId: uuid.MustParse(project)})
			require.NoError(t, err)
			if res.StatusCode() == http.StatusFound {
				require.NotNil(t, res.Headers302)
				assert.Contains(t, res.Headers302.Location, verisoultest.AppPath+"?session_id=")
			}
			return res.StatusCode()
		}
	}
	redirectIDC := func(project string) call {
		return func(e *env) int {
			res, err := e.idc.RedirectToIDCheckWithResponse(ctx, &idcheck.RedirectToIDCheckParams{ProjectId: uuid.MustParse(project), Id: "true"})
			require.NoError(t, err)
			return res.StatusCode()
		}
	}
	enrollFM := func(e *env, id string) int { return e.enroll(id, "acct-1").StatusCode() }
	enrollIDC := func(e *env, id string) int {
		res, err := e.idc.EnrollIDCheckWithResponse(ctx, idcheck.EnrollRequest{SessionId: uuid.MustParse(id), AccountId: "acct-1"})
		require.NoError(t, err)
		return res.StatusCode()
	}
	verifyFace := func(e *env, id string) int { return e.verifyFace(id).StatusCode() }
	verifyID := func(e *env, id string) int { return e.verifyID(id).StatusCode() }
	verifyIdentity := func(e *env, id string) int { return e.verifyIdentity(id, "acct-1").StatusCode() }
	verifyUniqueness := func(e *env, id string) int { return e.verifyUniqueness(id).StatusCode() }
	verifyDocument := func(e *env, id string) int { return e.verifyDocument(id).StatusCode() }

	completedFM := func(e *env) string {
		id := e.faceMatchSession()
		require.NoError(t, e.emu.CompleteAs(id, "alice"))
		return id
	}
	completedIDC := func(e *env) string {
		id := e.idCheckSession()
		require.NoError(t, e.emu.CompleteWithDocument(id, "alice", e.emu.DocumentFor("alice")))
		return id
	}
	on := func(setup func(e *env) string, c func(e *env, id string) int) call {
		return func(e *env) int { return c(e, setup(e)) }
	}
	// tooLarge declares a 1 GiB body, which is refused (413) before a byte is read.
	tooLarge := func(method, target string) call {
		return func(e *env) int {
			code := e.direct(oversized(t, method, target))
			e.expectProblems(contract.RuleBodyTooLarge)
			return code
		}
	}
	// injected makes the next call of op fail with 503 from the fault injector.
	injected := func(op string, c call) call {
		return func(e *env) int {
			require.NoError(t, e.emu.Faults().Set(sandbox.FaultRule{Operation: op, Kind: sandbox.FaultError, Status: 503, Rate: 1}))
			return c(e)
		}
	}
	redirectQuery := "/public/liveness-redirect?project_id=" + verisoultest.DefaultProjectID

	cases := []struct {
		spec   *contract.Spec
		op     string
		status int
		opts   []verisoultest.Option
		run    call
	}{
		{fmSpec, "createFaceMatchSession", 200, nil, createFM},
		{fmSpec, "createFaceMatchSession", 400, []verisoultest.Option{verisoultest.WithGroupsEnabled()}, createFM},
		{fmSpec, "createFaceMatchSession", 401, nil, wrongKey(createFM)},
		{fmSpec, "createFaceMatchSession", 429, []verisoultest.Option{verisoultest.WithRateLimit(1, time.Minute)}, limited(none, func(e *env, _ string) int { return createFM(e) })},
		{fmSpec, "redirectToFaceMatch", 302, nil, redirectFM(verisoultest.DefaultProjectID)},
		{fmSpec, "redirectToFaceMatch", 400, nil, redirectFM(uuid.NewString())},
		{fmSpec, "enrollFaceMatch", 200, nil, on(completedFM, enrollFM)},
		{fmSpec, "enrollFaceMatch", 400, nil, on(none, enrollFM)},
		{fmSpec, "enrollFaceMatch", 401, nil, wrongKey(on(none, enrollFM))},
		{fmSpec, "enrollFaceMatch", 429, []verisoultest.Option{verisoultest.WithRateLimit(1, time.Minute)}, limited(none, enrollFM)},
		{fmSpec, "verifyFace", 200, nil, on(completedFM, verifyFace)},
		{fmSpec, "verifyFace", 400, nil, on(none, verifyFace)},
		{fmSpec, "verifyFace", 401, nil, wrongKey(on(none, verifyFace))},
		{fmSpec, "verifyFace", 429, []verisoultest.Option{verisoultest.WithRateLimit(1, time.Minute)}, limited(none, verifyFace)},
		{fmSpec, "verifyIdentityFaceMatch", 200, nil, func(e *env) int {
			e.enrolled("alice", "acct-1")
			return verifyIdentity(e, completedFM(e))
		}},
		{fmSpec, "verifyIdentityFaceMatch", 400, nil, on(completedFM, verifyIdentity)}, // account_not_found
		{fmSpec, "verifyIdentityFaceMatch", 401, nil, wrongKey(on(none, verifyIdentity))},
		{fmSpec, "verifyIdentityFaceMatch", 429, []verisoultest.Option{verisoultest.WithRateLimit(1, time.Minute)}, limited(none, verifyIdentity)},
		{fmSpec, "verifyUniqueness", 200, nil, on(completedFM, verifyUniqueness)},
		{fmSpec, "verifyUniqueness", 400, nil, on(none, verifyUniqueness)},
		{fmSpec, "verifyUniqueness", 401, nil, wrongKey(on(none, verifyUniqueness))},
		{fmSpec, "verifyUniqueness", 429, []verisoultest.Option{verisoultest.WithRateLimit(1, time.Minute)}, limited(none, verifyUniqueness)},

		{idcSpec, "createIDCheckSession", 200, nil, createIDC},
		{idcSpec, "createIDCheckSession", 400, []verisoultest.Option{verisoultest.WithGroupsEnabled()}, createIDC},
		{idcSpec, "createIDCheckSession", 401, nil, wrongKey(createIDC)},
		{idcSpec, "createIDCheckSession", 429, []verisoultest.Option{verisoultest.WithRateLimit(1, time.Minute)}, limited(none, func(e *env, _ string) int { return createIDC(e) })},
		{idcSpec, "redirectToIDCheck", 302, nil, redirectIDC(verisoultest.DefaultProjectID)},
		{idcSpec, "redirectToIDCheck", 400, []verisoultest.Option{verisoultest.WithProject(otherProject)}, redirectIDC(otherProject.ID)}, // groups_enabled
		{idcSpec, "enrollIDCheck", 200, nil, on(completedIDC, enrollIDC)},
		{idcSpec, "enrollIDCheck", 400, nil, on(none, enrollIDC)},
		{idcSpec, "enrollIDCheck", 401, nil, wrongKey(on(none, enrollIDC))},
		{idcSpec, "enrollIDCheck", 429, []verisoultest.Option{verisoultest.WithRateLimit(1, time.Minute)}, limited(none, enrollIDC)},
		{idcSpec, "verifyID", 200, nil, on(completedIDC, verifyID)},
		{idcSpec, "verifyID", 400, nil, on(none, verifyID)},
		{idcSpec, "verifyID", 401, nil, wrongKey(on(none, verifyID))},
		{idcSpec, "verifyID", 429, []verisoultest.Option{verisoultest.WithRateLimit(1, time.Minute)}, limited(none, verifyID)},
		{idcSpec, "verifyDocument", 200, nil, on(completedIDC, verifyDocument)},
		{idcSpec, "verifyDocument", 400, nil, on(none, verifyDocument)},
		{idcSpec, "verifyDocument", 401, nil, wrongKey(on(none, verifyDocument))},
		{idcSpec, "verifyDocument", 429, []verisoultest.Option{verisoultest.WithRateLimit(1, time.Minute)}, limited(none, verifyDocument)},

		// Answers from outside the emulator proper: the body limit and injected faults.
		{fmSpec, "createFaceMatchSession", 413, nil, tooLarge("GET", "/liveness/session")},
		{fmSpec, "redirectToFaceMatch", 413, nil, tooLarge("GET", redirectQuery)},
		{fmSpec, "enrollFaceMatch", 413, nil, tooLarge("POST", "/liveness/enroll")},
		{fmSpec, "verifyFace", 413, nil, tooLarge("POST", "/liveness/verify-face")},
		{fmSpec, "verifyIdentityFaceMatch", 413, nil, tooLarge("POST", "/liveness/verify-identity")},
		{idcSpec, "createIDCheckSession", 413, nil, tooLarge("GET", "/liveness/session?id=true")},
		{idcSpec, "redirectToIDCheck", 413, nil, tooLarge("GET", redirectQuery+"&id=true")},
		{idcSpec, "enrollIDCheck", 413, nil, tooLarge("POST", "/liveness/enroll")},
		{idcSpec, "verifyID", 413, nil, tooLarge("POST", "/liveness/verify-id")},
		{fmSpec, "verifyUniqueness", 413, nil, tooLarge("POST", "/liveness/verify-uniqueness")},
		{idcSpec, "verifyDocument", 413, nil, tooLarge("POST", "/liveness/verify-document")},
		{fmSpec, "createFaceMatchSession", 503, nil, injected("createFaceMatchSession", createFM)},
		{fmSpec, "redirectToFaceMatch", 503, nil, injected("redirectToFaceMatch", redirectFM(verisoultest.DefaultProjectID))},
		{fmSpec, "enrollFaceMatch", 503, nil, on(completedFM, func(e *env, id string) int {
			return injected("enrollFaceMatch", func(e *env) int { return enrollFM(e, id) })(e)
		})},
		{fmSpec, "verifyFace", 503, nil, injected("verifyFace", on(none, verifyFace))},
		{fmSpec, "verifyIdentityFaceMatch", 503, nil, injected("verifyIdentityFaceMatch", on(none, verifyIdentity))},
		{idcSpec, "createIDCheckSession", 503, nil, injected("createIDCheckSession", createIDC)},
		{idcSpec, "redirectToIDCheck", 503, nil, injected("redirectToIDCheck", redirectIDC(verisoultest.DefaultProjectID))},
		{idcSpec, "enrollIDCheck", 503, nil, on(completedIDC, func(e *env, id string) int {
			return injected("enrollIDCheck", func(e *env) int { return enrollIDC(e, id) })(e)
		})},
		{idcSpec, "verifyID", 503, nil, injected("verifyID", on(none, verifyID))},
		{fmSpec, "verifyUniqueness", 503, nil, injected("verifyUniqueness", on(none, verifyUniqueness))},
		{idcSpec, "verifyDocument", 503, nil, injected("verifyDocument", on(none, verifyDocument))},
	}
	reached := map[string]bool{}
	for _, c := range cases {
		name := c.op + "/" + strconv.Itoa(c.status)
		if c.status >= 500 {
			name = c.op + "/5XX" // documented as a range
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, c.opts...)
			require.Equal(t, c.status, c.run(e))
			x := e.checkLast(c.spec)
			op, ok := c.spec.FindOperation(x.req)
			require.True(t, ok)
			if c.spec == idcSpec && op == "enrollIDCheck" {
				// Same server path as enrollFaceMatch; the ID Check spec names it so.
				assert.Equal(t, "/liveness/enroll", x.req.URL.Path)
			}
			assert.Equal(t, c.op, op)
			reached[c.spec.Name+" "+name] = true
		})
	}
	t.Run("every documented status is reached", func(t *testing.T) {
		var missing []string
		for _, spec := range []*contract.Spec{fmSpec, idcSpec} {
			for _, item := range spec.Doc.Paths.Map() {
				for _, op := range item.Operations() {
					for code := range op.Responses.Map() {
						key := fmt.Sprintf("%s %s/%s", spec.Name, op.OperationID, code)
						if !reached[key] {
							missing = append(missing, key)
						}
					}
				}
			}
		}
		sort.Strings(missing)
		assert.Empty(t, missing)
	})
}
