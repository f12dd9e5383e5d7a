package redisrate_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/redistest"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/transport/redisrate"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// vendor is the Verisoul emulator behind a recorder of what reached it: the
// arrival time and status of every API call.
type vendor struct {
	srv *httptest.Server
	mu  sync.Mutex
	at  []time.Time
	got []int
}

func newVendor(t *testing.T, opts ...verisoultest.Option) *vendor {
	v := &vendor{}
	h := verisoultest.New(opts...).Handler()
	v.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		v.mu.Lock()
		v.at = append(v.at, at)
		v.got = append(v.got, sw.status)
		v.mu.Unlock()
	}))
	t.Cleanup(v.srv.Close)
	return v
}

func (v *vendor) calls() (at []time.Time, statuses map[int]int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	statuses = map[int]int{}
	for _, s := range v.got {
		statuses[s]++
	}
	return append([]time.Time(nil), v.at...), statuses
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// instance is one backend of the fleet: its own Redis connection pool, its
// own limiter and its own Verisoul client, sharing only Redis and the key.
// The pool is set up as docs/FLEET.md advises (no retries of its own, one
// dial attempt), with timeouts generous enough for the race detector on a
// busy machine.
func instance(t *testing.T, addr, baseURL string, q transport.Quota, opts ...redisrate.Option) *verisoul.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 2 * time.Second,
		ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second, MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { _ = rdb.Close() })
	lim, err := redisrate.New(rdb, q, opts...)
	require.NoError(t, err)
	c, err := verisoul.New(verisoultest.DefaultAPIKey, verisoul.WithBaseURL(baseURL),
		verisoul.WithTransport(transport.WithRateLimiter(lim, verisoultest.DefaultAPIKey)))
	require.NoError(t, err)
	return c
}

