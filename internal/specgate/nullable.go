package specgate

import (
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// The nullable rules report the OpenAPI 3.0.3 `nullable` mistakes that the standard
// rulesets (Spectral's spectral:oas oas3-valid-schema-example / oas3-valid-media-example,
// Redocly's recommended no-invalid-schema-examples / no-invalid-media-type-examples)
// find and kin-openapi does not. OpenAPI 3.0.3 says `nullable: true` adds null only to
// the type named beside it, and only if enum lists null; kin-openapi, which pkg/contract
// validates with, admits null anyway. So the two validators disagree about every null
// such a schema meets, and its examples are checked by neither: the gate refuses the
// schema shape itself, before any example.

// nullable reports a schema that is nullable in a way the standard tools do not read as
// nullable. It looks at one schema, not through $refs: each is judged where defined.
func (s *spec) nullable(sc *openapi3.Schema, p pointer, where string) {
	if !sc.Nullable {
		return
	}
	if sc.Type == nil || len(*sc.Type) == 0 {
		s.nullableError(p.with("nullable"), RuleNullableType,
			"%s: nullable: true without type admits no null under OpenAPI 3.0.3 (Spectral, Redocly) but does in kin-openapi; "+
				"put a type beside it when every branch has that type, else make one typed branch nullable "+
				"(e.g. oneOf: [$ref NullableObjectId, $ref Project], NullableObjectId being type: string, nullable: true)", where)
		return
	}
	if len(sc.Enum) > 0 && !slices.Contains(sc.Enum, nil) {
		s.nullableError(p.with("enum"), RuleNullableEnum,
			"%s: nullable enum does not list null, so under OpenAPI 3.0.3 (Spectral, Redocly) null fails; add null to the enum", where)
	}
}

// nullableError reports an error, or a warning when a temporary waiver covers it.
func (s *spec) nullableError(p pointer, rule, format string, args ...any) {
	if w, ok := waived(s.rel, rule, p); ok {
		s.c.warnf(s.rel, s.src.line(p), rule, format+" [temporarily waived: %s]",
			append(args, w.Reason)...)
		return
	}
	s.errorf(p, rule, format, args...)
}
