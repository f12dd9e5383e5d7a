package transport

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) Lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		out = append(out, m)
	}
	return out
}

func TestLogsAndErrorsCarryNoSecretsOrPII(t *testing.T) {
	image := bytes.Repeat([]byte{0x89, 'P', 'N', 'G', 0xde, 0xad, 0xbe, 0xef}, 64)
	imageB64 := base64.StdEncoding.EncodeToString(image)
	secrets := map[string]string{
		"api key":         "sk_live_9f8e7d6c5b4a39281706",
		"bearer token":    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2VjcmV0LXNpZw",
		"client secret":   "cs_Zq8Xw7Vu6Ts5",
		"query token":     "qtok_77aa88bb99cc",
		"path token":      "a1b2c3d4e5f60718293a4b5c6d7e8f90",
		"user id in path": "alejandra.restrepo@example.com",
		"first name":      "Alejandra",
		"last name":       "Restrepo",
		"date of birth":   "1987-04-23",
		"document number": "CC1023456789",
		"address":         "Calle 93 #11-26",
		"otp":             "482913",
		"image":           imageB64[:40],
	}
	reqBody, err := json.Marshal(map[string]any{
		"firstName":      secrets["first name"],
		"lastName":       secrets["last name"],
		"dateOfBirth":    secrets["date of birth"],
		"documentNumber": secrets["document number"],
		"address":        secrets["address"],
		"otp":            secrets["otp"],
		"image":          imageB64,
		"secret":         secrets["client secret"],
	})
	require.NoError(t, err)

	var calls int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-7")
		w.Header().Set("Set-Cookie", "session="+secrets["bearer token"])
		switch {
		case strings.Contains(r.URL.Path, "/claim/"):
			// Echoes PII in fields other than the message: never printed.
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"invalid_token","error_description":"token is not valid","user":"`+secrets["first name"]+`","details":[{"field":"documentNumber","value":"`+secrets["document number"]+`"}]}`)
		case n == 1:
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"code":"Unavailable","message":"try again"}`)
		default:
			_, _ = io.WriteString(w, `{"data":{"firstName":"`+secrets["first name"]+`","documentNumber":"`+secrets["document number"]+`"}}`)
		}
	}))
	defer srv.Close()

	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rec := &sleepRecorder{}
	c, err := New("verifik", srv.URL, WithLogger(logger), WithRetryPolicy(testPolicy(rec)),
		WithPathTemplates("/claim/{token}/invalidate"))
	require.NoError(t, err)

	send := func(op, path string) (*http.Response, []byte) {
		ctx := WithOperation(context.Background(), op)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost,
			srv.URL+path+"?api_key="+secrets["api key"]+"&token="+secrets["query token"], bytes.NewReader(reqBody))
		require.NoError(t, err)
		req.Header.Set("X-Api-Key", secrets["api key"])
		req.Header.Set("Authorization", "Bearer "+secrets["bearer token"])
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		return resp, b
	}

	var errStrings []string
	// A safe call retried once, then a success whose body holds PII.
	resp, body := send("readPerson", "/v2/people/"+secrets["document number"])
	require.Equal(t, 200, resp.StatusCode)
	require.NoError(t, c.Check(context.Background(), "readPerson", resp, body))
	// An error whose body echoes PII outside the message.
	resp, body = send("invalidate", "/claim/"+secrets["path token"]+"/invalidate")
	checkErr := c.Check(context.Background(), "invalidate", resp, body)
	require.Error(t, checkErr)
	errStrings = append(errStrings, checkErr.Error())
	// A user id that sits in a path with no known template.
	resp, body = send("getUser", "/users/"+secrets["user id in path"])
	// A connection failure: the URL (with its query) is in http.Client's error.
	dead := closedAddr(t)
	deadC, err := New("verifik", "http://"+dead, WithLogger(logger), WithRetryPolicy(testPolicy(rec)))
	require.NoError(t, err)
	ctx := WithOperation(context.Background(), "enroll")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+dead+"/people/"+secrets["document number"]+"?token="+secrets["query token"], bytes.NewReader(reqBody))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+secrets["bearer token"])
	_, err = deadC.Do(req)
	require.Error(t, err)
	errStrings = append(errStrings, err.Error())
	errStrings = append(errStrings, c.Wrap(ctx, "", err).Error())
	errStrings = append(errStrings, Invalid("verifik", "createPerson", "documentNumber", "must be 6 to 12 digits").Error())
	_ = resp
	_ = body

	out := logs.String()
	require.NotEmpty(t, out)
	for what, s := range secrets {
		assert.NotContains(t, out, s, "%s leaked into logs", what)
		for _, e := range errStrings {
			assert.NotContains(t, e, s, "%s leaked into an error string", what)
		}
	}
	assert.NotContains(t, out, "Bearer")
	assert.NotContains(t, out, "session=")

	lines := logs.Lines(t)
	// readPerson: 2 attempts; invalidate, getUser: 1; enroll: 3 dial attempts.
	require.Len(t, lines, 7)
	first := lines[0]
	assert.Equal(t, "INFO", first["level"])
	assert.Equal(t, "vendor call", first["msg"])
	assert.Equal(t, "verifik", first["vendor"])
	assert.Equal(t, "readPerson", first["operation"])
	assert.Equal(t, "POST", first["method"])
	assert.Equal(t, "/v2/people/{}", first["path"])
	assert.EqualValues(t, 503, first["status"])
	assert.EqualValues(t, 1, first["attempt"])
	assert.Equal(t, "req-7", first["request_id"])
	assert.Contains(t, first, "duration")
	assert.Contains(t, first, "retry_in")
	assert.EqualValues(t, len(reqBody), first["request_bytes"], "debug adds sizes")
	assert.EqualValues(t, 2, lines[1]["attempt"])
	assert.EqualValues(t, 200, lines[1]["status"])
	assert.NotContains(t, lines[1], "retry_in")
	assert.Equal(t, "/claim/{token}/invalidate", lines[2]["path"])
	assert.Equal(t, "/users/{}", lines[3]["path"])
	for i, l := range lines[4:] {
		assert.Equal(t, "enroll", l["operation"])
		assert.EqualValues(t, i+1, l["attempt"])
		assert.Equal(t, "dial: connection refused", l["error"])
		assert.NotContains(t, l, "status")
	}
}

