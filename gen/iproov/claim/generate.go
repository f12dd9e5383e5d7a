// Package claim is the client, models and strict server interface generated from
// api/iproov/claim.yaml (iProov REST API v2). Do not edit the *.gen.go files; change the
// spec and run go generate ./...
package claim

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config cfg.yaml ../../../api/iproov/claim.yaml
