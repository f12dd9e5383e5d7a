package verifiktest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// Message is a code the emulator "sent": what the registrant finds in their mailbox or
// on their phone.
type Message struct {
	// Channel is "email", "sms" or "whatsapp".
	Channel string `json:"channel"`
	// To is the email address, or the phone number with its country code ("+5731234567").
	To   string `json:"to"`
	Code string `json:"code"`
	// ValidationID is the email or phone validation the code belongs to.
	ValidationID string    `json:"validationId"`
	SentAt       time.Time `json:"sentAt"`

	expires time.Time // when the code stops working and the message leaves the outbox
}

// Outbox returns the codes sent whose validity has not ended, oldest first (at most
// DefaultMaxMessages, see WithMaxMessages).
func (e *Emulator) Outbox() []Message {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	e.sweepOutbox(now, false)
	out := make([]Message, 0, len(e.outbox))
	for _, m := range e.outbox {
		if now.Before(m.expires) { // a later code may expire before the head's
			out = append(out, m)
		}
	}
	return out
}

// LastCode returns the latest code sent to an email address or to a phone number (with
// its country code, e.g. "+5731234567") that has not expired: the end user reading their
// message.
func (e *Emulator) LastCode(to string) (string, bool) {
	to = normalizeRecipient(to)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	e.sweepOutbox(now, false)
	for i := len(e.outbox) - 1; i >= 0; i-- {
		if e.outbox[i].To == to && now.Before(e.outbox[i].expires) {
			return e.outbox[i].Code, true
		}
	}
	return "", false
}

func normalizeRecipient(to string) string {
	to = strings.TrimSpace(to)
	if strings.Contains(to, "@") {
		return strings.ToLower(strings.ReplaceAll(to, " ", ""))
	}
	return "+" + digitsOnly(to)
}

// The capture helpers return verifik.Image, the type verifik.Selfie and verifik.Document
// take, so a test passes them on without a conversion; string(img) is the raw value for
// a hand-made request.

// Selfie returns the capture a browser or the mobile SDK sends for a person who is
// present: a data-URI JPEG of the face called name, as createBiometricValidation takes it.
func Selfie(name string) verifik.Image { return dataURI(sandbox.FaceJPEG(name)) }

// SpoofSelfie returns the capture of a presentation attack on the face called name (a
// photo of a photo, a mask) whose liveness scores score (0–1).
func SpoofSelfie(name string, score float64) verifik.Image {
	return dataURI(sandbox.FaceJPEG(name + "@" + strconv.FormatFloat(score, 'f', 2, 64)))
}

// DocumentPhoto returns the upload of an identity document as createDocumentValidation
// takes it: base64 without a data-URI prefix (Verifik's SDK strips it).
func DocumentPhoto(d sandbox.Document) verifik.Image {
	return verifik.ImageOf(sandbox.DocumentImage(d))
}

func dataURI(jpeg []byte) verifik.Image {
	return verifik.Image("data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(jpeg))
}

// FetchCode reads the latest code sent to an email address or phone number from an
// emulator served elsewhere (idvkit sandbox serve), through its outbox endpoint.
func FetchCode(ctx context.Context, hc *http.Client, baseURL, to string) (string, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	u := strings.TrimSuffix(baseURL, "/") + ControlPrefix + "outbox/last?to=" + url.QueryEscape(to)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("verifik sandbox: outbox: %s", resp.Status)
	}
	var m Message
	if err := json.Unmarshal(data, &m); err != nil {
		return "", fmt.Errorf("verifik sandbox: outbox: %w", err)
	}
	return m.Code, nil
}

// maxControlBody bounds a control endpoint's body: they take a few fields of JSON.
const maxControlBody = 1 << 10

// controlHandler serves the control endpoints (behind sandbox.GuardControl: same-origin,
// loopback or allowed hosts, JSON bodies only):
//
//	GET  /_sandbox/verifik/outbox[?to=]       every live code sent (to one recipient)
//	GET  /_sandbox/verifik/outbox/last?to=    the latest live code sent to a recipient (404 if none)
//	PUT  /_sandbox/verifik/credits            {"credits": n} name validations left; {"credits": null} unlimited
func (e *Emulator) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+ControlPrefix+"outbox", func(w http.ResponseWriter, r *http.Request) {
		msgs := e.Outbox()
		if to := r.URL.Query().Get("to"); to != "" {
			to = normalizeRecipient(to)
			kept := msgs[:0]
			for _, m := range msgs {
				if m.To == to {
					kept = append(kept, m)
				}
			}
			msgs = kept
		}
		sandbox.WriteJSON(w, http.StatusOK, map[string]any{"messages": append([]Message{}, msgs...)})
	})
	mux.HandleFunc("GET "+ControlPrefix+"outbox/last", func(w http.ResponseWriter, r *http.Request) {
		to := normalizeRecipient(r.URL.Query().Get("to"))
		msgs := e.Outbox()
		for i := len(msgs) - 1; i >= 0; i-- {
			if msgs[i].To == to {
				sandbox.WriteJSON(w, http.StatusOK, msgs[i])
				return
			}
		}
		sandbox.WriteJSON(w, http.StatusNotFound, map[string]string{"error": "no_message", "message": "nothing was sent to this recipient"})
	})
	// The webhook deliveries and their outcomes (Deliveries), newest last.
	mux.HandleFunc("GET "+ControlPrefix+"deliveries", func(w http.ResponseWriter, r *http.Request) {
		sandbox.WriteJSON(w, http.StatusOK, map[string]any{"deliveries": e.Deliveries()})
	})
	mux.HandleFunc("PUT "+ControlPrefix+"credits", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Credits *int `json:"credits"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxControlBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
				sandbox.WriteJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "body_too_large", "message": "expected {\"credits\": n}, at most " + strconv.Itoa(maxControlBody) + " bytes"})
				return
			}
			sandbox.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_body", "message": "expected {\"credits\": n} with n a whole number or null"})
			return
		}
		e.mu.Lock()
		e.credits = body.Credits
		e.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc(ControlPrefix, func(w http.ResponseWriter, r *http.Request) {
		sandbox.WriteJSON(w, http.StatusNotFound, map[string]string{"error": "no_control_endpoint", "message": "see package docs for the control endpoints"})
	})
	return mux
}
