// Package idcheck is the client, models and strict server interface generated from
// api/verisoul/idcheck.yaml. Do not edit the *.gen.go files; change the spec and run
// go generate ./...
package idcheck

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config cfg.yaml ../../../api/verisoul/idcheck.yaml
