package specgate

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// maxToolOutput bounds what the gate keeps of a go command's output: a tree with a
// thousand errors still gives a readable report, and memory stays bounded.
const maxToolOutput = 1 << 20

// checkBuild runs `go build ./...` in the root and, when that passes, `go vet ./...`
// (which also type-checks the tests), as subprocesses: the gate never links the code
// it gates, so it reports a broken gen/ or pkg/ instead of failing to start. ran is
// false when the root holds no go.mod (a specs-only project has nothing to build).
func (c *checker) checkBuild(ctx context.Context, goCmd string) (ran bool, err error) {
	if _, err := os.Stat(c.abs("go.mod")); err != nil {
		return false, nil
	}
	if _, err := exec.LookPath(goCmd); err != nil {
		c.warnf("go.mod", 1, RuleGoBuild, "cannot run %s, so gen/ and pkg/ were not compiled: %v", goCmd, err)
		return false, nil
	}
	c.progressf("go build ./...")
	out, failed, err := c.runGo(ctx, goCmd, "build", "-o", os.DevNull, "./...")
	if err != nil {
		return false, err
	}
	if failed {
		c.goFindings("go build", out, false)
		return true, nil
	}
	c.progressf("go vet ./...")
	out, failed, err = c.runGo(ctx, goCmd, "vet", "./...")
	if err != nil {
		return false, err
	}
	if failed {
		c.goFindings("go vet", out, true)
	}
	return true, nil
}

// runGo runs the go command in the root. failed is a non-zero exit; err is for a
// command that could not run at all or a cancelled context.
func (c *checker) runGo(ctx context.Context, goCmd string, args ...string) (out []byte, failed bool, err error) {
	cmd := exec.CommandContext(ctx, goCmd, args...)
	cmd.Dir = c.root
	buf := &capped{max: maxToolOutput}
	cmd.Stdout, cmd.Stderr = buf, buf
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return nil, false, ctx.Err()
	}
	var exit *exec.ExitError
	if errors.As(runErr, &exit) {
		return buf.Bytes(), true, nil
	}
	if runErr != nil {
		return nil, false, fmt.Errorf("spec check: %s %s: %w", goCmd, args[0], runErr)
	}
	return buf.Bytes(), false, nil
}

var goDiagnostic = regexp.MustCompile(`^(\S+?):(\d+)(?::\d+)?: (.*)$`)

// goFindings turns the output of a failed go build or go vet into problems, one per
// diagnostic, at its file and line. In vet's output a "vet: " prefix marks a type
// error (code that does not compile); other diagnostics are the analyzers' findings.
func (c *checker) goFindings(tool string, out []byte, vet bool) {
	type finding struct {
		file string
		line int
		rule string
		msg  string
	}
	var found []*finding
	var loose []string // lines that are neither a diagnostic nor a package header
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), maxToolOutput)
	for sc.Scan() {
		raw := sc.Text()
		text := strings.TrimSpace(raw)
		switch {
		case text == "" || strings.HasPrefix(text, "#"):
			continue
		case (strings.HasPrefix(raw, "\t") || strings.HasPrefix(raw, " ")) && len(found) > 0:
			last := found[len(found)-1] // "have (...)" / "want (...)" under a type error
			last.msg += "; " + text
			continue
		}
		typeErr := !vet
		if t, ok := strings.CutPrefix(text, "vet: "); ok {
			text, typeErr = t, true
		}
		m := goDiagnostic.FindStringSubmatch(text)
		if m == nil {
			loose = append(loose, text)
			continue
		}
		n, _ := strconv.Atoi(m[2])
		f := &finding{file: c.goFile(m[1]), line: n, rule: RuleGoVet, msg: m[3]}
		if typeErr {
			f.rule = RuleGoBuild
		}
		found = append(found, f)
	}
	for _, f := range found {
		if !strings.HasSuffix(f.file, ".go") { // go.mod, go.sum, an embed pattern's file...
			c.errorf(f.file, f.line, f.rule, "%s ./... failed: %s", tool, f.msg)
			continue
		}
		if f.rule == RuleGoVet {
			c.errorf(f.file, f.line, RuleGoVet, "go vet: %s", f.msg)
			continue
		}
		what := "gen/ and pkg/ no longer compile"
		if strings.HasSuffix(f.file, "_test.go") {
			what = "the tests no longer compile"
		}
		c.errorf(f.file, f.line, RuleGoBuild, "%s: %s", what, f.msg)
	}
	if len(found) == 0 { // the go command failed before compiling: go.mod, a missing module...
		msg := strings.Join(loose, "; ")
		if msg == "" {
			msg = "it exited with an error and printed nothing"
		}
		rule := RuleGoBuild
		if vet {
			rule = RuleGoVet
		}
		c.errorf("go.mod", 1, rule, "%s ./... failed: %s", tool, msg)
	}
}

// goFile makes a file name the go command printed (relative to the root it ran in,
// or absolute) root-relative and slash-separated.
func (c *checker) goFile(name string) string {
	if filepath.IsAbs(name) {
		return c.relFile(name, filepath.ToSlash(name))
	}
	return path.Clean(filepath.ToSlash(name))
}

// capped is a bytes.Buffer that keeps the first max bytes and drops the rest.
type capped struct {
	bytes.Buffer
	max int
}

func (b *capped) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
