package iproov_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/transport"
)

// slowTokenServer answers the OAuth token request only once release is closed, and
// users at once. arrived gets a value per token request as it comes in.
func slowTokenServer(t *testing.T) (srv *httptest.Server, tokens *atomic.Int64, arrived chan struct{}, release chan struct{}) {
	t.Helper()
	tokens = &atomic.Int64{}
	arrived, release = make(chan struct{}, 16), make(chan struct{})
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/access_token") {
			tokens.Add(1)
			arrived <- struct{}{}
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
			_, _ = w.Write([]byte(`{"access_token":"flightaccesstoken0123456789","token_type":"Bearer","expires_in":3600}`))
			return
		}
		_, _ = w.Write([]byte(`{"user_id":"user-0010","name":"Alice","status":"Active"}`))
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	return srv, tokens, arrived, release
}

// TestAccessTokenFetchHonoursEachCallersContext: while one token request is slow, a
// caller with a short deadline gets its deadline back at once instead of waiting behind
// it, the patient caller gets the token, and the endpoint sees one request for both.
func TestAccessTokenFetchHonoursEachCallersContext(t *testing.T) {
	srv, tokens, arrived, release := slowTokenServer(t)
	c, err := iproov.New("flightapikey000000000000000000000000000000", "flightsecret00000000000000000000000000000",
		iproov.WithBaseURL(srv.URL), iproov.WithOAuth("flight-user", "flight-pass"))
	require.NoError(t, err)

	type answer struct {
		user *iproov.User
		err  error
	}
	patient := make(chan answer, 1)
	go func() {
		u, err := c.GetUser(context.Background(), "user-0010")
		patient <- answer{u, err}
	}()
	<-arrived // the patient caller's token request is in flight

	hasty, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		_, err := c.GetUser(hasty, "user-0010")
		done <- err
	}()
	// The token request is never released before the hasty caller returns, so a caller
	// stuck behind it would wait for ever: the watchdog only turns that into a failure.
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("the caller with a 50 ms deadline waited behind the token request")
	}
	waited := time.Since(start)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var reqErr *transport.RequestError
	assert.True(t, errors.As(err, &reqErr), "typed: %T", err)
	t.Logf("the 50 ms caller returned after %v behind a token request that had not answered", waited)

	select {
	case a := <-patient:
		t.Fatalf("the patient caller finished before the token answered: %v", a.err)
	default:
	}
	close(release)
	a := <-patient
	require.NoError(t, a.err, "the hasty caller's deadline must not fail the shared request")
	assert.Equal(t, "user-0010", a.user.ID)

	_, err = c.GetUser(context.Background(), "user-0010")
	require.NoError(t, err)
	assert.Equal(t, int64(1), tokens.Load(), "one token request served all three calls")
}
