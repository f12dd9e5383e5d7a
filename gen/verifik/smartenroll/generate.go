// Package smartenroll is the client, models and strict server interface generated from
// api/verifik/smartenroll.yaml (Verifik Smart Enroll). Do not edit the *.gen.go files;
// change the spec and run go generate ./...
package smartenroll

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config cfg.yaml ../../../api/verifik/smartenroll.yaml
