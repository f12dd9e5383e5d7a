package verisoul_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// sandboxClient starts the Verisoul emulator and a client pointed at it. In production:
// verisoul.New(apiKey, verisoul.WithEnvironment(verisoul.Production)).
func sandboxClient() (*verisoul.Client, *verisoultest.Emulator, func()) {
	emu := verisoultest.New()
	srv := httptest.NewServer(emu.Handler())
	client, err := verisoul.New(verisoultest.DefaultAPIKey,
		verisoul.WithEnvironment(verisoul.Sandbox),
		verisoul.WithBaseURL(srv.URL),
		verisoul.WithAppURL(srv.URL+verisoultest.AppPath),
		verisoul.WithContract(contract.ModeEnforce),
	)
	if err != nil {
		log.Fatal(err)
	}
	return client, emu, srv.Close
}

// userOnHostedPage plays the end user: opens the capture page as face and returns the
// URL the browser is sent back to.
func userOnHostedPage(page, face string) *url.URL {
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(page + "&face=" + face)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		log.Fatal(err)
	}
	return back
}

// Uniqueness (1:N) at sign-up: session, hosted page, verify-face, policy, enrol.
func ExampleClient_CheckUniqueness() {
	client, _, done := sandboxClient()
	defer done()
	ctx := context.Background()

	signUp := func(accountID, face string) {
		s, err := client.StartSession(ctx, verisoul.SessionOptions{})
		if err != nil {
			log.Fatal(err)
		}
		page, err := client.CaptureURL(s, verisoul.CaptureOptions{RedirectURL: "https://example.com/verisoul/done", Language: "en"})
		if err != nil {
			log.Fatal(err)
		}
		// The user completes the capture; your redirect handler receives:
		back, err := verisoul.ParseRedirect(userOnHostedPage(page, face))
		if err != nil || !back.Success {
			log.Fatal("capture failed: start a new session", err)
		}
		out, err := client.CheckUniqueness(ctx, s, accountID, verisoul.UniquenessRules())
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %s, enrolled: %v\n", accountID, out.Verdict, out.Enrolled())
	}
	signUp("user-1", "alice")
	signUp("user-2", "alice") // the same person again
	// Output:
	// user-1: accepted, enrolled: true
	// user-2: refused: decision Fake is not accepted; risk score 0.80 is above 0.50; risk flag repeat_face; linked to enrolled account(s) user-1, enrolled: false
}

// Authentication (1:1): enrol at sign-up, verify the same person later.
func ExampleClient_VerifyIdentity() {
	client, emu, done := sandboxClient()
	defer done()
	ctx := context.Background()

	// Sign-up.
	s, err := client.StartSession(ctx, verisoul.SessionOptions{})
	if err != nil {
		log.Fatal(err)
	}
	_ = emu.CompleteAs(s.ID, "alice") // the user on the hosted page
	if _, err := client.Enroll(ctx, s, "user-1"); err != nil {
		log.Fatal(err)
	}

	// Later, before a withdrawal: a new session each time.
	for _, face := range []string{"alice", "mallory"} {
		s, err := client.StartSession(ctx, verisoul.SessionOptions{})
		if err != nil {
			log.Fatal(err)
		}
		_ = emu.CompleteAs(s.ID, face)
		res, err := client.VerifyIdentity(ctx, s, "user-1")
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(face, res.Outcome, res.Matched())
	}

	// An account that was never enrolled is Verisoul's account_not_found.
	s, _ = client.StartSession(ctx, verisoul.SessionOptions{})
	_ = emu.CompleteAs(s.ID, "alice")
	_, err = client.VerifyIdentity(ctx, s, "user-404")
	fmt.Println(verisoul.CodeOf(err))
	// Output:
	// alice same_person true
	// mallory different_person false
	// account_not_found
}

// ID Check: session with id=true, verify-id, document policy, enrol.
func ExampleClient_CheckID() {
	client, emu, done := sandboxClient()
	defer done()
	ctx := context.Background()

	check := func(accountID string, forged bool) {
		s, err := client.StartIDCheckSession(ctx, verisoul.SessionOptions{})
		if err != nil {
			log.Fatal(err)
		}
		doc := emu.DocumentFor(accountID) // the user shows an ID and their face
		doc.Fake = forged
		_ = emu.CompleteWithDocument(s.ID, accountID, doc)

		out, err := client.CheckID(ctx, s, accountID, verisoul.IDRules())
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %s (validity %s), enrolled: %v\n", accountID, out.Verdict, out.Verification.Document.Signals.Validity, out.Enrolled())
	}
	check("carol", false)
	check("dave", true)
	// Output:
	// carol: accepted (validity likely_authentic_id), enrolled: true
	// dave: refused: decision Fake is not accepted; risk score 1.00 is above 0.50; risk flag likely_fake_id; document validity likely_fake_id (validity likely_fake_id), enrolled: false
}

// The hosted page sends the user back with the outcome in the query.
func ExampleParseRedirect() {
	back, _ := url.Parse("https://example.com/verisoul/done?session_id=00022912-cbaa-4239-a3ec-51c32fcc0fc1&success=false&error_message=liveness_check_failed")
	o, err := verisoul.ParseRedirect(back)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(o.Success, o.ErrorMessage, o.NeedsNewSession())
	// Output: false liveness_check_failed true
}

// A Session is the state to keep between steps: full in JSON, redacted when printed.
func ExampleSession() {
	s := verisoul.Session{ID: "00022912-cbaa-4239-a3ec-51c32fcc0fc1", Product: verisoul.FaceMatch}
	b, _ := json.Marshal(s)
	fmt.Println(string(b))
	fmt.Println(s)
	// Output:
	// {"session_id":"00022912-cbaa-4239-a3ec-51c32fcc0fc1","product":"face_match"}
	// verisoul.Session{id: 00022912…, product: face_match, created: unknown}
}
