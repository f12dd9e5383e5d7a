package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/conform"
)

var conformCreds = conform.Credentials{
	VerisoulAPIKey:     "vs-cli-conform-key-SECRET-3f2e",
	IProovAPIKey:       "ipcliconformkeysecret00000000000000000007",
	IProovSecret:       "ipcliconformsecretsecret0000000000000008",
	IProovOAuthUser:    "ip-cli-oauth-user-SECRET",
	IProovOAuthPass:    "ip-cli-oauth-pass-SECRET-41",
	VerifikClientToken: "vf-cli-client-token-SECRET-9a",
}

// setConformEnv points the IDVKIT_ variables at base with conformCreds, or clears them.
func setConformEnv(t *testing.T, base string) {
	for k, v := range conformCreds.Env(base) {
		if base == "" {
			v = ""
		}
		t.Setenv(k, v)
	}
}

func TestConformUsage(t *testing.T) {
	setConformEnv(t, "")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"help", []string{"conform", "-h"}, 0, "Usage:"},
		{"unknown format", []string{"conform", "--format", "xml"}, 2, "--format must be"},
		{"extra argument", []string{"conform", "now"}, 2, "unexpected argument"},
		{"replay and diff", []string{"conform", "--replay", "x", "--diff"}, 2, "--replay"},
		{"bad target", []string{"conform", "--target", "ftp://example.com"}, 2, "not sandbox, live or an http(s) URL"},
		{"live without credentials", []string{"conform", "--target", "live"}, 2, "IDVKIT_VERISOUL_API_KEY"},
		{"promote without dirs", []string{"conform", "promote"}, 2, "needs --from DIR and --out DIR"},
		{"negative timeout", []string{"conform", "--timeout", "-1s"}, 2, "--timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, &stdout, &stderr)
			require.Equal(t, tc.code, code, "stderr: %s", stderr.String())
			require.Contains(t, stdout.String()+stderr.String(), tc.want)
		})
	}
}

// TestConformAgainstAStandIn drives the command end to end against a drifting stand-in
// vendor (--target URL): GitHub annotations and exit 1 for the drift, exit 0 once the
// checked-in example file acknowledges it, replay and promote of the recordings, and no
// credential in any output or file.
func TestConformAgainstAStandIn(t *testing.T) {
	srv := httptest.NewServer(conform.EmulatorsAccepting(conformCreds))
	defer srv.Close()
	setConformEnv(t, srv.URL)
	req, err := http.NewRequest(http.MethodPut, srv.URL+"/verisoul/_sandbox/faults",
		strings.NewReader(`[{"operation":"verifyFace","kind":"drift","rate":1}]`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)

	rec, promoted := t.TempDir(), t.TempDir()
	ack := filepath.Join("..", "..", "testdata", "conform", "acknowledged.yaml")
	var outputs []string
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"diff, annotations", []string{"conform", "--target", srv.URL, "--diff", "--vendor", "verisoul", "--format", "github", "--record", rec}, 1,
			[]string{"::error file=api/verisoul/facematch.yaml,title=idvkit conform%3A drift (target)::", "key: field diff verisoul-uniqueness verifyFace body.sandbox_drift_field"}},
		{"acknowledged", []string{"conform", "--target", srv.URL, "--diff", "--vendor", "verisoul", "--ack", ack}, 0,
			[]string{"✓ drift on target in verisoul-uniqueness", "acknowledged: injected by the stand-in vendor"}},
		{"json", []string{"conform", "--target", srv.URL, "--vendor", "verisoul", "--json"}, 1, []string{`"unacknowledged": 1`}},
		{"replay", []string{"conform", "--replay", rec}, 1, []string{"drift on recording in verisoul-uniqueness"}},
		{"replay acknowledged", []string{"conform", "--replay", rec, "--ack", ack}, 0, []string{"0 not acknowledged"}},
		{"promote", []string{"conform", "promote", "--from", rec, "--out", promoted}, 0, []string{filepath.Join(promoted, "examples", "verisoul", "facematch.yaml")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, &stdout, &stderr)
			require.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())
			for _, w := range tc.want {
				require.Contains(t, stdout.String(), w)
			}
			outputs = append(outputs, stdout.String(), stderr.String())
		})
	}
	for _, dir := range []string{rec, promoted} {
		require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			outputs = append(outputs, string(data))
			return err
		}))
	}
	require.Greater(t, len(outputs), 12, "outputs and files to scan")
	for _, secret := range []string{conformCreds.VerisoulAPIKey, conformCreds.IProovAPIKey, conformCreds.IProovSecret,
		conformCreds.IProovOAuthUser, conformCreds.IProovOAuthPass, conformCreds.VerifikClientToken} {
		for _, out := range outputs {
			require.NotContains(t, out, secret)
		}
	}
}
