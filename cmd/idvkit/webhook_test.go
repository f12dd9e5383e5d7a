package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// trigger sends each documented event to a verifik.Receiver in enforce mode: every payload
// is accepted, validates without drift, and reaches the handler as its family's type.
func TestWebhookTriggerEveryEvent(t *testing.T) {
	var mu sync.Mutex
	var got []string
	var problems []*contract.Error
	rc := verifik.NewReceiver(func(_ context.Context, ev verifik.Event) error {
		mu.Lock()
		got = append(got, ev.Meta().Type)
		mu.Unlock()
		return nil
	}, verifik.ReceiverOptions{Mode: contract.ModeEnforce, PathSecret: "s3cret",
		OnProblem: func(_ verifik.Event, p *contract.Error) { mu.Lock(); problems = append(problems, p); mu.Unlock() }})
	srv := httptest.NewServer(rc)
	defer srv.Close()

	for _, typ := range verifik.EventTypes() {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"webhook", "trigger", strings.TrimPrefix(typ, "onboarding_"), "--to", srv.URL + "/hooks/s3cret"}, &out, &errOut)
		require.Equal(t, 0, code, "%s: %s", typ, errOut.String())
		assert.Contains(t, out.String(), typ+" → "+srv.URL+": 200")
		assert.NotContains(t, out.String(), "s3cret", "the URL's path is not printed")
	}
	assert.Equal(t, verifik.EventTypes(), got)
	assert.Empty(t, problems)
}

func TestWebhookTriggerUsage(t *testing.T) {
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) }))
	defer refuse.Close()
	cases := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"list", []string{"webhook", "trigger", "--list"}, 0, "onboarding_app_registration_completed\n"},
		{"help", []string{"webhook", "--help"}, 0, "usage: idvkit webhook trigger"},
		{"no event", []string{"webhook", "trigger", "--to", "http://127.0.0.1:1"}, 2, ""},
		{"no URL", []string{"webhook", "trigger", "app_registration_completed"}, 2, ""},
		{"unknown event", []string{"webhook", "trigger", "nope", "--to", "http://127.0.0.1:1"}, 2, ""},
		{"bad URL", []string{"webhook", "trigger", "app_registration_completed", "--to", "hooks"}, 2, ""},
		{"receiver refuses", []string{"webhook", "trigger", "app_registration_completed", "--to", refuse.URL}, 1, ": 404 Not Found"},
		{"nobody there", []string{"webhook", "trigger", "app_registration_completed", "--to", "http://127.0.0.1:1/x"}, 1, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, c.code, run(context.Background(), c.args, &out, &errOut), errOut.String())
			assert.Contains(t, out.String(), c.out)
		})
	}
}
