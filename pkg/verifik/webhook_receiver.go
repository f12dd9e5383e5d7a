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
	"strings"
	"time"

	"github.com/idvkit/idvkit/pkg/contract"
)

// EventHandler is the integrator's code for one event. It is called once per event (see
// Receiver); an error makes the receiver answer 500 and forget the event's key, so that
// Verifik's redelivery is handled again.
type EventHandler func(ctx context.Context, ev Event) error

// ReceiverOptions configures a Receiver. The zero value reads, dedups in memory and
// validates nothing; set the protections your deployment can use (docs/WEBHOOKS.md).
type ReceiverOptions struct {
	// Store remembers handled events (default: a MemoryStore of DefaultMemoryStoreCapacity
	// keys). Receivers of one URL on several instances share one store.
	Store DedupStore
	// TTL is how long a handled event's key is remembered (default DefaultDedupTTL).
	TTL time.Duration
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
// Answers: 200 handled or duplicate; 400 not an event (or a violation in enforce mode);
// 401/403/404 a protection refused it; 405 not a POST; 413 too large; 500 the handler
// failed (the key is released so a redelivery is handled); 503 the store failed (nothing
// was handled, so Verifik's redelivery is safe).
type Receiver struct {
	handle EventHandler
	opts   ReceiverOptions
	log    *slog.Logger
}

// NewReceiver returns a Receiver handing events to h.
func NewReceiver(h EventHandler, opts ReceiverOptions) *Receiver {
	if opts.Store == nil {
		opts.Store = NewMemoryStore(0, nil)
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultDedupTTL
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxEventBytes
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Receiver{handle: h, opts: opts, log: log}
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
	ctx := r.Context()
	first, err := rc.opts.Store.Claim(ctx, ev.Meta().Key, rc.opts.TTL)
	if err != nil {
		rc.log.Error("verifik webhook: dedup store failed", "event", ev.Meta(), "err", err)
		rc.refuse(w, http.StatusServiceUnavailable, "dedup store unavailable")
		return
	}
	if !first {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("duplicate\n"))
		return
	}
	if err := rc.handle(ctx, ev); err != nil {
		rc.log.Warn("verifik webhook: handler failed; Verifik may redeliver", "event", ev.Meta(), "err", err)
		// A fresh context: the request's may be done, and the key must not stay claimed.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if rerr := rc.opts.Store.Release(rctx, ev.Meta().Key); rerr != nil {
			rc.log.Error("verifik webhook: dedup release failed; a redelivery will be dropped until the key expires", "event", ev.Meta(), "err", rerr)
		}
		cancel()
		rc.refuse(w, http.StatusInternalServerError, "handler failed")
		return
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("ok\n"))
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
