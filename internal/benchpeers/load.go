package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// request is one request of a load run, the same for every connection.
type request struct {
	method string
	url    string
	header http.Header
	body   []byte
}

// result is what one load run measured.
type result struct {
	requests int           // answered requests
	statuses map[int]int   // answers by status
	errors   int           // requests without an answer (connection errors)
	elapsed  time.Duration // the run's length
	p50, p99 time.Duration
}

// rps is successful (2xx) answers per second: a refusal (429 at a cap) is cheap and
// must not count as the work measured.
func (r result) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	ok := 0
	for s, n := range r.statuses {
		if s >= 200 && s < 300 {
			ok += n
		}
	}
	return float64(ok) / r.elapsed.Seconds()
}

// load sends req on c keep-alive connections, each one request at a time, for d, and
// measures every answer's latency (headers to the end of the body). The same client code
// runs against every target, so the targets differ only in how they answer.
func load(ctx context.Context, req request, c int, d time.Duration) result {
	tr := &http.Transport{
		MaxIdleConns: c, MaxIdleConnsPerHost: c, MaxConnsPerHost: c,
		DisableCompression: true, IdleConnTimeout: time.Minute,
	}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	type worker struct {
		lat      []time.Duration
		statuses map[int]int
		errors   int
	}
	workers := make([]worker, c)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range workers {
		w := &workers[i]
		w.lat = make([]time.Duration, 0, 1<<14)
		w.statuses = map[int]int{}
		wg.Go(func() {
			for ctx.Err() == nil {
				r, err := http.NewRequestWithContext(ctx, req.method, req.url, bytes.NewReader(req.body))
				if err != nil {
					w.errors++
					return
				}
				r.Header = req.header.Clone()
				t := time.Now()
				resp, err := hc.Do(r)
				if err != nil {
					if ctx.Err() == nil {
						w.errors++
					}
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil {
					if ctx.Err() == nil {
						w.errors++
					}
					continue
				}
				w.lat = append(w.lat, time.Since(t))
				w.statuses[resp.StatusCode]++
			}
		})
	}
	wg.Wait()
	res := result{statuses: map[int]int{}, elapsed: time.Since(start)}
	var all []time.Duration
	for _, w := range workers {
		all = append(all, w.lat...)
		res.errors += w.errors
		for s, n := range w.statuses {
			res.statuses[s] += n
		}
	}
	res.requests = len(all)
	res.p50, res.p99 = percentile(all, 0.50), percentile(all, 0.99)
	return res
}

// percentile returns the q-quantile (nearest rank) of ds, sorting ds in place.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(q*float64(len(ds))+0.5) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

// median returns the median of xs (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
