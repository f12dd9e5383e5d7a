package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// limitsSpec is testdata/limits/limits.yaml: operations that declare their body sizes.
// It lives outside testdata/specs so the kit tests' spec list stays as it is.
var loadLimitsKit = sync.OnceValues(func() (*Kit, error) { return Load(os.DirFS("testdata/limits")) })

func limitsSpec(t testing.TB) *Spec {
	t.Helper()
	k, err := loadLimitsKit()
	require.NoError(t, err)
	return k.Spec("limits")
}

// generated is a body of n bytes, prefix then 'a's, made as it is read: a 1 GiB body
// costs nothing to send. reads counts the bytes handed out.
type generated struct {
	prefix string
	n, off int64
	reads  atomic.Int64
	// allow, if > 0, fails t when more than allow bytes are read.
	allow int64
	t     testing.TB
}

func newGenerated(t testing.TB, prefix string, n int64) *generated {
	return &generated{prefix: prefix, n: n, t: t}
}

func (g *generated) Read(p []byte) (int, error) {
	if g.off >= g.n {
		return 0, io.EOF
	}
	k := int64(len(p))
	if rest := g.n - g.off; k > rest {
		k = rest
	}
	p = p[:k]
	if g.off < int64(len(g.prefix)) {
		c := copy(p, g.prefix[g.off:])
		fill(p[c:])
	} else {
		fill(p)
	}
	g.off += k
	if total := g.reads.Add(k); g.allow > 0 && total > g.allow {
		g.t.Errorf("body read past %d bytes (%d)", g.allow, total)
	}
	return int(k), nil
}

var as = bytes.Repeat([]byte{'a'}, 32<<10)

func fill(p []byte) {
	for len(p) > 0 {
		p = p[copy(p, as):]
	}
}

func (g *generated) Close() error { return nil }

// bodyRequest is a server-side request (no GetBody) to target with body; contentLength -1
// means chunked.
func bodyRequest(method, target string, body io.Reader, contentLength int64) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	r.Body = io.NopCloser(body)
	r.ContentLength = contentLength
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("x-api-key", apiKey)
	return r
}

// counted wraps a handler and counts calls.
func counted(calls *atomic.Int32, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		h.ServeHTTP(w, r)
	})
}

func skipAll(*http.Request) bool { return true }

func TestMiddlewareRefusesDeclaredLengthUnread(t *testing.T) {
	tests := []struct {
		name   string
		opts   MiddlewareOptions
		target string
		wantOp string
	}{
		{name: "off", opts: MiddlewareOptions{Mode: ModeOff}, target: "/sessions", wantOp: "createSession"},
		{name: "report", opts: MiddlewareOptions{Mode: ModeReport}, target: "/sessions", wantOp: "createSession"},
		{name: "enforce", opts: MiddlewareOptions{Mode: ModeEnforce}, target: "/sessions", wantOp: "createSession"},
		{name: "skipped route", opts: MiddlewareOptions{Mode: ModeEnforce, Skip: skipAll}, target: "/sessions", wantOp: "createSession"},
		{name: "unknown route", opts: MiddlewareOptions{Mode: ModeEnforce}, target: "/nowhere"},
		{name: "own limit", opts: MiddlewareOptions{Mode: ModeEnforce, MaxBodyBytes: 1 << 10}, target: "/sessions", wantOp: "createSession"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := newGenerated(t, "", 1<<30)
			body.allow = 1 // nothing at all should be read
			tt.opts.Logger = discardLogger()
			var calls atomic.Int32
			h := Middleware(tt.opts, people(t))(counted(&calls, fakeSessions(201, `{}`, false)))
			r := bodyRequest("POST", tt.target, body, 1<<30)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)

			assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
			assert.Equal(t, "close", w.Header().Get("Connection"))
			assert.Zero(t, calls.Load(), "handler must not run")
			assert.Zero(t, body.reads.Load(), "bytes read")
			var v violation
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &v))
			assert.Equal(t, "contract_violation", v.Error)
			require.Len(t, v.Problems, 1)
			assert.Equal(t, RuleBodyTooLarge, v.Problems[0].Rule)
			assert.Equal(t, tt.wantOp, v.Problems[0].Operation)
		})
	}
}

