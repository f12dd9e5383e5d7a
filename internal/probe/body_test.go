package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http/httputil"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWriteBody: a declared body is exactly n bytes starting with its prefix; a chunked
// one decodes to the same bytes.
func TestWriteBody(t *testing.T) {
	tests := []struct {
		name    string
		n       int64
		chunked bool
	}{
		{"declared, smaller than the buffer", 100, false},
		{"declared, several buffers", 200_003, false},
		{"chunked, several buffers", 200_003, true},
		{"chunked, empty", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var wire bytes.Buffer
			sent, err := writeBody(&wire, []byte(`{"x":"`), tc.n, tc.chunked)
			require.NoError(t, err)
			assert.Equal(t, tc.n, sent)
			body := wire.Bytes()
			if tc.chunked {
				body, err = io.ReadAll(httputil.NewChunkedReader(bufio.NewReader(&wire)))
				require.NoError(t, err)
			}
			require.Len(t, body, int(tc.n))
			if tc.n > 6 {
				assert.True(t, strings.HasPrefix(string(body), `{"x":"a`))
			}
		})
	}
}

func TestStatusField(t *testing.T) {
	status := "Name:\tidvkit\nVmPeak:\t  2000 kB\nVmHWM:\t    1234 kB\nVmRSS:\t     999 kB\n"
	got, err := statusField(bufio.NewScanner(strings.NewReader(status)), "VmHWM")
	require.NoError(t, err)
	assert.Equal(t, int64(1234<<10), got)
	_, err = statusField(bufio.NewScanner(strings.NewReader(status)), "VmSwap")
	assert.Error(t, err)
}
