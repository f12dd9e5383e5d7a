package oteltrace

import (
	"strings"
	"sync"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/transport"
)

// operation is what the vendor specs say about an operationId.
type operation struct {
	vendor   string // "iproov"; "" when two vendors use the id
	template string // "/{api_key}/access_token"; "" when the id has several
	paths    *transport.PathRedactor
}

// table is built once from the specs embedded in package api (contract.Default), the
// same ones the vendor clients hold traffic against. Emulator control specs
// ("sandbox/…") are not vendor calls.
type table struct {
	ops map[string]operation
	all *transport.PathRedactor
}

var specTable = sync.OnceValue(func() table {
	ops := map[string]operation{}
	var templates []string
	for _, s := range contract.Default().Specs() {
		vendor, _, ok := strings.Cut(s.Name, "/")
		if !ok || vendor == "sandbox" || s.Doc == nil || s.Doc.Paths == nil {
			continue
		}
		for path, item := range s.Doc.Paths.Map() {
			templates = append(templates, path)
			for _, op := range item.Operations() {
				if op == nil || op.OperationID == "" {
					continue
				}
				next := operation{vendor: vendor, template: path}
				if prev, seen := ops[op.OperationID]; seen {
					if prev.vendor != next.vendor {
						next.vendor = ""
					}
					if prev.template != next.template {
						next.template = ""
					}
				}
				ops[op.OperationID] = next
			}
		}
	}
	for id, op := range ops {
		if op.template != "" {
			op.paths = transport.NewPathRedactor(op.template)
			ops[id] = op
		}
	}
	return table{ops: ops, all: transport.NewPathRedactor(templates...)}
})

func operations() map[string]operation { return specTable().ops }

// allPaths redacts a path whose operation is unknown with every vendor template.
func allPaths() *transport.PathRedactor { return specTable().all }
