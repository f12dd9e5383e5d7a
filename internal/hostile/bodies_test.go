package hostile_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

// maxServerRead bounds what an emulator may read of a 1 GiB body before refusing it: the
// default limit is 4 MiB; operations that take images may declare more.
const maxServerRead = 32 << 20

// TestHugeBodiesAreRefused sends each emulator a body claiming 1 GiB (and sending 1 KiB),
// and a 1 GiB chunked body, over a raw connection: each must be answered 413 after the
// server read no more than a bounded prefix.
func TestHugeBodiesAreRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GiB streams")
	}
	targets := []struct {
		name    string
		handler http.Handler
		path    string
		header  string
		prefix  string
	}{
		{name: "verisoul", handler: verisoultest.New().Handler(), path: "/liveness/enroll",
			header: "x-api-key: " + verisoultest.DefaultAPIKey, prefix: `{"session_id":"`},
		{name: "verifik", handler: verifiktest.New().Handler(), path: "/v2/app-registrations",
			header: "Authorization: Bearer " + verifiktest.DefaultClientToken, prefix: `{"email":"`},
		{name: "iproov", handler: iproovtest.New().Handler(), path: iproovtest.BasePath + "/claim/enrol/token",
			prefix: `{"api_key":"` + iproovtest.DefaultAPIKey + `","secret":"` + iproovtest.DefaultSecret + `","resource":"`},
	}
	for _, tg := range targets {
		for _, chunked := range []bool{false, true} {
			name := tg.name + "/declared 1 GiB"
			if chunked {
				name = tg.name + "/chunked 1 GiB"
			}
			t.Run(name, func(t *testing.T) {
				var read atomic.Int64
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					r.Body = countReads{r.Body, &read}
					tg.handler.ServeHTTP(w, r)
				}))
				defer srv.Close()

				start := time.Now()
				status, err := postHuge(srv.Listener.Addr().String(), tg.path, tg.header, tg.prefix, chunked)
				elapsed := time.Since(start)
				require.NoError(t, err)
				assert.Equal(t, http.StatusRequestEntityTooLarge, status)
				assert.LessOrEqual(t, read.Load(), int64(maxServerRead))
				t.Logf("%s: %d in %v after the server read %d bytes", name, status, elapsed.Round(time.Millisecond), read.Load())
			})
		}
	}
}

type countReads struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countReads) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// postHuge writes a POST of 1 GiB to addr: declared by Content-Length with 1 KiB sent, or
// chunked and sent until the server stops reading. It returns the answer's status.
func postHuge(addr, path, header, prefix string, chunked bool) (int, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	// A safety net for a server that never answers, not a timing assertion.
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))

	var head strings.Builder
	fmt.Fprintf(&head, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n", path)
	if header != "" {
		head.WriteString(header + "\r\n")
	}
	if chunked {
		head.WriteString("Transfer-Encoding: chunked\r\n\r\n")
	} else {
		head.WriteString("Content-Length: 1073741824\r\n\r\n")
	}
	if _, err := io.WriteString(conn, head.String()); err != nil {
		return 0, err
	}
	if !chunked {
		if _, err := conn.Write(append([]byte(prefix), bytes.Repeat([]byte{'a'}, 1<<10)...)); err != nil {
			return 0, err
		}
	} else {
		go func() {
			frame := func(data []byte) []byte {
				return append(append([]byte(fmt.Sprintf("%x\r\n", len(data))), data...), "\r\n"...)
			}
			first := frame([]byte(prefix))
			rest := frame(bytes.Repeat([]byte{'a'}, 32<<10))
			if _, err := conn.Write(first); err != nil {
				return
			}
			for sent := 0; sent < 1<<30; sent += 32 << 10 {
				if _, err := conn.Write(rest); err != nil {
					return // the server refused and closed: expected
				}
			}
			_, _ = io.WriteString(conn, "0\r\n\r\n")
		}()
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}
