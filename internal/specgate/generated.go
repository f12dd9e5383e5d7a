package specgate

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/util"
	"go.yaml.in/yaml/v3"
)

const generatorModule = "github.com/oapi-codegen/oapi-codegen/v2"

// genMu serialises codegen.Generate, which keeps its state in package globals.
var genMu sync.Mutex

// genConfig is cfg.yaml as the oapi-codegen command reads it: the library's
// Configuration plus the command's own output key.
type genConfig struct {
	codegen.Configuration `yaml:",inline"`
	OutputFile            string `yaml:"output,omitempty"`
}

// generateLine is the parsed //go:generate line of a gen directory.
type generateLine struct {
	line    int
	config  string // -config, relative to the gen directory
	output  string // -o, overrides the config's output
	spec    string // the spec argument, relative to the gen directory
	version string // an @version pinned on the line itself, if any
}

// generation is what one gen directory's //go:generate line produces.
type generation struct {
	specRel string // the spec it reads
	outRel  string // the file it writes
	code    []byte
}

// checkGenerated regenerates one gen directory in memory with the oapi-codegen library
// linked into this binary (the version go.mod pins, the one `go run` in generate.go
// uses) and compares it byte for byte with the committed file.
func (c *checker) checkGenerated(dir string) {
	defer c.recoverAs(path.Join(dir, "cfg.yaml"), RuleGeneratedCurrent)
	c.progressf("regenerating %s", dir)
	g, ok := c.regenerate(dir)
	if !ok {
		return
	}
	c.strayGenerated(dir, g.outRel)

	have, err := os.ReadFile(c.abs(g.outRel))
	if err != nil {
		c.errorf(g.outRel, 1, RuleGeneratedCurrent, "missing; %s generates it; run go generate ./...", g.specRel)
		return
	}
	if line, differs := firstDifference(have, g.code); differs {
		c.errorf(g.outRel, line, RuleGeneratedCurrent,
			"differs from what %s generates; run go generate ./...", g.specRel)
	}
}

// regenerate runs dir's //go:generate line in memory. What stops it is reported as a
// generated-current problem and ok is false.
func (c *checker) regenerate(dir string) (g generation, ok bool) {
	genGo := path.Join(dir, "generate.go")
	data, err := os.ReadFile(c.abs(genGo))
	if err != nil {
		c.errorf(path.Join(dir, "cfg.yaml"), 1, RuleGeneratedCurrent,
			"no generate.go next to cfg.yaml; add one whose //go:generate line runs the pinned oapi-codegen")
		return g, false
	}
	gl, ok := parseGenerateLine(data)
	if !ok {
		c.errorf(genGo, 1, RuleGeneratedCurrent, "no //go:generate line runs oapi-codegen -config cfg.yaml <spec>")
		return g, false
	}
	if gl.config == "" || gl.spec == "" {
		c.errorf(genGo, gl.line, RuleGeneratedCurrent, "the //go:generate line must pass -config <cfg.yaml> and the spec path")
		return g, false
	}
	pinned := c.generatorVersion()
	if gl.version != "" && pinned != "" && gl.version != pinned {
		c.errorf(genGo, gl.line, RuleGeneratedCurrent,
			"runs oapi-codegen %s but go.mod pins %s; drop the @version so go run uses the pinned one", gl.version, pinned)
	}

	cfgRel := path.Join(dir, gl.config)
	cfgData, err := os.ReadFile(c.abs(cfgRel))
	if err != nil {
		c.errorf(genGo, gl.line, RuleGeneratedCurrent, "cannot read %s: %v", cfgRel, err)
		return g, false
	}
	var cfg genConfig
	if err := yaml.Unmarshal(cfgData, &cfg); err != nil {
		c.errorf(cfgRel, errorLine(err), RuleGeneratedCurrent, "not a valid oapi-codegen config: %s", firstLine(err.Error()))
		return g, false
	}
	cfg.Configuration = cfg.UpdateDefaults()
	if err := cfg.Configuration.Validate(); err != nil {
		c.errorf(cfgRel, 1, RuleGeneratedCurrent, "oapi-codegen configuration error: %v", err)
		return g, false
	}
	out := cmpOr(gl.output, cfg.OutputFile)
	if out == "" {
		c.errorf(cfgRel, 1, RuleGeneratedCurrent, "names no output file")
		return g, false
	}
	g = generation{
		outRel:  path.Clean(path.Join(dir, filepath.ToSlash(out))),
		specRel: path.Clean(path.Join(dir, filepath.ToSlash(gl.spec))),
	}
	g.code, err = c.generate(dir, g.specRel, cfg.Configuration, pinned)
	if err != nil {
		c.errorf(genGo, gl.line, RuleGeneratedCurrent, "cannot regenerate from %s: %s", g.specRel, firstLine(err.Error()))
		return g, false
	}
	return g, true
}

