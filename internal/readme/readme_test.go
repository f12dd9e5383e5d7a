package readme

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// snippet is one ```go block of README.md and the line its code starts on.
type snippet struct {
	line int
	code string
}

// snippets returns the README's Go blocks in order.
func snippets(t *testing.T, readme string) []snippet {
	t.Helper()
	f, err := os.Open(readme)
	require.NoError(t, err)
	defer f.Close()
	var (
		out  []snippet
		cur  *snippet
		body strings.Builder
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(line) == "```go":
			cur = &snippet{line: n + 1}
			body.Reset()
		case cur != nil && strings.TrimSpace(line) == "```":
			cur.code = body.String()
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			body.WriteString(line + "\n")
		}
	}
	require.NoError(t, sc.Err())
	require.Nil(t, cur, "a ```go block is not closed")
	return out
}

// harness is what every snippet may use without declaring it: the imports a reader
// would have and the values their own code already holds (a key, the request, the
// user). Imports are the packages' own names, as a reader would write them.
const harness = `package snippets

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/idv"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// Every import stays used whichever snippets there are.
var (
	_ = context.Background
	_ = errors.New
	_ = fmt.Errorf
	_ = http.Redirect
	_ = httptest.NewServer
	_ = contract.ModeEnforce
	_ = idv.Verisoul
	_ = iproov.New
	_ = verisoultest.New
	_ = verifik.New
	_ = verisoul.New
)

// What the reader's code already has.
var (
	ctx                                  context.Context
	t                                    *testing.T
	w                                    http.ResponseWriter // the handler's
	r                                    *http.Request       // the handler's
	apiKey, secret, clientToken          string              // from your secret store
	back                                 string              // your redirect URL
	accountID, userID, id, email, name   string              // your user's
	storedRegistrationID                 string              // kept from an earlier Register
	passportPhoto                        []byte
	client                               *verisoul.Client
	vclient                              *verifik.Client
	flow                                 verifik.Flow
	saveState                            func(userID string, state any) error
)
`

// TestREADMESnippetsCompile builds and vets every ```go block of README.md, each as
// the body of a function returning error, in a temporary module that uses this one as a
// user's would. //line directives make errors point at README.md lines.
func TestREADMESnippetsCompile(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	readme := filepath.Join(root, "README.md")
	blocks := snippets(t, readme)
	require.GreaterOrEqual(t, len(blocks), 5, "the README's Go snippets")

	var src strings.Builder
	src.WriteString(harness)
	for i, b := range blocks {
		fmt.Fprintf(&src, "\nfunc snippet%d() error {\n//line %s:%d\n%sreturn nil\n}\n", i+1, readme, b.line, b.code)
	}
	// A module of its own beside nothing, requiring this one through a replace: what a
	// user's module sees. GOPROXY=off: everything comes from the module cache the repo's
	// own build filled; nothing is fetched.
	tmp := t.TempDir()
	goMod := "module example.com/snippets\n\ngo 1.26\n\nrequire github.com/idvkit/idvkit v0.0.0\n\n" +
		"replace github.com/idvkit/idvkit => " + root + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "go.mod"), []byte(goMod), 0o644))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "go.sum"), sum, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "snippets.go"), []byte(src.String()), 0o644))

	for _, args := range [][]string{{"build", "-mod=mod", "-o", os.DevNull, "."}, {"vet", "-mod=mod", "."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = tmp
		cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		assert.NoError(t, err, "go %s of the README's Go snippets:\n%s", args[0], out)
		if err != nil {
			break // vet repeats build's errors
		}
	}
}

// TestREADMEInstall: the README says how to add the module and install the command.
func TestREADMEInstall(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, want := range []string{
		"go get github.com/idvkit/idvkit",
		"go install github.com/idvkit/idvkit/cmd/idvkit@latest",
	} {
		assert.True(t, strings.Contains(string(b), want), "README.md lacks %q", want)
	}
}
