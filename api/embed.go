// Package api holds the hand-written OpenAPI 3.0 specs of every vendor API idvkit speaks,
// embedded so the contract kit, the sandbox and the spec gate read the same bytes the
// generator read.
package api

import "embed"

// FS holds every spec as <vendor>/<api>.yaml.
//
//go:embed */*.yaml
var FS embed.FS