// TestFleetKeepsTheVendorQuota: four instances sharing a key on Redis keep
// the vendor's limit together: the emulator, set to the same limit over a
// short window, never answers 429, and no window of its period holds more
// than its requests.
func TestFleetKeepsTheVendorQuota(t *testing.T) {
	if testing.Short() {
		t.Skip("paces calls for about three seconds")
	}
	srv := redistest.Start(t)
	q := transport.Quota{Requests: 30, Period: 2 * time.Second} // Verisoul's 300/min, shrunk
	v := newVendor(t, verisoultest.WithRateLimit(q.Requests, q.Period))

	const instances, workers, perWorker = 4, 3, 4 // 48 calls: about 1.6 windows' worth
	var wg sync.WaitGroup
	var failed atomic.Int32
	start := time.Now()
	for range instances {
		c := instance(t, srv.Addr, v.srv.URL, q)
		for range workers {
			wg.Go(func() {
				for range perWorker {
					if _, err := c.StartSession(context.Background(), verisoul.SessionOptions{}); err != nil {
						failed.Add(1)
						t.Errorf("call failed: %v", err)
					}
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)

	at, statuses := v.calls()
	most := mostInWindow(at, q.Period)
	t.Logf("%d calls from %d instances in %v; at most %d in any %v at the vendor (quota %v); statuses %v; %s",
		len(at), instances, elapsed.Round(time.Millisecond), most, q.Period, q, statuses, redisCalls(t, srv.Addr, len(at)))
	assert.Zero(t, failed.Load())
	assert.Equal(t, map[int]int{http.StatusOK: instances * workers * perWorker}, statuses, "no 429 from the vendor")
	assert.LessOrEqual(t, most, q.Requests)
}

// redisCalls reports how many scripts Redis ran per admitted call: the
// retries of instances that found no free slot.
func redisCalls(t *testing.T, addr string, admitted int) string {
	n := scriptsRun(t, addr)
	return strconv.Itoa(n) + " Redis scripts run (" + strconv.FormatFloat(float64(n)/float64(admitted), 'f', 1, 64) + " per call)"
}

// scriptsRun is how many scripts the Redis server at addr ran since it
// started (INFO commandstats), or -1 when it cannot answer.
func scriptsRun(t *testing.T, addr string) int {
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer rdb.Close()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		return -1
	}
	n := 0
	for _, line := range strings.Split(info, "\n") {
		if strings.HasPrefix(line, "cmdstat_evalsha:") || strings.HasPrefix(line, "cmdstat_eval:") {
			calls, _, _ := strings.Cut(strings.TrimPrefix(line[strings.Index(line, ":")+1:], "calls="), ",")
			c, _ := strconv.Atoi(calls)
			n += c
		}
	}
	return n
}

// TestFleetWhenRedisGoesAway: Redis is killed while four instances call the
// vendor. Every call either reaches the vendor or fails typed and unsent
// (nothing lost, nothing sent twice), nothing panics, and once Redis is back
// the limiter uses it again. With a fallback the calls go on.
func TestFleetWhenRedisGoesAway(t *testing.T) {
	tests := []struct {
		name     string
		fallback bool
	}{
		{name: "typed errors"},
		{name: "fallback", fallback: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := redistest.Start(t)
			q := transport.Quota{Requests: 2000, Period: time.Second}
			v := newVendor(t, verisoultest.WithRateLimit(0, 0))
			const instances, workers, perWorker = 4, 2, 40
			var clients []*verisoul.Client
			for range instances {
				opts := []redisrate.Option{redisrate.WithCooldown(20 * time.Millisecond)}
				if tt.fallback {
					share, err := transport.NewLimiter(transport.Quota{Requests: q.Requests / instances, Period: q.Period})
					require.NoError(t, err)
					opts = append(opts, redisrate.WithFallback(share))
				}
				clients = append(clients, instance(t, srv.Addr, v.srv.URL, q, opts...))
			}

			var ok, unavailable, other atomic.Int32
			var sent atomic.Int32
			killAt := int32(instances * workers * perWorker / 4)
			killed := make(chan struct{})
			var once sync.Once
			var wg sync.WaitGroup
			for _, c := range clients {
				for range workers {
					wg.Go(func() {
						for range perWorker {
							if sent.Add(1) == killAt {
								once.Do(func() { srv.Kill(); close(killed) })
							}
							_, err := c.StartSession(context.Background(), verisoul.SessionOptions{})
							var le *transport.LimiterError
							switch {
							case err == nil:
								ok.Add(1)
							case errors.Is(err, redisrate.ErrUnavailable) && errors.As(err, &le) && !errors.Is(err, transport.ErrOutcomeUnknown):
								unavailable.Add(1)
							default:
								other.Add(1)
								t.Errorf("untyped failure: %v", err)
							}
						}
					})
				}
			}
			wg.Wait()
			<-killed
			at, statuses := v.calls()
			total := instances * workers * perWorker
			t.Logf("%d calls: %d sent and answered, %d refused unsent (Redis unavailable), %d other", total, ok.Load(), unavailable.Load(), other.Load())
			assert.EqualValues(t, total, ok.Load()+unavailable.Load(), "every call accounted for")
			assert.Len(t, at, int(ok.Load()), "the vendor saw exactly the calls that succeeded")
			assert.Equal(t, map[int]int{http.StatusOK: int(ok.Load())}, statuses)
			if tt.fallback {
				assert.EqualValues(t, total, ok.Load(), "the fallback kept calls going")
			} else {
				assert.NotZero(t, unavailable.Load(), "calls after the kill fail typed")
			}

			srv.Restart()
			// After the cooldown (20 ms) Redis is asked again: calls succeed
			// and the restarted server runs the limiter's script.
			require.Eventually(t, func() bool {
				_, err := clients[0].StartSession(context.Background(), verisoul.SessionOptions{})
				return err == nil && scriptsRun(t, srv.Addr) > 0
			}, 5*time.Second, 10*time.Millisecond)
		})
	}
}

// TestKeyIsAFingerprint: what the fleet writes in Redis names the vendor
// and a fingerprint of the credential, never the credential.
func TestKeyIsAFingerprint(t *testing.T) {
	srv := redistest.Start(t)
	v := newVendor(t)
	c := instance(t, srv.Addr, v.srv.URL, transport.PerMinute(10))
	_, err := c.StartSession(context.Background(), verisoul.SessionOptions{})
	require.NoError(t, err)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()
	keys, err := rdb.Keys(context.Background(), "*").Result()
	require.NoError(t, err)
	assert.Equal(t, []string{"rate:" + redisrate.DefaultPrefix + transport.QuotaKey("verisoul", verisoultest.DefaultAPIKey)}, keys)
	for _, k := range keys {
		assert.NotContains(t, k, verisoultest.DefaultAPIKey)
	}
	ttl, err := rdb.TTL(context.Background(), keys[0]).Result()
	require.NoError(t, err)
	assert.Positive(t, ttl, "Redis forgets the quota once it is full again")
	assert.LessOrEqual(t, ttl, time.Minute)
}

// mostInWindow is the largest number of times within any window of length
// d, counted as a vendor does: (t-d, t].
func mostInWindow(ts []time.Time, d time.Duration) int {
	ts = append([]time.Time(nil), ts...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	most, lo := 0, 0
	for hi := range ts {
		for !ts[lo].After(ts[hi].Add(-d)) {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return most
}
