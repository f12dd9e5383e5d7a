package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// RetryPolicy says how often and how patiently a call is retried. Zero
// fields take the defaults of DefaultRetryPolicy.
//
// Whether a failure may be retried at all depends on the operation's Safety
// (see Classify): safe operations retry on connection errors, 429 and 5xx
// except 501; unsafe ones only when the request never left the machine.
type RetryPolicy struct {
	// MaxAttempts counts the first attempt too; 1 turns retries off.
	MaxAttempts int
	// BaseDelay is the backoff before the second attempt; it doubles per
	// attempt, is capped at MaxDelay and jittered down by up to half.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// MaxRetryAfter caps a vendor's Retry-After; longer waits are cut to it.
	MaxRetryAfter time.Duration
	// Classify returns the Safety of an operation keyed "<vendor>/<operationId>".
	// nil looks it up in the package's operation table.
	Classify func(op string) Safety
	// Sleep waits d or until ctx ends, returning ctx.Err() then. nil uses a
	// timer; tests swap in a recorder.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a number in [0,1) for jitter; nil uses math/rand/v2.
	Rand func() float64
}

// DefaultRetryPolicy: 3 attempts, 250ms doubling up to 5s, Retry-After
// honoured up to 30s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:   3,
		BaseDelay:     250 * time.Millisecond,
		MaxDelay:      5 * time.Second,
		MaxRetryAfter: 30 * time.Second,
		Classify:      classify,
		Sleep:         sleep,
		Rand:          rand.Float64,
	}
}

// withDefaults fills zero fields from DefaultRetryPolicy.
func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.MaxAttempts == 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.BaseDelay == 0 {
		p.BaseDelay = d.BaseDelay
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = d.MaxDelay
	}
	if p.MaxDelay < p.BaseDelay {
		p.MaxDelay = p.BaseDelay
	}
	if p.MaxRetryAfter == 0 {
		p.MaxRetryAfter = d.MaxRetryAfter
	}
	if p.Classify == nil {
		p.Classify = d.Classify
	}
	if p.Sleep == nil {
		p.Sleep = d.Sleep
	}
	if p.Rand == nil {
		p.Rand = d.Rand
	}
	return p
}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 0:
		return errors.New("retry policy: negative MaxAttempts")
	case p.BaseDelay < 0, p.MaxDelay < 0, p.MaxRetryAfter < 0:
		return errors.New("retry policy: negative delay")
	}
	return nil
}

// sleep waits d unless ctx ends first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// failure classifies a transport error for the retry decision.
type failure int

const (
	failFatal   failure = iota // retrying cannot help (TLS trust, contract violation, bad URL)
	failConn                   // connection broke; the vendor may have seen the request
	failNotSent                // dial or DNS failure: the request never left the machine
)

func classifyErr(err error) failure {
	// *url.Error (what http.Client returns) itself satisfies net.Error, so
	// judge what it wraps.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return failNotSent
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return failNotSent
	}
	var (
		unknownAuth x509.UnknownAuthorityError
		certInvalid x509.CertificateInvalidError
		hostErr     x509.HostnameError
		verifyErr   *tls.CertificateVerificationError
	)
	if errors.As(err, &unknownAuth) || errors.As(err, &certInvalid) || errors.As(err, &hostErr) || errors.As(err, &verifyErr) {
		return failFatal
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.As(err, &opErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, context.DeadlineExceeded) {
		return failConn
	}
	return failFatal
}

// shouldRetry is the retry decision for one finished attempt: either resp or
// err is set. It does not look at attempt counts or deadlines.
func shouldRetry(safety Safety, resp *http.Response, err error) bool {
	if err != nil {
		switch classifyErr(err) {
		case failNotSent:
			return true
		case failConn:
			return safety == Safe
		}
		return false
	}
	return safety == Safe && retryableStatus(resp.StatusCode)
}

// delay is the wait before attempt number next (2, 3, …): the vendor's
// Retry-After when present (capped), else jittered exponential backoff.
func (p RetryPolicy) delay(next int, resp *http.Response, now time.Time) time.Duration {
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
			return min(d, p.MaxRetryAfter)
		}
	}
	d := p.BaseDelay
	for i := 2; i < next && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	// Equal jitter: wait between half and all of d, so clients that failed
	// together do not come back together, yet always back off a little.
	return d/2 + time.Duration(p.Rand()*float64(d/2))
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP-date.
// A date in the past means "now".
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) { // avoid overflow; capped later anyway
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
