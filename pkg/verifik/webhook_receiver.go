package verifik

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/idvkit/idvkit/pkg/contract"
)

// EventHandler is the integrator's code for one event. It is called once per event (see
// Receiver); an error (or a panic) makes the receiver answer 500 and forget the event's
// key, so that Verifik's redelivery is handled again. ctx ends at three quarters of
// ReceiverOptions.Lease: a handler that gives up when it ends finishes while it still
// holds the event, so no other delivery handles it meanwhile.
type EventHandler func(ctx context.Context, ev Event) error

// ReceiverOptions configures a Receiver. The zero value reads, dedups in memory and
// validates nothing; set the protections your deployment can use (docs/WEBHOOKS.md).
type ReceiverOptions struct {
	// Store remembers handled events (default: a MemoryStore of DefaultMemoryStoreCapacity
	// keys). Receivers of one URL on several instances share one store.
	Store DedupStore
	// TTL is how long a handled event's key is remembered (default DefaultDedupTTL).
	TTL time.Duration
	// Lease is how long a delivery being handled holds its event's key (default
	// DefaultLease): other deliveries of the event meanwhile get 503 with Retry-After and
	// Verifik redelivers them. If this process dies mid-handler, the lease runs out and
	// the first redelivery after it is handled. The handler's context ends at three
	// quarters of it, leaving the rest to record the outcome; set it above the longest
	// your handler needs.
	Lease time.Duration
	// Mode holds each delivery against the spec's smartEnrollEvent callback:
	// contract.ModeOff (the zero value) skips it, ModeReport reports problems and passes
	// every event on, ModeEnforce refuses a delivery with violations (400). Drift — an
	// unknown type or field — is reported and passed on in every mode.
	Mode contract.Mode
	// OnProblem receives each delivery's contract problems, drift included (never values).
	OnProblem func(ev Event, problems *contract.Error)
	// Logger logs refusals, problems and handler failures, never bodies (default
	// slog.Default()).
	Logger *slog.Logger
	// MaxBytes bounds a delivery's body (default DefaultMaxEventBytes); longer ones get 413.
	MaxBytes int64

	// PathSecret, when set, must be the last segment of the request path: register
	// https://your-app.example/hooks/verifik/<secret> with Verifik and mount the receiver
	// on /hooks/verifik/. Anything else gets 404, as if nothing were there.
	PathSecret string
	// BasicAuthUser and BasicAuthPassword, when the password is set, must arrive as HTTP
	// basic auth: register https://user:password@your-app.example/hooks/verifik (HTTP
	// clients send URL credentials as an Authorization header). Otherwise 401.
	BasicAuthUser, BasicAuthPassword string
	// AllowedSources, when not empty, are the only client addresses accepted (by
	// RemoteAddr; behind a proxy, check at the proxy). Verifik publishes no source
	// addresses: use this for addresses you have observed or for your own gateway.
	// Others get 403.
	AllowedSources []netip.Prefix
}

// Receiver is an http.Handler for Verifik's webhook deliveries: it checks the configured
// protections, reads the event (ParseEvent), validates it in the chosen mode, drops
// duplicates by EventKey through the DedupStore, and hands each event once to the
// EventHandler.
//
// Each event is claimed in two phases (see DedupStore): a lease (ReceiverOptions.Lease)
// while the handler runs, then done for the TTL when it succeeded, or released when it
// failed. A receiver that dies mid-handler leaves only the lease, so the event is not lost.
//
// Answers: 200 handled or duplicate; 400 not an event (or a violation in enforce mode);
// 401/403/404 a protection refused it; 405 not a POST; 413 too large; 500 the handler
// failed (the key is released so a redelivery is handled); 503 the store failed, or
// another delivery of the event is being handled (with Retry-After: the rest of its
// lease). Nothing was handled by a 503 delivery, so Verifik's redelivery is safe; 503
// rather than 409 because webhook senders retry it, where a 4xx may be taken as final.
type Receiver struct {
	handle         EventHandler
	opts           ReceiverOptions
	handlerTimeout time.Duration
	log            *slog.Logger
}

// NewReceiver returns a Receiver handing events to h.
func NewReceiver(h EventHandler, opts ReceiverOptions) *Receiver {
	if opts.Store == nil {
		opts.Store = NewMemoryStore(0, nil)
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultDedupTTL
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxEventBytes
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Receiver{handle: h, opts: opts, handlerTimeout: opts.Lease * 3 / 4, log: log}
}

// ServeHTTP implements http.Handler.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		rc.refuse(w, http.StatusMethodNotAllowed, "not a POST")
		return
	}
	if status, why := rc.protect(r); status != 0 {
		rc.refuse(w, status, why)
		return
	}
	body, err := readEvent(r, rc.opts.MaxBytes)
	if err != nil {
		var ee *EventError
		if errors.As(err, &ee) && ee.TooLarge {
			rc.refuse(w, http.StatusRequestEntityTooLarge, ee.Reason)
			return
		}
		rc.refuse(w, http.StatusBadRequest, err.Error())
		return
	}
	ev, err := DecodeEvent(body)
	if err != nil {
		rc.refuse(w, http.StatusBadRequest, err.Error())
		return
	}
	if rc.opts.Mode != contract.ModeOff || ev.Family() == FamilyUnknown {
		if verr := ValidateEvent(ev); verr != nil {
			var ce *contract.Error
			if !errors.As(verr, &ce) {
				rc.log.Error("verifik webhook: validation unavailable", "err", verr)
			} else {
				rc.report(ev, ce)
				if rc.opts.Mode == contract.ModeEnforce && !ce.DriftOnly() {
					rc.refuse(w, http.StatusBadRequest, "event violates the spec")
					return
				}
			}
		}
	}
	rc.dispatch(r.Context(), w, ev)
}

