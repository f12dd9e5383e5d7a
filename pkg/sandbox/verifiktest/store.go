package verifiktest

// Bounded state: the expiry queue of email and phone codes, the outbox, and the index of
// registrations by contact. Every sweep pops from the head of a queue kept in creation
// order, so each entry costs O(1) amortised however long the sandbox runs.

import (
	"net/http"
	"strconv"
	"time"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

// codeRef names an email or a phone validation.
type codeRef struct {
	phone bool
	id    string
}

// code is what the expiry queue needs of a validation.
type code struct {
	reg     string
	status  smartenroll.OTPStatus
	expires time.Time
	queued  *bool
}

// lookup finds a validation; ok is false once it is forgotten. e.mu must be held.
func (e *Emulator) lookup(c codeRef) (code, bool) {
	if c.phone {
		if v := e.phoneVals[c.id]; v != nil {
			return code{reg: v.reg, status: v.status, expires: v.expires, queued: &v.queued}, true
		}
		return code{}, false
	}
	if v := e.emailVals[c.id]; v != nil {
		return code{reg: v.reg, status: v.status, expires: v.expires, queued: &v.queued}, true
	}
	return code{}, false
}

// current says whether c is the validation its registration stands on (sync reads it).
func (e *Emulator) current(c codeRef, reg string) bool {
	r := e.regs[reg]
	if r == nil {
		return false
	}
	if c.phone {
		return r.phoneVal == c.id
	}
	return r.emailVal == c.id
}

// enqueue puts a validation in the expiry queue. e.mu must be held.
func (e *Emulator) enqueue(c codeRef) {
	if v, ok := e.lookup(c); ok && !*v.queued {
		*v.queued = true
		e.codes = append(e.codes, c)
	}
}

// supersede re-queues a registration's former current validation, which the queue had
// let go of while the registration stood on it.
func (e *Emulator) supersede(old codeRef) {
	if old.id != "" {
		e.enqueue(old)
	}
}

// sweepCodes forgets validations from the head of the queue: those already gone, and
// those expired more than ExpiredCodeRetention ago — or, when force is set (the queue is
// full), any expired or validated one. A registration's current validated code leaves
// the queue but is kept: the registration still stands on it. The sweep stops at the
// first validation still live. e.mu must be held.
func (e *Emulator) sweepCodes(now time.Time, force bool) {
	for len(e.codes) > 0 {
		c := e.codes[0]
		v, ok := e.lookup(c)
		if !ok {
			e.goneCodes--
		} else {
			validated := v.status == smartenroll.OTPValidated
			expired := !now.Before(v.expires)
			due := !now.Before(v.expires.Add(ExpiredCodeRetention))
			if !due && !(force && (expired || validated)) {
				return
			}
			*v.queued = false
			if !(validated && e.current(c, v.reg)) {
				e.forget(c, v.reg)
			}
		}
		e.codes[0] = codeRef{}
		e.codes = e.codes[1:]
		if force && len(e.codes) < e.limits.codes {
			return
		}
	}
}

// compactCodes drops the entries of deleted validations from the queue once they are
// half of it, so that deleted registrations cannot fill it behind a live head; each
// entry is copied O(1) times amortised.
func (e *Emulator) compactCodes() {
	if e.goneCodes == 0 || e.goneCodes*2 < len(e.codes) {
		return
	}
	kept := make([]codeRef, 0, len(e.codes)-e.goneCodes)
	for _, c := range e.codes {
		if _, ok := e.lookup(c); ok {
			kept = append(kept, c)
		}
	}
	e.codes, e.goneCodes = kept, 0
}

// forget deletes a validation and unlinks it from its registration. e.mu must be held.
func (e *Emulator) forget(c codeRef, regID string) {
	if c.phone {
		delete(e.phoneVals, c.id)
	} else {
		delete(e.emailVals, c.id)
	}
	r := e.regs[regID]
	if r == nil {
		return
	}
	for i, x := range r.codes {
		if x == c {
			r.codes = append(r.codes[:i], r.codes[i+1:]...)
			break
		}
	}
	if c.phone && r.phoneVal == c.id {
		r.phoneVal = ""
	}
	if !c.phone && r.emailVal == c.id {
		r.emailVal = ""
	}
}

// roomToSend makes room for one more validation and one more message, evicting what has
// expired or been used, and refuses with 429 when everything held is still live. e.mu
// must be held.
func (e *Emulator) roomToSend(newCode bool) *apiError {
	now := e.clock.Now()
	e.compactCodes()
	e.sweepCodes(now, false)
	e.sweepOutbox(now, false)
	if newCode && len(e.codes) >= e.limits.codes {
		e.sweepCodes(now, true)
		if len(e.codes) >= e.limits.codes {
			return tooMany(strconv.Itoa(len(e.codes)) + " codes are awaiting expiry")
		}
	}
	if len(e.outbox) >= e.limits.messages {
		e.sweepOutbox(now, true)
		if len(e.outbox) >= e.limits.messages {
			return tooMany(strconv.Itoa(len(e.outbox)) + " messages with live codes are in the outbox")
		}
	}
	return nil
}

// tooMany is the refusal of new codes while the emulator holds its limit of live ones.
func tooMany(why string) *apiError {
	return &apiError{status: http.StatusTooManyRequests, body: smartenroll.Error{Message: "Too Many Requests: " + why + "; retry when some expire"}}
}

// sweepOutbox drops messages from the head of the outbox whose code has expired — or,
// when force is set (the outbox is full), whose code was used or forgotten. e.mu must be
// held.
func (e *Emulator) sweepOutbox(now time.Time, force bool) {
	for len(e.outbox) > 0 {
		m := e.outbox[0]
		if now.Before(m.expires) {
			if !force {
				return
			}
			v, ok := e.lookup(codeRef{phone: m.Channel != "email", id: m.ValidationID})
			if ok && v.status != smartenroll.OTPValidated {
				return
			}
		}
		e.outbox[0] = Message{}
		e.outbox = e.outbox[1:]
		if force && len(e.outbox) < e.limits.messages {
			return
		}
	}
}

// send puts a code in the outbox until it expires.
func (e *Emulator) send(channel, to, code, validationID string, expires time.Time) {
	e.outbox = append(e.outbox, Message{Channel: channel, To: to, Code: code, ValidationID: validationID, SentAt: e.clock.Now(), expires: expires})
}

// ---- registrations by contact ----

func emailKey(flowID, email string) string { return flowID + "\x00e\x00" + email }

func phoneKey(flowID, cc, phone string) string { return flowID + "\x00p\x00" + cc + phone }

// findRegistration finds the registration of a flow with this email or phone.
func (e *Emulator) findRegistration(flowID, email, phone, cc string) *registration {
	if email != "" {
		if r := e.contacts[emailKey(flowID, email)]; r != nil {
			return r
		}
	}
	if phone != "" {
		return e.contacts[phoneKey(flowID, cc, phone)]
	}
	return nil
}

// setContact changes a registration's email and phone ("" keeps one) and its index.
func (e *Emulator) setContact(r *registration, email, phone, cc string) {
	e.unindex(r)
	if email != "" {
		r.email = email
	}
	if phone != "" {
		r.phone, r.countryCode = phone, cc
	}
	if r.email != "" {
		e.contacts[emailKey(r.flow, r.email)] = r
	}
	if r.phone != "" {
		e.contacts[phoneKey(r.flow, r.countryCode, r.phone)] = r
	}
}

func (e *Emulator) unindex(r *registration) {
	for _, k := range []string{emailKey(r.flow, r.email), phoneKey(r.flow, r.countryCode, r.phone)} {
		if e.contacts[k] == r {
			delete(e.contacts, k)
		}
	}
}

// Stats counts what the emulator holds, for tests of its limits and for leak hunting.
type Stats struct {
	Projects, Flows, Registrations int
	// EmailValidations and PhoneValidations are the codes held, live or kept by their
	// registration; Queued is how many of them await expiry.
	EmailValidations, PhoneValidations, Queued int
	Messages                                   int
	Documents, Biometrics, Persons             int
}

// Stats returns the emulator's counts.
func (e *Emulator) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return Stats{
		Projects: len(e.projects), Flows: len(e.flows), Registrations: len(e.regs),
		EmailValidations: len(e.emailVals), PhoneValidations: len(e.phoneVals), Queued: len(e.codes),
		Messages:  len(e.outbox),
		Documents: len(e.docVals), Biometrics: len(e.bioVals), Persons: len(e.persons),
	}
}