func TestMiddlewareStopsChunkedBodyAtLimit(t *testing.T) {
	const limit = 64 << 10
	tests := []struct {
		name   string
		opts   MiddlewareOptions
		target string
	}{
		{name: "off", opts: MiddlewareOptions{Mode: ModeOff}, target: "/sessions"},
		{name: "report", opts: MiddlewareOptions{Mode: ModeReport}, target: "/sessions"},
		{name: "enforce", opts: MiddlewareOptions{Mode: ModeEnforce}, target: "/sessions"},
		{name: "skipped route", opts: MiddlewareOptions{Mode: ModeEnforce, Skip: skipAll}, target: "/sessions"},
		{name: "unknown route, report", opts: MiddlewareOptions{Mode: ModeReport}, target: "/nowhere"},
		{name: "streamed binary", opts: MiddlewareOptions{Mode: ModeEnforce}, target: "/faces/raw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.MaxBodyBytes = limit
			tt.opts.Logger = discardLogger()
			body := newGenerated(t, `{"account_id":"`, 1<<30)
			body.allow = limit + 1
			var calls atomic.Int32
			h := Middleware(tt.opts, people(t))(counted(&calls, fakeSessions(201, `{}`, false)))
			method := "POST"
			if tt.target == "/faces/raw" {
				method = "PUT"
			}
			r := bodyRequest(method, tt.target, body, -1)
			if tt.target == "/faces/raw" {
				r.Header.Set("Content-Type", "image/png")
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)

			assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
			assert.Zero(t, calls.Load(), "handler must not run")
			assert.LessOrEqual(t, body.reads.Load(), int64(limit+1))
		})
	}
}

// TestMiddlewarePassesBodyAtLimit: a body of exactly the limit, of unknown length, reaches
// the handler whole in the modes that do not refuse it for its content.
func TestMiddlewarePassesBodyAtLimit(t *testing.T) {
	const limit = 64 << 10
	for _, mode := range []Mode{ModeOff, ModeReport} {
		t.Run(mode.String(), func(t *testing.T) {
			var got atomic.Int64
			h := Middleware(MiddlewareOptions{Mode: mode, MaxBodyBytes: limit, Logger: discardLogger()}, people(t))(
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					n, _ := io.Copy(io.Discard, r.Body)
					got.Store(n)
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(201)
					_, _ = io.WriteString(w, `{"id":"`+uuidV4+`","status":"pending"}`)
				}))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, bodyRequest("POST", "/sessions", newGenerated(t, `{"account_id":"`, limit), -1))
			assert.Equal(t, 201, w.Code)
			assert.Equal(t, int64(limit), got.Load())
		})
	}
}

func TestDeclaredBodyLimit(t *testing.T) {
	s := limitsSpec(t)
	tests := []struct {
		op   string
		base int64
		want int64
	}{
		{op: "uploadPhoto", base: DefaultMaxBodyBytes, want: DefaultMaxBodyBytes}, // 2 MiB declared: below the default
		{op: "uploadPhoto", base: 1 << 20, want: 2<<20 + 100 + bodySlack},
		{op: "createAlbum", base: 1 << 20, want: 3*1_000_000 + bodySlack},
		{op: "createNote", base: DefaultMaxBodyBytes, want: DefaultMaxBodyBytes},
		{op: "createNote", base: 1 << 10, want: 1 << 10},
		{op: "putBlob", base: 1 << 20, want: 3 << 20},
		{op: "putBlob", base: DefaultMaxBodyBytes, want: DefaultMaxBodyBytes}, // the declared size only ever raises the limit
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			var rt *route
			for _, r := range s.routes {
				if r.opID == tt.op {
					rt = r
				}
			}
			require.NotNil(t, rt)
			assert.Equal(t, tt.want, rt.bodyLimit(tt.base))
		})
	}
}

