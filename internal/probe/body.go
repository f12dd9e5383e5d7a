package main

import (
	"io"
	"net/http/httputil"
)

// filler is a request body of n bytes, prefix then 'a's, made as it is read: a 1 GiB body
// costs the probe one copy buffer, never a gigabyte.
type filler struct {
	prefix []byte
	n      int64 // bytes left
}

func (f *filler) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > f.n {
		p = p[:f.n]
	}
	k := copy(p, f.prefix)
	f.prefix = f.prefix[k:]
	for i := k; i < len(p); i++ {
		p[i] = 'a'
	}
	f.n -= int64(len(p))
	return len(p), nil
}

// writeBody sends n bytes of body to w: as they are if the request declared its
// Content-Length, in chunked framing (ended by the last chunk) otherwise. It returns the
// body bytes written.
func writeBody(w io.Writer, prefix []byte, n int64, chunked bool) (int64, error) {
	body := &filler{prefix: prefix, n: n}
	buf := make([]byte, 64<<10)
	if !chunked {
		return io.CopyBuffer(w, body, buf)
	}
	cw := httputil.NewChunkedWriter(w)
	sent, err := io.CopyBuffer(cw, body, buf)
	if err != nil {
		return sent, err
	}
	if err := cw.Close(); err != nil { // the zero-length last chunk
		return sent, err
	}
	_, err = io.WriteString(w, "\r\n") // no trailers
	return sent, err
}
