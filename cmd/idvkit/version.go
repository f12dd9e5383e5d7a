package main

import (
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

const versionUsage = `Usage: idvkit version

Prints the idvkit module version the binary was built from: a tag such as v0.4.0 for
go install …@version, or (devel) with the git revision, its time and whether the work tree
had uncommitted changes for a build from a checkout. Paste it into bug reports.
`

func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), versionUsage) }
	if code, ok := parseFlags(fs, args, false, stdout, stderr); !ok {
		return code
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		// Only a binary built without module support lacks build info.
		fmt.Fprintln(stdout, "idvkit (unknown version: built without module information)")
		return exitOK
	}
	fmt.Fprintln(stdout, versionLine(info))
	return exitOK
}

// versionLine is "idvkit <version> [<revision info>] <go version>", from the build
// information the go command stamps into every binary.
func versionLine(info *debug.BuildInfo) string {
	version := info.Main.Version
	if version == "" {
		version = "(devel)" // go test and go run builds leave it empty
	}
	var vcs []string
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		vcs = append(vcs, "revision "+rev)
	}
	if t := settings["vcs.time"]; t != "" {
		vcs = append(vcs, t)
	}
	if settings["vcs.modified"] == "true" {
		vcs = append(vcs, "modified")
	}
	line := "idvkit " + version
	if len(vcs) > 0 {
		line += " (" + strings.Join(vcs, ", ") + ")"
	}
	if info.GoVersion != "" {
		line += " " + info.GoVersion
	}
	return line
}