// TestMiddlewarePerOperationLimit: an operation that declares big fields takes a body over
// the base limit (1 MiB here, to keep the bodies small); one that declares nothing does not.
func TestMiddlewarePerOperationLimit(t *testing.T) {
	photo := func(n int) string { return `{"image":"` + strings.Repeat("A", n) + `"}` }
	tests := []struct {
		name       string
		method     string
		target     string
		ct         string
		body       string
		chunked    bool
		wantStatus int
	}{
		{name: "1.5 MiB photo under its 2 MiB limit", method: "POST", target: "/photos", body: photo(3 << 19), wantStatus: 200},
		{name: "1.5 MiB photo, chunked", method: "POST", target: "/photos", body: photo(3 << 19), chunked: true, wantStatus: 200},
		{name: "3 MiB photo over its limit", method: "POST", target: "/photos", body: photo(3 << 20), wantStatus: 413},
		{name: "3 MiB photo over its limit, chunked", method: "POST", target: "/photos", body: photo(3 << 20), chunked: true, wantStatus: 413},
		{name: "1.5 MiB note over the base limit", method: "POST", target: "/notes", body: `{"text":"` + strings.Repeat("a", 3<<19) + `"}`, wantStatus: 413},
		{name: "2.5 MiB blob under its declared 3 MiB", method: "PUT", target: "/blobs", ct: "application/octet-stream", body: strings.Repeat("b", 5<<19), chunked: true, wantStatus: 204},
		{name: "3.5 MiB blob over it", method: "PUT", target: "/blobs", ct: "application/octet-stream", body: strings.Repeat("b", 7<<19), wantStatus: 413},
	}
	for _, mode := range []Mode{ModeOff, ModeEnforce} {
		for _, tt := range tests {
			t.Run(mode.String()+"/"+tt.name, func(t *testing.T) {
				var got atomic.Int64
				h := Middleware(MiddlewareOptions{Mode: mode, MaxBodyBytes: 1 << 20, Logger: discardLogger()}, limitsSpec(t))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					n, _ := io.Copy(io.Discard, r.Body)
					got.Store(n)
					if r.Method == "PUT" {
						w.WriteHeader(204)
						return
					}
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, `{"ok":true}`)
				}))
				cl := int64(len(tt.body))
				if tt.chunked {
					cl = -1
				}
				r := bodyRequest(tt.method, tt.target, strings.NewReader(tt.body), cl)
				if tt.ct != "" {
					r.Header.Set("Content-Type", tt.ct)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				assert.Equal(t, tt.wantStatus, w.Code, w.Body.String())
				if tt.wantStatus < 300 {
					assert.Equal(t, int64(len(tt.body)), got.Load(), "the handler reads the whole body")
				}
			})
		}
	}
}

func TestMiddlewareRefuse(t *testing.T) {
	validCreate := `{"account_id":"a","metadata":{"session_id":"` + uuidV4 + `"}}`
	tests := []struct {
		name       string
		mode       Mode
		handler    http.Handler
		req        func(t *testing.T) *http.Request
		wantStatus int
		wantOp     string
		wantRule   string
	}{
		{
			name: "400 request violation", mode: ModeEnforce,
			handler:    fakeSessions(201, `{}`, false),
			req:        func(*testing.T) *http.Request { return jsonRequest("POST", "/sessions", `{"account_id":7}`) },
			wantStatus: 400, wantOp: "createSession", wantRule: RuleType,
		},
		{
			name: "404 no route", mode: ModeEnforce,
			handler:    fakeSessions(200, `{}`, false),
			req:        func(*testing.T) *http.Request { return jsonRequest("GET", "/nowhere", "") },
			wantStatus: 404, wantOp: "", wantRule: RuleNoRoute,
		},
		{
			name: "413 declared length", mode: ModeEnforce,
			handler: fakeSessions(201, `{}`, false),
			req: func(t *testing.T) *http.Request {
				return bodyRequest("POST", "/sessions", newGenerated(t, "", 1<<30), 1<<30)
			},
			wantStatus: 413, wantOp: "createSession", wantRule: RuleBodyTooLarge,
		},
		{
			name: "413 chunked, mode off", mode: ModeOff,
			handler: fakeSessions(201, `{}`, false),
			req: func(t *testing.T) *http.Request {
				return bodyRequest("POST", "/sessions", newGenerated(t, "", 1<<30), -1)
			},
			wantStatus: 413, wantOp: "createSession", wantRule: RuleBodyTooLarge,
		},
		{
			name: "500 response violation", mode: ModeEnforce,
			handler:    fakeSessions(418, `{}`, false),
			req:        func(*testing.T) *http.Request { return jsonRequest("POST", "/sessions", validCreate) },
			wantStatus: 500, wantOp: "createSession", wantRule: RuleUndocumentedStatus,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []Refusal
			opts := MiddlewareOptions{
				Mode: tt.mode, Logger: discardLogger(),
				Refuse: func(w http.ResponseWriter, r *http.Request, ref Refusal) {
					got = append(got, ref)
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(ref.Status)
					_, _ = io.WriteString(w, `{"vendor_error":"`+ref.Operation+`"}`)
				},
			}
			h := Middleware(opts, people(t))(tt.handler)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tt.req(t))

			require.Len(t, got, 1)
			ref := got[0]
			assert.Equal(t, tt.wantStatus, ref.Status)
			assert.Equal(t, tt.wantOp, ref.Operation)
			require.NotNil(t, ref.Err)
			rules := make([]string, 0, len(ref.Err.Problems))
			for _, p := range ref.Err.Problems {
				rules = append(rules, p.Rule)
			}
			assert.Contains(t, rules, tt.wantRule)
			assert.Equal(t, tt.wantStatus, w.Code)
			assert.JSONEq(t, `{"vendor_error":"`+tt.wantOp+`"}`, w.Body.String(), "Refuse writes the answer alone")
		})
	}
}

