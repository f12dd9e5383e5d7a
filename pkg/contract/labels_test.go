package contract

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// labelsSpec is testdata/labels/labels.yaml: what real clients send (see labels.go).
var loadLabelsKit = sync.OnceValues(func() (*Kit, error) { return Load(os.DirFS("testdata/labels")) })

func labelsSpec(t testing.TB) *Spec {
	t.Helper()
	k, err := loadLabelsKit()
	require.NoError(t, err)
	return k.Spec("labels")
}

// assertProblems checks an error's "location rule [drift]" keys and whether it is drift only.
func assertProblems(t *testing.T, err error, want []string, driftOnly bool) {
	t.Helper()
	if len(want) == 0 {
		require.NoError(t, err)
		return
	}
	require.Error(t, err)
	assert.ElementsMatch(t, want, problemKeys(err), "problems: %v", err)
	assert.Equal(t, driftOnly, errors.Is(err, ErrDrift), "drift only: %v", err)
}

// iProov's Android Fuel client sends validate/invalidate JSON as text/plain; charset=UTF-8.
func TestRelabelledJSON(t *testing.T) {
	s := labelsSpec(t)
	const label = "header.content-type content-type-label drift"
	tests := []struct {
		name, path, ct, body string
		want                 []string
		driftOnly            bool
	}{
		{"json label", "/validate", "application/json", `{"token":"t"}`, nil, false},
		{"text/plain with charset, JSON bytes", "/validate", "text/plain; charset=UTF-8", `{"token":"t"}`, []string{label}, true},
		{"text/plain, JSON bytes", "/validate", "text/plain", `{"token":"t"}`, []string{label}, true},
		{"no label, JSON bytes", "/validate", "", `{"token":"t"}`, []string{label}, true},
		{"text/plain JSON is still checked by the schema", "/validate", "text/plain", `{}`, []string{label, "body.token required"}, false},
		{"text/plain JSON with an unknown property", "/validate", "text/plain", `{"token":"t","tokn":"x"}`, []string{label, "body.tokn additionalProperties"}, false},
		{"text/plain, not JSON", "/validate", "text/plain", `token=t`, []string{"header.content-type content-type"}, false},
		{"no label, not JSON", "/validate", "", `token=t`, []string{"header.content-type content-type"}, false},
		{"another label stays a violation", "/validate", "text/xml", `{"token":"t"}`, []string{"header.content-type content-type"}, false},
		{"text/plain where more than JSON is documented", "/either", "text/plain", `{"token":"t"}`, []string{"header.content-type content-type"}, false},
		{"text/plain, empty body", "/validate", "text/plain", ``, []string{"body required"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", tt.path, strings.NewReader(tt.body))
			if tt.ct != "" {
				r.Header.Set("Content-Type", tt.ct)
			}
			assertProblems(t, s.ValidateRequest(r), tt.want, tt.driftOnly)
			got, err := io.ReadAll(r.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.body, string(got), "the handler still reads the body as sent")
		})
	}
}

// In enforce mode a relabelled JSON body is served; a text/plain body that is not JSON is
// refused.
func TestRelabelledJSONEnforced(t *testing.T) {
	s := labelsSpec(t)
	var seen []string
	h := Middleware(MiddlewareOptions{
		Mode:      ModeEnforce,
		Logger:    slog.New(slog.DiscardHandler),
		OnProblem: func(e *Error) { seen = append(seen, problemKeys(e)...) },
	}, s)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		assert.Equal(t, `{"token":"t"}`, string(body))
		w.WriteHeader(http.StatusOK)
	}))
	tests := []struct {
		body string
		want int
	}{
		{`{"token":"t"}`, http.StatusOK},
		{`token=t`, http.StatusBadRequest},
	}
	for _, tt := range tests {
		seen = nil
		r := httptest.NewRequest("POST", "/validate", strings.NewReader(tt.body))
		r.Header.Set("Content-Type", "text/plain; charset=UTF-8")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		assert.Equal(t, tt.want, w.Code, tt.body)
		assert.NotEmpty(t, seen, "the label is reported")
	}
}

