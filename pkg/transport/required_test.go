package transport

import (
	"strings"
	"testing"
)

// TestMissingField pins the notation of the required-field check.
func TestMissingField(t *testing.T) {
	tests := []struct {
		body  string
		paths []string
		want  string // "" when nothing is missing
	}{
		{`{"a":1,"b":false}`, []string{"a", "b"}, ""},
		{`{"a":1}`, []string{"a", "b"}, "b"},
		{`{"a":null}`, []string{"a"}, "a"},
		{`{"a":null}`, []string{"a?"}, ""},
		{`{}`, []string{"a?"}, "a"},
		{`{"d":{"id":"x"}}`, []string{"d.id"}, ""},
		{`{"d":{}}`, []string{"d.id"}, "d.id"},
		{`{"d":"text"}`, []string{"d.id"}, "d.id"},
		{`{"d":[{"id":1},{"id":2}]}`, []string{"d[].id"}, ""},
		{`{"d":[{"id":1},{}]}`, []string{"d[].id"}, "d[].id"},
		{`{"d":[]}`, []string{"d[].id"}, ""},
		{`{"d":{}}`, []string{"d[]"}, "d[]"},
		{`[]`, []string{"a"}, "a JSON object"},
		{`null`, []string{"a"}, "a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.body+" "+strings.Join(tt.paths, ","), func(t *testing.T) {
			got, _ := MissingField([]byte(tt.body), tt.paths...)
			if got != tt.want {
				t.Fatalf("MissingField = %q, want %q", got, tt.want)
			}
		})
	}
}
