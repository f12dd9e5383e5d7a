package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/idvkit/idvkit/pkg/verifik"
)

const webhookUsage = `usage: idvkit webhook trigger <event> --to URL [--timeout 10s]
       idvkit webhook trigger --list

Sends one Verifik Smart Enroll event, with the spec's realistic payload stamped now, to
URL as Verifik would (POST, application/json, no signature: Verifik documents none). The
event type may be given with or without its "onboarding_" prefix. Put your receiver's
secret in URL as you registered it with Verifik (a path segment, or user:password@).
Exit status: 0 when the receiver answered 2xx, 1 otherwise, 2 for a usage error.
`

// runWebhook serves `idvkit webhook …`: trigger sends one event, like `stripe trigger`.
func runWebhook(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "trigger" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, webhookUsage)
			return 0
		}
		fmt.Fprint(stderr, webhookUsage)
		return 2
	}
	fs := flag.NewFlagSet("webhook trigger", flag.ContinueOnError)
	to := fs.String("to", "", "the receiver's URL")
	list := fs.Bool("list", false, "list the event types and exit")
	timeout := fs.Duration("timeout", 10*time.Second, "how long to wait for the receiver")
	fs.Usage = func() { fmt.Fprint(fs.Output(), webhookUsage); fs.PrintDefaults() }
	// Flags may come after the event name, as in `stripe trigger <event> --to URL`.
	var event string
	rest := args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		event, rest = rest[0], rest[1:]
	}
	if code, ok := parseFlags(fs, rest, true, stdout, stderr); !ok {
		return code
	}
	extra := fs.Args()
	if event == "" && len(extra) > 0 {
		event, extra = extra[0], extra[1:]
	}
	if len(extra) > 0 {
		return usageError(fs, stderr, fmt.Errorf("unexpected argument %q", extra[0]))
	}
	if *list {
		for _, t := range verifik.EventTypes() {
			fmt.Fprintln(stdout, t)
		}
		return 0
	}
	if event == "" || *to == "" {
		fs.Usage()
		return 2
	}
	if !strings.HasPrefix(event, "onboarding_") {
		event = "onboarding_" + event
	}
	body, ok := verifik.ExampleEvent(event, time.Now())
	if !ok {
		fmt.Fprintf(stderr, "idvkit webhook trigger: unknown event %q (see --list)\n", event)
		return 2
	}
	u, err := url.Parse(*to)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		fmt.Fprintln(stderr, "idvkit webhook trigger: --to must be an absolute http(s) URL")
		return 2
	}
	shown := u.Scheme + "://" + u.Host // the path and credentials may hold the secret

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		fmt.Fprintln(stderr, "idvkit webhook trigger: request could not be built")
		return 2
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "idvkit-webhook-trigger")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		fmt.Fprintf(stderr, "idvkit webhook trigger: %s to %s: %v\n", event, shown, err)
		return 1
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	fmt.Fprintf(stdout, "%s → %s: %d %s\n", event, shown, resp.StatusCode, http.StatusText(resp.StatusCode))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return 1
	}
	return 0
}
