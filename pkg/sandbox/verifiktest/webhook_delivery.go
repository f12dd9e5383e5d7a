package verifiktest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

// DefaultWebhookRetries is the delay before each redelivery of an event the receiver did
// not accept (no answer, or a status outside 2xx): 30s, 2m, 10m, 30m, 1h — six attempts
// over about 1h42m, then the delivery is given up. Verifik documents no schedule; this one
// grows roughly fivefold, like the schedules of Stripe or GitHub, so a receiver that is
// down for a deploy gets the event within minutes and one down for an hour still gets it,
// while a dead URL costs six requests. Dedup keys (verifik.DefaultDedupTTL, 24h) outlive it.
var DefaultWebhookRetries = []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour}

// Limits of the delivery machinery.
const (
	// DefaultMaxPendingDeliveries bounds the delivery queue (WithMaxPendingDeliveries); an
	// event beyond it is recorded as dropped ("queue full"), never held.
	DefaultMaxPendingDeliveries = 1000
	// DefaultMaxDeliveryLog is how many deliveries Deliveries remembers, newest kept.
	DefaultMaxDeliveryLog = 1000
	// WebhookTimeout bounds one delivery attempt (real time).
	WebhookTimeout = 10 * time.Second
	// webhookPoll is how often, in real time, the deliverer looks at the clock while a
	// delivery waits for its time: an injected FakeClock moves without telling anyone.
	webhookPoll = 10 * time.Millisecond
	// maxReceiverAnswer is how much of a receiver's answer is read (and discarded).
	maxReceiverAnswer = 64 << 10
)

// WithWebhookRetries replaces DefaultWebhookRetries (nil or empty: one attempt only).
func WithWebhookRetries(delays ...time.Duration) Option {
	return func(e *Emulator) { e.hooks.retries = append([]time.Duration{}, delays...) }
}

// WithMaxPendingDeliveries bounds the delivery queue (default DefaultMaxPendingDeliveries;
// n ≤ 0 keeps it).
func WithMaxPendingDeliveries(n int) Option {
	return func(e *Emulator) { positive(&e.hooks.maxPending, n) }
}

// WithWebhookHosts lets events go to these host names too (exact match, e.g. a docker
// service name). By default the emulator delivers only to loopback (localhost, 127.0.0.0/8,
// ::1), checked again on the connected address, so a sandbox reachable by others is not a
// relay into their networks.
func WithWebhookHosts(hosts ...string) Option {
	return func(e *Emulator) { e.hooks.hosts = append(e.hooks.hosts, hosts...) }
}

// WebhookFaults make deliveries misbehave the ways real networks and senders do, so a
// receiver's dedup and ordering can be tested. Faults draw from the emulator's fault seed
// (WithFaultSeed), so a run repeats.
type WebhookFaults struct {
	// Duplicate is the chance (0–1) that an event is delivered twice.
	Duplicate float64
	// Drop is the chance (0–1) that an event is never delivered (recorded as dropped).
	Drop float64
	// Delay holds every event this long on the emulator's clock before its first attempt.
	Delay time.Duration
	// Reorder delivers the events that are due together newest first (combine with Delay
	// so that a whole journey is due together).
	Reorder bool
}

// DeliveryOutcome is where a delivery stands.
type DeliveryOutcome string

const (
	// DeliveryPending: waiting for its first attempt or a retry.
	DeliveryPending DeliveryOutcome = "pending"
	// DeliveryDelivered: the receiver answered 2xx.
	DeliveryDelivered DeliveryOutcome = "delivered"
	// DeliveryFailed: every attempt of the schedule failed.
	DeliveryFailed DeliveryOutcome = "failed"
	// DeliveryDropped: never sent (the Drop fault, a full queue, or the emulator closed).
	DeliveryDropped DeliveryOutcome = "dropped"
	// DeliveryRefused: the URL is not one the emulator delivers to (see WithWebhookHosts).
	DeliveryRefused DeliveryOutcome = "refused"
)

