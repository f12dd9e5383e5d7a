package contract

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"runtime"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type formPart struct {
	name, filename, contentType string
	data                        []byte
}

// multipartBody encodes parts and returns the body and its Content-Type.
func multipartBody(t testing.TB, parts ...formPart) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disp := `form-data; name="` + p.name + `"`
		if p.filename != "" {
			disp += `; filename="` + p.filename + `"`
		}
		h.Set("Content-Disposition", disp)
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		pw, err := w.CreatePart(h)
		require.NoError(t, err)
		_, err = pw.Write(p.data)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return buf.Bytes(), w.FormDataContentType()
}

// fakePNG is an image-sized payload; its bytes are never inspected by the contract.
func fakePNG(n int) []byte {
	b := bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, n/4+1)
	return b[:n]
}

func uploadRequest(body []byte, ct string) *http.Request {
	r := httptest.NewRequest("POST", "/faces", bytes.NewReader(body)) // server-side: no GetBody
	r.Header.Set("Content-Type", ct)
	r.Header.Set("x-api-key", apiKey)
	return r
}

func TestValidateMultipart(t *testing.T) {
	s := people(t)
	image := formPart{"image", "face.png", "image/png", fakePNG(64 << 10)}
	account := formPart{"account_id", "", "", []byte("account-1")}
	tests := []struct {
		name  string
		parts []formPart
		want  []string
	}{
		{"valid", []formPart{image, account, {"count", "", "", []byte("3")}}, nil},
		{"jpeg allowed by encoding", []formPart{{"image", "f.jpg", "image/jpeg", fakePNG(10)}, account}, nil},
		{"missing file part", []formPart{account}, []string{"body.image required"}},
		{"missing text part", []formPart{image}, []string{"body.account_id required"}},
		{"file part content type not allowed", []formPart{{"image", "f.gif", "image/gif", fakePNG(10)}, account}, []string{"body.image content-type"}},
		{"text part wrong type", []formPart{image, account, {"count", "", "", []byte("three")}}, []string{"body.count type"}},
		{"text part breaks schema", []formPart{image, {"account_id", "", "", nil}}, []string{"body.account_id minLength"}},
		{"unknown part", []formPart{image, account, {"nickname", "", "", []byte("n")}}, []string{"body.nickname additionalProperties"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ct := multipartBody(t, tt.parts...)
			r := uploadRequest(body, ct)
			err := s.ValidateRequest(r)
			if tt.want == nil {
				require.NoError(t, err)
			} else {
				assert.ElementsMatch(t, tt.want, problemKeys(err), "problems: %v", err)
			}
			// The handler behind the check still reads the body as sent.
			got, rerr := io.ReadAll(r.Body)
			require.NoError(t, rerr)
			assert.True(t, bytes.Equal(body, got), "body restored")
		})
	}

	t.Run("no boundary", func(t *testing.T) {
		body, _ := multipartBody(t, image, account)
		err := s.ValidateRequest(uploadRequest(body, "multipart/form-data"))
		assert.Equal(t, []string{"header.content-type content-type"}, problemKeys(err))
	})
	t.Run("client request is read through GetBody", func(t *testing.T) {
		body, ct := multipartBody(t, image, account)
		r, err := http.NewRequest("POST", "http://vendor.test/api/faces", bytes.NewReader(body))
		require.NoError(t, err)
		r.Header.Set("Content-Type", ct)
		r.Header.Set("x-api-key", apiKey)
		orig := r.Body
		require.NoError(t, s.ValidateRequest(r))
		assert.True(t, orig == r.Body, "r.Body untouched")
	})
}

