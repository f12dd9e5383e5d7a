package main

import (
	"io/fs"
	"log/slog"

	"github.com/idvkit/idvkit/api"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox/dashboard"
)

// newDashboard is the dashboard of `sandbox serve`: every mounted emulator with its
// controls spec (api/sandbox/<name>.yaml) and its live state.
func newDashboard(mounts []emulatorMount, allowHosts []string, logger *slog.Logger) *dashboard.Dashboard {
	d := &dashboard.Dashboard{AllowedHosts: allowHosts}
	for _, m := range mounts {
		d.Emulators = append(d.Emulators, dashboard.Emulator{
			Name: m.name, Title: m.vendor, Root: m.prefix,
			URLs:        mountURLs(m),
			Credentials: m.credentials,
			Controls:    controlsSpec(m.name, logger),
			State:       m.state,
		})
	}
	return d
}

// mountURLs are the addresses a person or a test needs: the API, the hosted pages, the
// controls.
func mountURLs(m emulatorMount) []dashboard.Link {
	links := []dashboard.Link{{Label: "base URL", URL: m.prefix + m.basePath}}
	for _, p := range m.pages {
		links = append(links, dashboard.Link{Label: p.Label, URL: m.prefix + p.URL})
	}
	return append(links,
		dashboard.Link{Label: "controls", URL: m.controls()},
		dashboard.Link{Label: "faults", URL: m.faults()})
}

// controlsSpec is the emulator's controls spec, or nil if it has none. A broken one is
// a bug the spec gate catches; serve still starts, shows no controls and says why.
func controlsSpec(name string, logger *slog.Logger) *contract.Spec {
	file := "sandbox/" + name + ".yaml"
	if _, err := fs.Stat(api.FS, file); err != nil {
		return nil
	}
	s, err := contract.Default().Lookup("sandbox/" + name)
	if err != nil {
		logger.Warn("the sandbox controls spec does not load; the dashboard shows no controls for it", "spec", "api/"+file, "err", err)
		return nil
	}
	return s
}