// Attempt is one try of a delivery.
type Attempt struct {
	At time.Time `json:"at"`
	// Status is the receiver's HTTP status, 0 when there was no answer.
	Status int `json:"status,omitempty"`
	// Error says why there was no answer (never the URL's secret).
	Error string `json:"error,omitempty"`
}

// Delivery is one event on its way to a webhook, with its attempts.
type Delivery struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Webhook string `json:"webhook"`
	// Target is the webhook URL's origin (its path and credentials may hold a secret).
	Target   string          `json:"target"`
	Queued   time.Time       `json:"queued"`
	Next     *time.Time      `json:"next,omitempty"`
	Outcome  DeliveryOutcome `json:"outcome"`
	Reason   string          `json:"reason,omitempty"`
	Attempts []Attempt       `json:"attempts"`
	// Duplicate marks the second copy of an event made by the Duplicate fault.
	Duplicate bool `json:"duplicate,omitempty"`

	seq  uint64
	url  string
	body []byte
	due  time.Time
}

func (d *Delivery) public() Delivery {
	out := *d
	out.Attempts = slices.Clone(d.Attempts)
	out.body, out.url = nil, ""
	if d.Outcome == DeliveryPending {
		out.Next = ptr(d.due)
	}
	return out
}

// hooks is the emulator's delivery machinery: a bounded queue worked by one goroutine,
// started with the first event and stopped by Close.
type hooks struct {
	retries    []time.Duration
	maxPending int
	hosts      []string

	mu       sync.Mutex
	faults   WebhookFaults
	rnd      *rand.Rand
	seq      uint64
	pending  []*Delivery // waiting for an attempt
	log      []*Delivery // every delivery, oldest first, bounded
	inflight int
	changed  chan struct{} // closed and replaced on every change
	wake     chan struct{}
	started  bool
	closed   bool
	stop     chan struct{}
	done     chan struct{}
	cancel   context.CancelFunc
	client   *http.Client
}

func newHooks() hooks {
	return hooks{retries: DefaultWebhookRetries, maxPending: DefaultMaxPendingDeliveries,
		changed: make(chan struct{}), wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// SetWebhookFaults replaces the delivery faults (the zero value delivers faithfully).
func (e *Emulator) SetWebhookFaults(f WebhookFaults) {
	e.hooks.mu.Lock()
	e.hooks.faults = f
	e.hooks.mu.Unlock()
}

// Deliveries lists the webhook deliveries, oldest first (at most DefaultMaxDeliveryLog).
// It is also served as JSON at GET /_sandbox/verifik/deliveries.
func (e *Emulator) Deliveries() []Delivery {
	h := &e.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Delivery, 0, len(h.log))
	for _, d := range h.log {
		out = append(out, d.public())
	}
	return out
}

// WaitDeliveries returns when no delivery is due on the emulator's clock and none is in
// flight: every event of the steps so far has been attempted (retries wait for the clock).
// Tests call it after the steps, and again after moving a FakeClock past a retry.
func (e *Emulator) WaitDeliveries(ctx context.Context) error {
	h := &e.hooks
	for {
		h.mu.Lock()
		now := e.clock.Now()
		idle := h.inflight == 0 && !slices.ContainsFunc(h.pending, func(d *Delivery) bool { return !d.due.After(now) })
		if idle || h.closed {
			h.mu.Unlock()
			return nil
		}
		changed := h.changed
		h.mu.Unlock()
		h.poke()
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(webhookPoll):
		}
	}
}

// Close stops webhook delivery: the worker ends, an attempt in flight is cancelled, and
// pending deliveries are recorded as dropped. The API keeps answering. Safe to call twice.
func (e *Emulator) Close() error {
	h := &e.hooks
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	started := h.started
	for _, d := range h.pending {
		d.Outcome, d.Reason = DeliveryDropped, "emulator closed"
	}
	h.pending = nil
	if h.cancel != nil {
		h.cancel()
	}
	close(h.stop)
	h.notify()
	h.mu.Unlock()
	if started {
		<-h.done
		h.client.CloseIdleConnections()
	}
	return nil
}

// notify wakes waiters; h.mu must be held.
func (h *hooks) notify() {
	close(h.changed)
	h.changed = make(chan struct{})
}

