package sandbox

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCallLog: the log keeps the last calls, newest first, with the status the client
// saw and the operation name (never the raw path).
func TestCallLog(t *testing.T) {
	clock := NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	log := NewCallLog(3, clock, func(r *http.Request) string { return "op" + r.URL.Query().Get("n") })
	h := log.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, _ := strconv.Atoi(r.URL.Query().Get("status"))
		if status != 0 {
			w.WriteHeader(status)
		}
		_, _ = w.Write([]byte("{}"))
	}))
	for i, status := range []string{"", "404", "503", "429"} {
		clock.Advance(time.Second)
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/secret-key/path?n="+strconv.Itoa(i)+"&status="+status, nil))
	}
	calls := log.Calls()
	require.Len(t, calls, 3, "the ring keeps its size")
	assert.Equal(t, []string{"op3", "op2", "op1"}, []string{calls[0].Operation, calls[1].Operation, calls[2].Operation})
	assert.Equal(t, []int{429, 503, 404}, []int{calls[0].Status, calls[1].Status, calls[2].Status})
	assert.Equal(t, "ok", calls[0].Verdict)
	assert.True(t, calls[0].Time.After(calls[1].Time))
	log.Reset()
	assert.Empty(t, log.Calls())
}
