package contract

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadKeepsGoodSpecsWhenOneIsBroken(t *testing.T) {
	k, err := loadTestKit()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test/broken")
	assert.NotContains(t, err.Error(), "test/people")
	assert.Equal(t, err, k.Err())

	var names []string
	for _, s := range k.Specs() {
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"other/things", "test/people"}, names)

	_, lerr := k.Lookup("test/broken")
	require.Error(t, lerr)
	assert.Contains(t, lerr.Error(), "test/broken")
	assert.PanicsWithError(t, lerr.Error(), func() { k.Spec("test/broken") })
	assert.NotPanics(t, func() { k.Spec("test/people") })

	_, lerr = k.Lookup("test/nope")
	require.Error(t, lerr)
	assert.Contains(t, lerr.Error(), `no spec named "test/nope"`)
	assert.Panics(t, func() { k.Spec("test/nope") })
}

const miniSpec = `openapi: 3.0.3
info: {title: mini, version: "1"}
paths:
  /items:
    get:
      operationId: listItems
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: 'shared/schemas.yaml#/Item'
              example: {name: one}
`

func TestLoadFollowsRelativeRefsAndSkipsFragments(t *testing.T) {
	fsys := fstest.MapFS{
		"v/mini.yaml":           {Data: []byte(miniSpec)},
		"v/shared/schemas.yaml": {Data: []byte("Item:\n  type: object\n  properties:\n    name: {type: string}\n")},
		"v/notes.txt":           {Data: []byte("not a spec")},
	}
	k, err := Load(fsys)
	require.NoError(t, err)
	require.Len(t, k.Specs(), 1)
	s := k.Spec("v/mini")
	assert.Equal(t, "v/mini", s.Name)
	assert.NotNil(t, s.Doc)
}

func TestLoadRejectsRefsOutsideTheTree(t *testing.T) {
	spec := []byte(`openapi: 3.0.3
info: {title: escape, version: "1"}
paths:
  /x:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: 'https://example.com/schemas.yaml#/Item'
`)
	k, err := Load(fstest.MapFS{"e/escape.yaml": {Data: spec}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "e/escape")
	assert.Empty(t, k.Specs())
}

func TestUUIDFormat(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{uuidV4, true},
		{uuidV7, true},
		{"1ef21d2f-1207-6660-8c4f-419efbd44d48", true}, // v6
		{"00000000-0000-0000-0000-000000000000", true},
		{"6F1C2F0E-8C8B-4E7A-9D55-1A2B3C4D5E6F", true},
		{"6f1c2f0e8c8b4e7a9d551a2b3c4d5e6f", false},
		{"{6f1c2f0e-8c8b-4e7a-9d55-1a2b3c4d5e6f}", false},
		{"6f1c2f0e-8c8b-4e7a-9d55-1a2b3c4d5e6g", false},
		{"not-a-uuid", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			err := uuidFormat{}.Validate(tt.in)
			assert.Equal(t, tt.ok, err == nil)
			if err != nil && tt.in != "" {
				assert.NotContains(t, err.Error(), tt.in)
			}
		})
	}
}

func TestErrorIsDrift(t *testing.T) {
	drift := Problem{Location: "body.x", Rule: RuleAdditionalProperties, Message: "m", Drift: true}
	violation := Problem{Location: "body.y", Rule: RuleType, Message: "m"}
	tests := []struct {
		name     string
		problems []Problem
		want     bool
	}{
		{"drift only", []Problem{drift, drift}, true},
		{"violation only", []Problem{violation}, false},
		{"both", []Problem{drift, violation}, false},
		{"none", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error = &Error{Spec: "s", Problems: tt.problems}
			assert.Equal(t, tt.want, errors.Is(err, ErrDrift))
			assert.Equal(t, tt.want, errors.Is(wrap{err}, ErrDrift), "through wrapping")
		})
	}
}

type wrap struct{ err error }

func (w wrap) Error() string { return "wrapped: " + w.err.Error() }
func (w wrap) Unwrap() error { return w.err }

func TestParseMode(t *testing.T) {
	for _, m := range []Mode{ModeOff, ModeReport, ModeEnforce} {
		got, err := ParseMode(m.String())
		require.NoError(t, err)
		assert.Equal(t, m, got)
	}
	_, err := ParseMode("strict")
	assert.Error(t, err)
}
