//go:build tools

// Package tools pins the development tools the project runs through `go run`,
// so `go generate` and the spec gate need nothing installed by hand.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
)