func TestLogLevelInfoHasNoSizes(t *testing.T) {
	srv := newScriptedServer(t, answer{status: 200})
	logs := &syncBuffer{}
	c, err := New("verisoul", srv.URL, WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	require.NoError(t, err)
	_, _, err = post(context.Background(), c, srv.URL+"/liveness/enroll", "enroll")
	require.NoError(t, err)
	lines := logs.Lines(t)
	require.Len(t, lines, 1)
	assert.NotContains(t, lines[0], "request_bytes")
	assert.Equal(t, "/liveness/enroll", lines[0]["path"])
}

func TestLogPath(t *testing.T) {
	p := newPathTemplates([]string{"/claim/{token}/invalidate", "/claim/enrol/token", "/users/{user_id}", "/v2/projects/{id}", "/v2/projects/{id}/flows"})
	tests := []struct{ in, want string }{
		{"/api/v2/claim/0a1b2c3d4e5f/invalidate", "/api/v2/claim/{token}/invalidate"},
		{"/api/v2/claim/enrol/token", "/api/v2/claim/enrol/token"},
		{"/api/v2/users/alice", "/api/v2/users/{user_id}"},
		{"/v2/projects/65f0c1a2b3c4d5e6f7a8b9c0", "/v2/projects/{id}"},
		{"/v2/projects/65f0c1a2b3c4d5e6f7a8b9c0/flows", "/v2/projects/{id}/flows"},
		{"/liveness/session", "/liveness/session"},
		{"/account/3f2a9c1e-0b7d-4e8a-9c6f-5d4b3a2e1f0c/sessions", "/account/{}/sessions"},
		{"/people/Alejandra%20Restrepo", "/people/{}"},
		{"/people/CC1023456789", "/people/{}"},
		{"/", "/"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, p.logPath(tt.in), tt.in)
	}
}
