package transport_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/idvkit/idvkit/pkg/transport"
)

// A vendor flow names the call, sends it through the transport (normally via
// the generated client built with WithHTTPClient(tc)) and turns a vendor
// error into an *APIError with Check.
func Example() {
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"request_id":"6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f","success":false,"error":"session_not_found"}`)
	}))
	defer vendor.Close()

	tc, err := transport.New("verisoul", "https://api.prod.verisoul.ai", transport.WithBaseURL(vendor.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := transport.WithOperation(context.Background(), "enrollFaceMatch")
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, tc.BaseURL()+"/liveness/enroll",
		strings.NewReader(`{"session_id":"00022912-0000-4000-8000-000000000000","account_id":"acct-1"}`))
	resp, err := tc.Do(req)
	if err != nil {
		fmt.Println(tc.Wrap(ctx, "", err))
		return
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		fmt.Println(tc.Wrap(ctx, "", err))
		return
	}

	err = tc.Check(ctx, "", resp, body)
	fmt.Println(err)
	fmt.Println("invalid request:", errors.Is(err, transport.ErrInvalidRequest))
	var apiErr *transport.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("code:", apiErr.Code, "retryable:", apiErr.Retryable)
	}
	// Output:
	// verisoul enrollFaceMatch: HTTP 400 session_not_found (request id 6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f)
	// invalid request: true
	// code: session_not_found retryable: false
}

// Client-side checks fail before any network call with a *ValidationError.
func ExampleInvalid() {
	err := transport.Invalid("iproov", "userEnrolValidate", "user_id", "must not be empty")
	fmt.Println(err)
	fmt.Println(errors.Is(err, transport.ErrValidation))
	// Output:
	// iproov userEnrolValidate: invalid input user_id: must not be empty
	// true
}

// A retry policy with a short backoff and a custom classification; Safe
// operations are retried on 429 and 5xx (except 501).
func ExampleWithRetryPolicy() {
	var calls int
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, `{"token":"…"}`)
	}))
	defer vendor.Close()

	tc, _ := transport.New("iproov", vendor.URL, transport.WithRetryPolicy(transport.RetryPolicy{
		MaxAttempts: 3,
		BaseDelay:   10 * time.Millisecond,
		Classify: func(op string) transport.Safety {
			if op == "iproov/userEnrolServerToken" {
				return transport.Safe
			}
			return transport.Unsafe
		},
	}))
	ctx := transport.WithOperation(context.Background(), "userEnrolServerToken")
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, vendor.URL+"/claim/enrol/token", strings.NewReader(`{}`))
	resp, err := tc.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = resp.Body.Close()
	fmt.Println(resp.StatusCode, "after", calls, "calls")
	// Output: 200 after 2 calls
}
