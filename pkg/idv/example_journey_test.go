package idv_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/idvkit/idvkit/pkg/idv"
	"github.com/idvkit/idvkit/pkg/idv/idvtest"
)

// signUp is a sign-up service written once against the capability, whichever vendor
// configuration picked: it starts the uniqueness check, stores the journey with the user
// record, and finishes it when the user comes back.
type signUp struct {
	unique idv.Uniqueness
	store  map[string][]byte // your user records
}

// begin returns what the user must do next.
func (s *signUp) begin(ctx context.Context, userID, email string) (*idv.Pending, error) {
	p, err := s.unique.Uniqueness().Start(ctx, idv.Request{
		UserID: userID, Email: email, RedirectURL: "https://yourapp.example/signup/back",
	})
	if err != nil {
		return nil, err // a vendor's typed error: idv.NextStep(err) says what to do
	}
	return p, s.save(userID, p.State)
}

// back handles the user's return: a redirect, a typed code, the captured images.
func (s *signUp) back(ctx context.Context, userID string, res idv.UserResult) (*idv.Outcome, error) {
	var st idv.State
	if err := json.Unmarshal(s.store[userID], &st); err != nil {
		return nil, err
	}
	out, err := s.unique.Uniqueness().Resume(ctx, st, res)
	if err != nil {
		return nil, err
	}
	if out.Next != nil {
		return out, s.save(userID, out.Next.State)
	}
	return out, nil
}

func (s *signUp) save(userID string, st idv.State) error {
	b, err := json.Marshal(st)
	s.store[userID] = b
	return err
}

// A sign-up service picks its vendor from configuration; the same code then runs with
// Verisoul (a hosted page) or Verifik (a code, then a selfie). The emulators stand in for
// the vendors and idvtest plays the user.
func Example_signUpFromConfiguration() {
	ctx := context.Background()
	for _, configured := range []string{"verisoul", "verifik"} {
		sb, err := idvtest.New(ctx, configured, idvtest.Options{})
		if err != nil {
			fmt.Println(err)
			return
		}
		unique, ok := sb.Adapter.(idv.Uniqueness)
		if !ok {
			fmt.Println(configured, "offers no uniqueness check")
			continue
		}
		svc := &signUp{unique: unique, store: map[string][]byte{}}

		fmt.Println(configured + ":")
		for _, u := range []struct{ id, face string }{{"user-1", "alice"}, {"user-2", "bob"}, {"user-3", "alice"}} {
			p, err := svc.begin(ctx, u.id, u.id+"@example.com")
			if err != nil {
				fmt.Println(err)
				return
			}
			var out *idv.Outcome
			for p != nil {
				fmt.Printf("  %s: the user must %s\n", u.id, p.Step)
				res, err := sb.Play(ctx, p, idvtest.Act{Face: u.face}) // the user's part
				if err != nil {
					fmt.Println(err)
					return
				}
				if out, err = svc.back(ctx, u.id, res); err != nil {
					fmt.Println(err)
					return
				}
				p = out.Next
			}
			fmt.Printf("  %s: %s %v\n", u.id, out.Status, out.Reasons)
		}
		sb.Close()
	}
	// Output:
	// verisoul:
	//   user-1: the user must redirect
	//   user-1: passed []
	//   user-2: the user must redirect
	//   user-2: passed []
	//   user-3: the user must redirect
	//   user-3: failed [duplicate_face]
	// verifik:
	//   user-1: the user must enter-code
	//   user-1: the user must capture
	//   user-1: passed []
	//   user-2: the user must enter-code
	//   user-2: the user must capture
	//   user-2: passed []
	//   user-3: the user must enter-code
	//   user-3: the user must capture
	//   user-3: needs_review [duplicate_face]
}

// Asking a vendor for a capability it lacks fails: at compile time through the
// interfaces, at run time (vendor from configuration) with a typed error. Never a fallback.
func ExampleJourneyOf() {
	ctx := context.Background()
	sb, err := idvtest.New(ctx, "iproov", idvtest.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sb.Close()
	for _, c := range idv.Capabilities {
		if _, err := idv.JourneyOf(sb.Adapter, c); err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println("iproov offers", c)
	}
	// Output:
	// idv: iproov does not offer uniqueness
	// iproov offers authentication
	// iproov offers face-enrolment
	// idv: iproov does not offer document-verification
}
