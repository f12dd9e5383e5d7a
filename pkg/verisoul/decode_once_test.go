package verisoul_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// TestVerifyIDDecodesOnce: a verify-id answer is decoded once. Counted in allocations
// (deterministic, unlike time): the 3 KB answer costs the client about what one decode
// of it costs, not two (the generated client's typed decode and then the flow's).
func TestVerifyIDDecodesOnce(t *testing.T) {
	body := verifyIDBody(t)
	minimal := []byte(`{"decision":"Real","risk_score":0,"matches":{}}`)
	allocs := func(answer []byte) float64 {
		c, err := verisoul.New("k", verisoul.WithBaseURL("https://verisoul.test"),
			verisoul.WithTransport(transport.WithHTTPClient(&http.Client{Transport: fuzzAnswer{status: 200, contentType: "application/json", body: answer}})))
		require.NoError(t, err)
		s := verisoul.Session{ID: goodID, Product: verisoul.IDCheck}
		_, err = c.VerifyID(ctx, s)
		require.NoError(t, err)
		return testing.AllocsPerRun(50, func() { _, _ = c.VerifyID(ctx, s) })
	}
	one := testing.AllocsPerRun(50, func() {
		var v idcheck.VerifyIDResponse
		_ = json.Unmarshal(body, &v)
	})
	decoding := allocs(body) - allocs(minimal)
	t.Logf("decoding the 3 KB answer: %.0f allocations; one typed decode of it: %.0f", decoding, one)
	assert.Less(t, decoding, 1.5*one, "the answer is decoded more than once")
}

// TestVerifyIDRefusesWhatTheTypesRefused: decoded once, an answer is still refused where
// the generated types refused it (ids that are not UUIDs, numbers out of float32's range)
// and read where they read it.
func TestVerifyIDRefusesWhatTheTypesRefused(t *testing.T) {
	body := string(verifyIDBody(t))
	tests := []struct {
		name     string
		old, new string
		ok       bool
	}{
		{"published answer", "", "", true},
		{"request id not a UUID", `"request_id":"d4b414e2-5c18-4e8e-9426-a3b83564d6f1"`, `"request_id":"req-1"`, false},
		{"project id empty", `"project_id":"00000000-0000-0000-0000-000000000001"`, `"project_id":""`, false},
		{"session id as a URN", `"session_id":"00022d22-0592-4c83-8f55-0ec8f277c668"`, `"session_id":"urn:uuid:00022d22-0592-4c83-8f55-0ec8f277c668"`, true},
		{"session id escaped", `"session_id":"00022d22-0592-4c83-8f55-0ec8f277c668"`, `"session_id":"00022d22\u002d0592-4c83-8f55-0ec8f277c668"`, true},
		{"referring session id null", `"referring_session_id":"623d80c5-5266-4787-a5b8-7cd578379de4"`, `"referring_session_id":null`, true},
		{"risk score beyond float32", `"risk_score":1`, `"risk_score":1e39`, false},
		{"latitude beyond float32", `"latitude":30.3773`, `"latitude":-1e39`, false},
		{"face match score beyond float32", `"id_face_match_score":0.9`, `"id_face_match_score":1e39`, false},
		{"large but a float32", `"risk_score":1`, `"risk_score":3e38`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answer := body
			if tt.old != "" {
				require.Contains(t, answer, tt.old)
				answer = strings.Replace(answer, tt.old, tt.new, 1)
			}
			c, err := verisoul.New("k", verisoul.WithBaseURL("https://verisoul.test"),
				verisoul.WithTransport(transport.WithHTTPClient(&http.Client{Transport: fuzzAnswer{status: 200, contentType: "application/json", body: []byte(answer)}})))
			require.NoError(t, err)
			v, err := c.VerifyID(ctx, verisoul.Session{ID: goodID, Product: verisoul.IDCheck})
			if !tt.ok {
				assert.ErrorIs(t, err, transport.ErrDecode)
				assert.Nil(t, v)
				assert.NotContains(t, err.Error(), "req-1")
				return
			}
			require.NoError(t, err)
			require.NotNil(t, v.Document)
			assert.Equal(t, "d4b414e2-5c18-4e8e-9426-a3b83564d6f1", v.Metadata.RequestID)
		})
	}
}
