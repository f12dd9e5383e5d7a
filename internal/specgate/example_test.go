package specgate_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/idvkit/idvkit/internal/specgate"
)

// Check reports each problem as file:line: rule: message, relative to the root.
func ExampleCheck() {
	root, _ := os.MkdirTemp("", "specgate")
	defer os.RemoveAll(root)
	_ = os.MkdirAll(filepath.Join(root, "api", "ping"), 0o755)
	_ = os.WriteFile(filepath.Join(root, "api", "ping", "ping.yaml"), []byte(`openapi: 3.0.3
info: {title: Ping, version: "1"}
tags: [{name: health}]
paths:
  /ping:
    get:
      summary: Check the service answers
      tags: [health]
      x-idvkit-source: https://ping.example/docs
      responses:
        '200':
          description: Alive
          content:
            application/json:
              schema: {type: object, properties: {ok: {type: boolean}}}
              example: {ok: "yes"}
`), 0o644)

	report, err := specgate.Check(context.Background(), specgate.Options{Root: root})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = report.Write(os.Stdout)
	fmt.Println("failed:", report.Failed())
	// Output:
	// api/ping/ping.yaml:6: operation-id: GET /ping has no operationId; give it an explicit lowerCamel one
	// api/ping/ping.yaml:10: error-responses: GET /ping documents no 4xx/5xx response; document the vendor's errors with a schema and an example
	// api/ping/ping.yaml:16: examples-valid: example of GET /ping response 200 (application/json) does not match its schema at /ok: value must be a boolean
	// failed: true
}

// Diff compares the working tree's specs with a git revision and reports what changed
// for callers of the vendor API (oasdiff) and, when the project has gen/ packages, for
// Go code using them (apidiff).
func ExampleDiff() {
	root, _ := os.MkdirTemp("", "specgate")
	defer os.RemoveAll(root)
	spec := filepath.Join(root, "api", "ping", "ping.yaml")
	_ = os.MkdirAll(filepath.Dir(spec), 0o755)
	write := func(required string) {
		_ = os.WriteFile(spec, []byte(`openapi: 3.0.3
info: {title: Ping, version: "1"}
paths:
  /ping:
    post:
      operationId: ping
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [`+required+`]
              properties: {id: {type: string}, token: {type: string}}
      responses:
        '204': {description: Done}
`), 0o644)
	}
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", root, "-c", "user.name=ex", "-c", "user.email=ex@example.invalid",
			"-c", "commit.gpgsign=false"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		_ = cmd.Run()
	}
	write("id")
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "base")
	write("id, token") // a new required request field breaks existing callers

	report, err := specgate.Diff(context.Background(), specgate.DiffOptions{Root: root, Base: "HEAD"})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = report.Write(os.Stdout)
	fmt.Println("breaking:", report.Breaking())
	// Output:
	// For callers of the vendor API (oasdiff; INFO is reported, never breaking):
	// api/ping/ping.yaml:12: ERR request-property-became-required: POST /ping: the request property `token` became required
	// breaking: true
}