func (h *hooks) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// emit queues one event for the webhook of flowID, if the flow names an active one.
// object is the entity's snapshot; extra fields are added to it, and any "otp" removed
// (Verifik strips OTP values). e.mu must be held (lock order: e.mu, then hooks.mu).
func (e *Emulator) emit(flowID, suffix string, object any, extra map[string]any) {
	hookID, target := e.webhookTarget(flowID)
	if target == "" {
		return
	}
	f := e.flows[flowID]
	obj := map[string]any{}
	raw, err := json.Marshal(object)
	if err == nil {
		err = json.Unmarshal(raw, &obj)
	}
	if err != nil {
		e.log.Error("verifik sandbox: event object", "err", err)
		return
	}
	delete(obj, "otp")
	for k, v := range extra {
		obj[k] = v
	}
	body, err := json.Marshal(map[string]any{"type": string(f.typ) + "_" + suffix, "object": obj})
	if err != nil {
		return
	}
	e.queueEvent(hookID, target, string(f.typ)+"_"+suffix, body)
}

func (e *Emulator) queueEvent(hookID, target, typ string, body []byte) {
	h := &e.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	now := e.clock.Now()
	if h.rnd == nil {
		h.rnd = rand.New(rand.NewPCG(e.faultSeed, 14))
	}
	copies := 1
	if h.faults.Duplicate > 0 && h.rnd.Float64() < h.faults.Duplicate {
		copies = 2
	}
	for i := range copies {
		h.seq++
		d := &Delivery{ID: "dlv_" + strconv.FormatUint(h.seq, 10), Type: typ, Webhook: hookID, Target: originOf(target),
			Queued: now, Outcome: DeliveryPending, Attempts: []Attempt{}, Duplicate: i > 0,
			seq: h.seq, url: target, body: body, due: now.Add(h.faults.Delay)}
		h.record(d)
		switch {
		case h.closed:
			d.Outcome, d.Reason = DeliveryDropped, "emulator closed"
		case h.faults.Drop > 0 && h.rnd.Float64() < h.faults.Drop:
			d.Outcome, d.Reason = DeliveryDropped, "dropped by fault"
		case !e.deliverable(target):
			d.Outcome, d.Reason = DeliveryRefused, "the sandbox delivers only to loopback and WithWebhookHosts"
		case len(h.pending) >= h.maxPending:
			d.Outcome, d.Reason = DeliveryDropped, "queue full"
		default:
			h.pending = append(h.pending, d)
			e.startHooks()
		}
	}
	h.notify()
	h.poke()
}

// record appends to the bounded log; h.mu must be held.
func (h *hooks) record(d *Delivery) {
	if len(h.log) >= DefaultMaxDeliveryLog {
		h.log = slices.Delete(h.log, 0, len(h.log)-DefaultMaxDeliveryLog+1)
	}
	h.log = append(h.log, d)
}

// startHooks starts the worker once; h.mu must be held.
func (e *Emulator) startHooks() {
	h := &e.hooks
	if h.started || h.closed {
		return
	}
	h.started = true
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.client = e.webhookClient()
	go e.deliverLoop(ctx)
}

func (e *Emulator) deliverLoop(ctx context.Context) {
	h := &e.hooks
	defer close(h.done)
	for {
		h.mu.Lock()
		d := h.next(e.clock.Now())
		if d != nil {
			h.inflight++
		}
		h.mu.Unlock()
		if d == nil {
			select {
			case <-h.stop:
				return
			case <-h.wake:
			case <-time.After(webhookPoll):
			}
			continue
		}
		at := e.clock.Now()
		status, err := e.attempt(ctx, h.client, d)
		h.mu.Lock()
		a := Attempt{At: at, Status: status}
		if err != nil {
			a.Error = err.Error()
		}
		d.Attempts = append(d.Attempts, a)
		switch {
		case err == nil && status >= 200 && status < 300:
			d.Outcome = DeliveryDelivered
		case h.closed:
			d.Outcome, d.Reason = DeliveryDropped, "emulator closed"
		case len(d.Attempts) > len(h.retries):
			d.Outcome, d.Reason = DeliveryFailed, "every attempt failed"
		default:
			d.due = e.clock.Now().Add(h.retries[len(d.Attempts)-1])
			h.pending = append(h.pending, d)
		}
		h.inflight--
		h.notify()
		h.mu.Unlock()
	}
}