// dispatch claims the event, hands it to the handler when the claim is granted, and ends
// the claim by the handler's outcome.
func (rc *Receiver) dispatch(ctx context.Context, w http.ResponseWriter, ev Event) {
	key := ev.Meta().Key
	claim, err := rc.opts.Store.Claim(ctx, key, rc.opts.Lease)
	if err != nil {
		rc.log.Error("verifik webhook: dedup store failed", "event", ev.Meta(), "err", err)
		rc.refuse(w, http.StatusServiceUnavailable, "dedup store unavailable")
		return
	}
	switch claim.State {
	case ClaimDone:
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("duplicate\n"))
		return
	case ClaimInFlight:
		w.Header().Set("Retry-After", retryAfter(claim.Left, rc.opts.Lease))
		rc.refuse(w, http.StatusServiceUnavailable, "event in flight on another delivery")
		return
	case ClaimGranted:
	default:
		rc.log.Error("verifik webhook: dedup store answered an unknown claim state", "event", ev.Meta(), "state", claim.State)
		rc.refuse(w, http.StatusServiceUnavailable, "dedup store unavailable")
		return
	}
	start := time.Now()
	if err := rc.run(ctx, ev, claim.Token); err != nil {
		rc.log.Warn("verifik webhook: handler failed; Verifik may redeliver", "event", ev.Meta(), "err", err)
		rc.release(ctx, ev, claim.Token)
		rc.refuse(w, http.StatusInternalServerError, "handler failed")
		return
	}
	if took := time.Since(start); took >= rc.opts.Lease {
		rc.log.Warn("verifik webhook: handler outlasted its lease; another delivery may have handled the event too",
			"event", ev.Meta(), "took", took, "lease", rc.opts.Lease)
	}
	// A fresh context: the request's may be done, and the outcome must be recorded.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := rc.opts.Store.Done(dctx, key, rc.opts.TTL); err != nil {
		// Still 200: the event was handled, and a 5xx would have it handled again.
		rc.log.Error("verifik webhook: handled, but the dedup store did not record it; a duplicate after the lease would be handled again",
			"event", ev.Meta(), "err", err)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("ok\n"))
}

// storeTimeout bounds recording a claim's end, which runs on a context of its own.
const storeTimeout = 5 * time.Second

// run calls the handler with its deadline. A panic releases the claim (the event was not
// handled) and goes on up, for net/http to log.
func (rc *Receiver) run(ctx context.Context, ev Event, token string) error {
	hctx, cancel := context.WithTimeout(ctx, rc.handlerTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			rc.release(ctx, ev, token)
			panic(p)
		}
	}()
	return rc.handle(hctx, ev)
}

// release forgets the claim so that Verifik's redelivery is handled.
func (rc *Receiver) release(ctx context.Context, ev Event, token string) {
	// A fresh context: the request's may be done, and the key must not stay leased.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := rc.opts.Store.Release(rctx, ev.Meta().Key, token); err != nil {
		rc.log.Error("verifik webhook: dedup release failed; redeliveries wait for the lease to run out",
			"event", ev.Meta(), "err", err, "lease", rc.opts.Lease)
	}
}

// retryAfter is the Retry-After value for an in-flight event: the seconds left of the
// other delivery's lease, rounded up (the whole lease when the store cannot tell).
func retryAfter(left, lease time.Duration) string {
	if left <= 0 {
		left = lease
	}
	return strconv.FormatInt(int64((left+time.Second-1)/time.Second), 10)
}

func (rc *Receiver) report(ev Event, ce *contract.Error) {
	if rc.opts.OnProblem != nil {
		rc.opts.OnProblem(ev, ce)
	}
	level := slog.LevelWarn
	if ce.DriftOnly() {
		level = slog.LevelInfo
	}
	rc.log.Log(context.Background(), level, "verifik webhook: contract problems", "event", ev.Meta(), "problems", ce.Error())
}

// protect applies the configured protections; a non-zero status refuses the delivery.
func (rc *Receiver) protect(r *http.Request) (int, string) {
	if len(rc.opts.AllowedSources) > 0 {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		addr, err := netip.ParseAddr(host)
		if err != nil || !allowed(rc.opts.AllowedSources, addr.Unmap()) {
			return http.StatusForbidden, "source address not allowed"
		}
	}
	if rc.opts.PathSecret != "" {
		last := path.Base(strings.TrimSuffix(r.URL.Path, "/"))
		if subtle.ConstantTimeCompare([]byte(last), []byte(rc.opts.PathSecret)) != 1 {
			return http.StatusNotFound, "no such webhook path"
		}
	}
	if rc.opts.BasicAuthPassword != "" {
		user, pass, ok := r.BasicAuth()
		userOK := subtle.ConstantTimeCompare([]byte(user), []byte(rc.opts.BasicAuthUser)) == 1
		passOK := subtle.ConstantTimeCompare([]byte(pass), []byte(rc.opts.BasicAuthPassword)) == 1
		if !ok || !userOK || !passOK {
			return http.StatusUnauthorized, "credentials missing or wrong"
		}
	}
	return 0, ""
}

func allowed(prefixes []netip.Prefix, a netip.Addr) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// refuse answers a refusal; the reason never quotes the request.
func (rc *Receiver) refuse(w http.ResponseWriter, status int, reason string) {
	if status != http.StatusInternalServerError {
		rc.log.Info("verifik webhook: delivery refused", "status", status, "reason", reason)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="verifik-webhook"`)
	}
	http.Error(w, http.StatusText(status), status)
}