// generate runs the oapi-codegen library the way its command does for this directory.
func (c *checker) generate(dir, specRel string, cfg codegen.Configuration, version string) ([]byte, error) {
	overlay := util.LoadSwaggerWithOverlayOpts{
		Path:                cfg.OutputOptions.Overlay.Path,
		Strict:              true,
		AllowRemoteRefsFrom: cfg.AllowRemoteRefsFrom,
	}
	if overlay.Path != "" && !filepath.IsAbs(overlay.Path) {
		overlay.Path = filepath.Join(c.abs(dir), overlay.Path) // the command runs in the gen directory
	}
	if cfg.OutputOptions.Overlay.Strict != nil {
		overlay.Strict = *cfg.OutputOptions.Overlay.Strict
	}
	swagger, err := util.LoadSwaggerWithOverlay(c.abs(specRel), overlay)
	if err != nil {
		return nil, err
	}
	if version != "" {
		cfg.NoVCSVersionOverride = &version
	}
	code, err := generateLocked(swagger, cfg)
	if err != nil {
		return nil, err
	}
	return []byte(canonicalHeader(code, version)), nil
}

func generateLocked(swagger *openapi3.T, cfg codegen.Configuration) (string, error) {
	genMu.Lock()
	defer genMu.Unlock()
	return codegen.Generate(swagger, cfg)
}

var headerLine = regexp.MustCompile(`(?m)^// Code generated by .* version .* DO NOT EDIT\.$`)

// canonicalHeader rewrites the "Code generated by" line: the library names the binary
// it is linked into, while `go run` of the generator names the generator module.
func canonicalHeader(code, version string) string {
	if version == "" {
		version = "(devel)"
	}
	done := false
	return headerLine.ReplaceAllStringFunc(code, func(s string) string {
		if done {
			return s
		}
		done = true
		return fmt.Sprintf("// Code generated by %s version %s DO NOT EDIT.", generatorModule, version)
	})
}

// generatorVersion is the oapi-codegen version linked into this binary: from the build
// info of a real binary, else (test binaries carry no dependency info) from the module
// cache path the library was compiled from, else from the project's go.mod.
func (c *checker) generatorVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == generatorModule {
				if d.Replace != nil && d.Replace.Version != "" {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	if f := runtime.FuncForPC(reflect.ValueOf(codegen.Generate).Pointer()); f != nil {
		file, _ := f.FileLine(f.Entry())
		if m := versionInPath.FindStringSubmatch(file); m != nil {
			return m[1]
		}
	}
	if mod, err := os.ReadFile(c.abs("go.mod")); err == nil {
		if m := versionInGoMod.FindSubmatch(mod); m != nil {
			return string(m[1])
		}
	}
	return ""
}

var (
	versionInPath  = regexp.MustCompile(`oapi-codegen/v2@(v[^/\\]+)`)
	versionInGoMod = regexp.MustCompile(`(?m)^\s*(?:require\s+)?github\.com/oapi-codegen/oapi-codegen/v2\s+(v\S+)`)
)

// strayGenerated warns about *.gen.go files in dir that no configuration produces:
// they are stale leftovers nobody regenerates.
func (c *checker) strayGenerated(dir, outRel string) {
	matches, _ := filepath.Glob(filepath.Join(c.abs(dir), "*.gen.go"))
	for _, m := range matches {
		rel := path.Join(dir, filepath.Base(m))
		if rel != outRel {
			c.warnf(rel, 1, RuleGeneratedCurrent, "no //go:generate line in %s produces this file", dir)
		}
	}
}

// firstDifference returns the 1-based number of the first line where have and want
// differ; a line missing at the end of have counts as differing at len(have)+1.
func firstDifference(have, want []byte) (int, bool) {
	if bytes.Equal(have, want) {
		return 0, false
	}
	h, w := bytes.SplitAfter(have, []byte("\n")), bytes.SplitAfter(want, []byte("\n"))
	for i := range max(len(h), len(w)) {
		if i >= len(h) || i >= len(w) || !bytes.Equal(h[i], w[i]) {
			return i + 1, true
		}
	}
	return 1, true
}

// parseGenerateLine finds the //go:generate line that runs oapi-codegen.
func parseGenerateLine(src []byte) (generateLine, bool) {
	for i, raw := range strings.Split(string(src), "\n") {
		text, ok := strings.CutPrefix(strings.TrimSpace(raw), "//go:generate ")
		if !ok || !strings.Contains(text, "oapi-codegen") {
			continue
		}
		gl := generateLine{line: i + 1}
		fields := strings.Fields(text)
		// The program is the first word naming oapi-codegen: go run <module>/cmd/oapi-codegen,
		// go tool oapi-codegen, or the binary itself. Its arguments follow.
		j := 0
		for j < len(fields) && !strings.Contains(fields[j], "oapi-codegen") {
			j++
		}
		if _, v, ok := strings.Cut(fields[j], "@"); ok {
			gl.version = v
		}
		j++
		for ; j < len(fields); j++ {
			f := strings.TrimLeft(fields[j], "-")
			name, val, hasVal := strings.Cut(f, "=")
			if !strings.HasPrefix(fields[j], "-") {
				gl.spec = fields[j] // the last positional argument is the spec
				continue
			}
			if !hasVal && (name == "config" || name == "o") && j+1 < len(fields) {
				j++
				val = fields[j]
			}
			switch name {
			case "config":
				gl.config = val
			case "o":
				gl.output = val
			}
		}
		return gl, true
	}
	return generateLine{}, false
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