// next takes the delivery to attempt now: the earliest due (by due time, then by the
// order the steps happened), or with Reorder the latest of those due. h.mu must be held.
func (h *hooks) next(now time.Time) *Delivery {
	best := -1
	for i, d := range h.pending {
		if d.due.After(now) {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		b := h.pending[best]
		if h.faults.Reorder {
			if d.seq > b.seq {
				best = i
			}
		} else if d.due.Before(b.due) || (d.due.Equal(b.due) && d.seq < b.seq) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	d := h.pending[best]
	h.pending = slices.Delete(h.pending, best, best+1)
	return d
}

// attempt POSTs the event once. The error never quotes the URL (it may hold a secret).
func (e *Emulator) attempt(ctx context.Context, c *http.Client, d *Delivery) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(d.body))
	if err != nil {
		return 0, errors.New("request could not be built")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "idvkit-sandbox-verifik")
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the URL
		}
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxReceiverAnswer))
	return resp.StatusCode, nil
}

// deliverable says whether the emulator may POST to raw: http(s), and a loopback host or
// one of WithWebhookHosts.
func (e *Emulator) deliverable(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return false
	}
	host := u.Hostname()
	if slices.Contains(e.hooks.hosts, host) || strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// webhookClient follows no redirects and, for hosts not named by WithWebhookHosts,
// connects only to loopback addresses (a name that resolves elsewhere is refused).
func (e *Emulator) webhookClient() *http.Client {
	allowed := map[string]bool{}
	for _, h := range e.hooks.hosts {
		allowed[h] = true
	}
	strict := &net.Dialer{Timeout: WebhookTimeout, Control: func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if a, err := netip.ParseAddr(host); err != nil || !a.Unmap().IsLoopback() {
			return errors.New("sandbox: webhook address is not loopback")
		}
		return nil
	}}
	open := &net.Dialer{Timeout: WebhookTimeout}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			if allowed[host] {
				return open.DialContext(ctx, network, addr)
			}
			return strict.DialContext(ctx, network, addr)
		},
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: WebhookTimeout,
	}
	return &http.Client{Transport: tr, Timeout: WebhookTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "[unparsable URL]"
	}
	return u.Scheme + "://" + u.Host
}

// codeEvent names the event of a refused code: expired (412) or wrong (403, spelled as
// Verifik spells it).
func codeEvent(family string, fail *apiError) string {
	if fail.status == http.StatusPreconditionFailed {
		return family + "expired"
	}
	return family + "otp_incorect"
}

// emitPersonAlreadySet sends the registration with the error Verifik attaches. e.mu held.
func (e *Emulator) emitPersonAlreadySet(reg *registration, f *flow) {
	e.emit(reg.flow, "app_registration_person_already_set", e.registrationView(reg, nil), map[string]any{
		"error": true, "statusCode": "409", "message": "person_already_set", "projectFlow": f.view(),
	})
}

// emitSync sends the event of a sync: app_registration_sync_<step> while the status stays
// ONGOING, app_registration_<status> when it changes (end, skipKYC). e.mu must be held.
func (e *Emulator) emitSync(reg *registration, step smartenroll.SyncStep) {
	hookID, _ := e.webhookTarget(reg.flow)
	extra := map[string]any{"webhook": hookID}
	suffix := "app_registration_sync_" + snake(string(step))
	if reg.status != smartenroll.AppRegistrationOngoing {
		suffix = "app_registration_" + strings.ToLower(string(reg.status))
	}
	e.emit(reg.flow, suffix, e.registrationView(reg, nil), extra)
}

// snake turns Verifik's step names into event words: signUpForm → sign_up_form,
// skipKYC → skip_kyc.
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		upper := r >= 'A' && r <= 'Z'
		if upper && i > 0 && !(s[i-1] >= 'A' && s[i-1] <= 'Z') {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
