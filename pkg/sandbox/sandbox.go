// Package sandbox is the shared kit of idvkit's vendor emulators: a clock that tests can
// move, helper-made face and document images whose identity the emulators read back,
// ids, and fault injection. The emulators themselves live in pkg/sandbox/<vendor>.
//
// Face identity: an image made by FaceImage or FaceJPEG carries the face's name in
// its metadata, so an emulator "recognises" alice in any image made for alice. Any other
// image gets an identity derived from its bytes, so the same bytes always match
// themselves and nothing else.
package sandbox

import (
	"crypto/rand"
	"fmt"
	"sync"
	"time"
)

// Clock tells emulators the time; tests inject a FakeClock to cross expiry windows.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// ClockFunc adapts a func() time.Time, the shape every constructor's WithClock takes
// (clients and emulators alike), to a Clock: one fake clock's Now drives both.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// SystemClock is the wall clock.
func SystemClock() Clock { return systemClock{} }

// FakeClock is a Clock that moves only when told to. It is safe for concurrent use.
type FakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFakeClock returns a FakeClock set to t.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{now: t} }

// Now returns the clock's current time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *FakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// NewID returns a random RFC 4122 version 4 UUID, as the vendors use for ids.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("sandbox: crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// RandomHex returns n random bytes as lowercase hex (2n characters), for tokens.
func RandomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("sandbox: crypto/rand failed: " + err.Error())
	}
	return fmt.Sprintf("%x", b)
}