// TestMiddlewareOneGiBChunkedBody sends a generated 1 GiB chunked body through a real
// server: it is refused with 413 after the server read no more than the limit.
func TestMiddlewareOneGiBChunkedBody(t *testing.T) {
	if testing.Short() {
		t.Skip("network round trip")
	}
	var serverRead atomic.Int64
	mw := Middleware(MiddlewareOptions{Mode: ModeEnforce, Logger: discardLogger()}, people(t))(fakeSessions(201, `{}`, false))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = &countingBody{ReadCloser: r.Body, n: &serverRead}
		mw.ServeHTTP(w, r)
	}))
	defer srv.Close()

	var res *http.Response
	var err error
	start := time.Now()
	alloc := allocated(func() {
		body := struct{ io.Reader }{newGenerated(t, `{"account_id":"`, 1<<30)} // unknown length: chunked
		req, _ := http.NewRequest("POST", srv.URL+"/sessions", body)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("x-api-key", apiKey)
		res, err = srv.Client().Do(req)
	})
	elapsed := time.Since(start)
	if err != nil {
		// The server may close before the client learns the status; what matters is how
		// little it read.
		t.Logf("client: %v", errors.Unwrap(err))
	} else {
		res.Body.Close()
		assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
	}
	assert.LessOrEqual(t, serverRead.Load(), DefaultMaxBodyBytes+1)
	assert.Less(t, alloc, uint64(64<<20), "allocated while refusing a 1 GiB body")
	t.Logf("1 GiB chunked body: refused in %v, server read %d bytes, %.1f MiB allocated (client and server)",
		elapsed, serverRead.Load(), float64(alloc)/(1<<20))
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func TestValidateRequestBoundsBufferedBody(t *testing.T) {
	tests := []struct {
		name           string
		contentLength  int64
		wantReadAtMost int64
	}{
		{name: "declared 1 GiB", contentLength: 1 << 30, wantReadAtMost: 0},
		{name: "chunked 1 GiB", contentLength: -1, wantReadAtMost: DefaultMaxBodyBytes + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := newGenerated(t, `{"account_id":"`, 1<<30)
			err := people(t).ValidateRequest(bodyRequest("POST", "/sessions", body, tt.contentLength))
			assert.Equal(t, []string{"body " + RuleBodyTooLarge}, problemKeys(err))
			assert.LessOrEqual(t, body.reads.Load(), tt.wantReadAtMost)
		})
	}
}

// TestReadAllSizedDoesNotTrustContentLength: a declared length is a claim; without a
// limit, at most maxPrealloc is allocated for it before the bytes arrive.
func TestReadAllSizedDoesNotTrustContentLength(t *testing.T) {
	var data []byte
	alloc := allocated(func() {
		var err error
		data, err = readAllSized(bytes.NewReader(make([]byte, 1<<10)), 1<<30, 0)
		require.NoError(t, err)
	})
	assert.Len(t, data, 1<<10)
	assert.Less(t, alloc, uint64(2*maxPrealloc))
	t.Logf("1 KiB body claiming 1 GiB: %.1f MiB allocated", float64(alloc)/(1<<20))
}