func TestValidateBinaryBody(t *testing.T) {
	s := people(t)
	put := func(ct string, body []byte) *http.Request {
		r := httptest.NewRequest("PUT", "/faces/raw", bytes.NewReader(body))
		r.Header.Set("Content-Type", ct)
		r.Header.Set("x-api-key", apiKey)
		return r
	}
	tests := []struct {
		name string
		req  *http.Request
		want []string
	}{
		{"valid", put("image/png", fakePNG(1<<20)), nil},
		{"empty", put("image/png", []byte{}), []string{"body required"}},
		{"undeclared image type", put("image/gif", fakePNG(10)), []string{"header.content-type content-type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.ValidateRequest(tt.req)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			assert.ElementsMatch(t, tt.want, problemKeys(err), "problems: %v", err)
		})
	}
}

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestMultipartMemory proves a 5 MB upload is not held twice: a server-side request is
// buffered exactly once (the handler needs it afterwards), a client request with GetBody
// not at all, and kin-openapi alone would allocate several copies.
func TestMultipartMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation measurement")
	}
	s := people(t)
	body, ct := multipartBody(t,
		formPart{"image", "face.png", "image/png", fakePNG(5 << 20)},
		formPart{"account_id", "", "", []byte("account-1")})
	size := uint64(len(body))

	server := allocated(func() { require.NoError(t, s.ValidateRequest(uploadRequest(body, ct))) })
	assert.Less(t, server, 2*size, "server-side: one buffered copy plus small change")

	client := allocated(func() {
		r, _ := http.NewRequest("POST", "http://vendor.test/faces", bytes.NewReader(body))
		r.Header.Set("Content-Type", ct)
		r.Header.Set("x-api-key", apiKey)
		require.NoError(t, s.ValidateRequest(r))
	})
	assert.Less(t, client, size/4, "client-side: streamed through GetBody, no copy")

	kin := allocated(func() { _ = kinOnly(s, uploadRequest(body, ct)) })
	assert.Greater(t, kin, 2*size, "kin-openapi alone holds the body more than twice")
	t.Logf("5 MB multipart: server %.2fx, client %.3fx, kin-openapi alone %.2fx of the body",
		float64(server)/float64(size), float64(client)/float64(size), float64(kin)/float64(size))
}

// kinOnly validates with kin-openapi's own body handling, for comparison.
func kinOnly(s *Spec, r *http.Request) error {
	m, ok := s.find(r)
	if !ok {
		return nil
	}
	return openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
		Request: r, PathParams: m.params, Route: m.route.kin, Options: filterOptions(false, false),
	})
}

// BenchmarkValidateMultipart5MB measures checking a 5 MB face upload. B/op divided by
// the body size (reported as x-body) is the memory cost relative to the body.
func BenchmarkValidateMultipart5MB(b *testing.B) {
	s := people(b)
	body, ct := multipartBody(b,
		formPart{"image", "face.png", "image/png", fakePNG(5 << 20)},
		formPart{"account_id", "", "", []byte("account-1")},
		formPart{"count", "", "", []byte("1")})
	cases := []struct {
		name string
		run  func() error
	}{
		{"server-buffered-once", func() error { return s.ValidateRequest(uploadRequest(body, ct)) }},
		{"client-GetBody", func() error {
			r, _ := http.NewRequest("POST", "http://vendor.test/faces", bytes.NewReader(body))
			r.Header.Set("Content-Type", ct)
			r.Header.Set("x-api-key", apiKey)
			return s.ValidateRequest(r)
		}},
		{"kin-openapi-alone", func() error { return kinOnly(s, uploadRequest(body, ct)) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			for b.Loop() {
				if err := c.run(); err != nil && c.name != "kin-openapi-alone" {
					b.Fatal(err)
				}
			}
			runtime.ReadMemStats(&ms1)
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(b.N)/float64(len(body)), "x-body")
		})
	}
}

// BenchmarkValidateJSONImage5MB measures a JSON body carrying a 5 MB base64 image (the
// Verifik style): the body is decoded once for both the schema check and the drift walk.
func BenchmarkValidateJSONImage5MB(b *testing.B) {
	s := people(b)
	body := []byte(`{"account_id":"a","metadata":{"session_id":"` + uuidV4 + `"},"tags":["` +
		strings.Repeat("QUJD", (5<<20)/4) + `"]}`)
	b.Run("client-GetBody", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		for b.Loop() {
			r, _ := http.NewRequest("POST", "http://vendor.test/sessions", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("x-api-key", apiKey)
			if err := s.ValidateRequest(r); err != nil {
				b.Fatal(err)
			}
		}
		runtime.ReadMemStats(&ms1)
		b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(b.N)/float64(len(body)), "x-body")
	})
}
