package idv_test

import (
	"fmt"
	"time"

	"github.com/idvkit/idvkit/pkg/idv"
	"github.com/idvkit/idvkit/pkg/transport"
)

// A backend's handler for any failed verification step, whichever vendor it was.
func ExampleNextStep() {
	handle := func(err error) string {
		d := idv.NextStep(err)
		switch d.Action {
		case idv.Proceed:
			return "next step"
		case idv.RetryLater:
			return fmt.Sprintf("queue a retry in %s", d.RetryAfter)
		case idv.Reconcile:
			return "ask " + d.Vendor + " what " + d.Operation + " did before anything else"
		case idv.RepeatUserStep:
			return "send the user back to the capture"
		case idv.Declined:
			return "refused by " + d.Vendor + ": " + d.Code
		case idv.FixRequest:
			return "bug in our request: " + err.Error()
		default:
			return "page the on-call engineer"
		}
	}
	fmt.Println(handle(nil))
	fmt.Println(handle(&transport.APIError{Vendor: "verisoul", Operation: "verifyFace", StatusCode: 429, Retryable: true, RetryAfter: 2 * time.Second}))
	fmt.Println(handle(&transport.RequestError{Vendor: "iproov", Operation: "userEnrolValidate", Attempts: 1, OutcomeUnknown: true}))
	fmt.Println(handle(&transport.APIError{Vendor: "verisoul", Operation: "enrollFaceMatch", StatusCode: 400, Code: "session_older_than_30_days"}))
	fmt.Println(handle(&transport.APIError{Vendor: "iproov", Operation: "userEnrolServerToken", StatusCode: 400, Code: "already_enrolled"}))
	// Output:
	// next step
	// queue a retry in 2s
	// ask iproov what userEnrolValidate did before anything else
	// send the user back to the capture
	// refused by iproov: already_enrolled
}