// Image bytes as the HTTP libraries send them: Python requests labels no file part, Go's
// CreateFormFile and Spring label it application/octet-stream.
func TestSniffedImagePart(t *testing.T) {
	s := labelsSpec(t)
	jpeg := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte{0x42}, 4<<10)...)
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 100)...)
	jp2 := []byte("\x00\x00\x00\x0cjP  \r\n\x87\n\x00\x00\x00\x14ftypjp2 ")
	gif := []byte("GIF89a\x01\x00\x01\x00")
	text := []byte("not an image at all")
	user := formPart{"user_id", "", "", []byte("u-1")}
	const label = "body.image content-type-label drift"
	const refused = "body.image content-type"
	tests := []struct {
		name      string
		image     formPart
		want      []string
		driftOnly bool
	}{
		{"labelled image/jpeg", formPart{"image", "f.jpg", "image/jpeg", jpeg}, nil, false},
		{"no label, JPEG bytes (Python requests)", formPart{"image", "f.jpg", "", jpeg}, []string{label}, true},
		{"octet-stream, JPEG bytes (Go CreateFormFile, Spring)", formPart{"image", "f.jpg", "application/octet-stream", jpeg}, []string{label}, true},
		{"octet-stream, PNG bytes", formPart{"image", "f.png", "application/octet-stream", png}, []string{label}, true},
		{"octet-stream, JPEG 2000 bytes", formPart{"image", "f.jp2", "application/octet-stream", jp2}, []string{label}, true},
		{"no label, JPEG 2000 codestream", formPart{"image", "f.j2k", "", []byte("\xff\x4f\xff\x51\x00\x2f")}, []string{label}, true},
		{"octet-stream, GIF bytes the encoding does not allow", formPart{"image", "f.gif", "application/octet-stream", gif}, []string{refused}, false},
		{"octet-stream, not an image", formPart{"image", "f.jpg", "application/octet-stream", text}, []string{refused}, false},
		{"no label, not an image", formPart{"image", "f.jpg", "", text}, []string{refused}, false},
		{"octet-stream, empty part", formPart{"image", "f.jpg", "application/octet-stream", nil}, []string{refused}, false},
		{"a wrong label is not sniffed", formPart{"image", "f.jpg", "text/plain", jpeg}, []string{refused}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ct := multipartBody(t, tt.image, user)
			r := httptest.NewRequest("POST", "/photos", bytes.NewReader(body))
			r.Header.Set("Content-Type", ct)
			assertProblems(t, s.ValidateRequest(r), tt.want, tt.driftOnly)
			got, err := io.ReadAll(r.Body)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(body, got), "body restored")
		})
	}
}

// An enum value no oneOf branch lists is an unknown enum value (drift in a response, an
// enum violation in a request), not "matches no branch" — even when the other branches
// fail for their own reasons.
func TestOneOfUnknownEnum(t *testing.T) {
	s := labelsSpec(t)
	tests := []struct {
		name string
		body string
		// want is the problem without its drift mark: responses add " drift" when drift.
		want  []string
		drift bool
	}{
		{"approved", `{"decision":{"outcome":"approved","level":"low"}}`, nil, false},
		{"review", `{"decision":{"outcome":"review","reasons":["glare"]}}`, nil, false},
		{"new outcome, the other branch needs reasons", `{"decision":{"outcome":"escalated"}}`, []string{"body.decision enum"}, true},
		{"new level inside a branch", `{"decision":{"outcome":"approved","level":"medium"}}`, []string{"body.decision enum"}, true},
		{"new reason in an array item", `{"decision":{"outcome":"review","reasons":["blurry","mask"]}}`, []string{"body.decision enum"}, true},
		{"outcome another branch lists is not new", `{"decision":{"outcome":"review"}}`, []string{"body.decision oneOf"}, false},
		{"a wrong type is a violation", `{"decision":{"outcome":"approved","score":"high"}}`, []string{"body.decision oneOf"}, false},
		{"a number where the enum is a string", `{"decision":{"outcome":5}}`, []string{"body.decision oneOf"}, false},
	}
	for _, tt := range tests {
		t.Run("response/"+tt.name, func(t *testing.T) {
			want := tt.want
			if tt.drift {
				want = []string{tt.want[0] + " drift"}
			}
			r := httptest.NewRequest("POST", "/cases", nil)
			err := s.ValidateResponse(r, 200, http.Header{"Content-Type": {"application/json"}}, []byte(tt.body))
			assertProblems(t, err, want, tt.drift)
		})
		t.Run("request/"+tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/cases", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", "application/json")
			assertProblems(t, s.ValidateRequest(r), tt.want, false)
		})
	}
}
