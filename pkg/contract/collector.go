package contract

import (
	"context"
	"sync"
)

// Collector gathers the problems the [Middleware] or the round tripper reports for one
// request, so whoever wrapped that request (a sandbox's call log, a test) can tell what
// the contract kit found in it. Safe for concurrent use.
type Collector struct {
	mu   sync.Mutex
	errs []*Error
}

type collectorKey struct{}

// WithCollector returns ctx carrying a new Collector: every problem reported for a
// request with this context is added to it, besides the usual OnProblem and log line.
func WithCollector(ctx context.Context) (context.Context, *Collector) {
	c := &Collector{}
	return context.WithValue(ctx, collectorKey{}, c), c
}

// Problems returns what was reported so far, in order.
func (c *Collector) Problems() []*Error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*Error(nil), c.errs...)
}

func (c *Collector) add(e *Error) {
	c.mu.Lock()
	c.errs = append(c.errs, e)
	c.mu.Unlock()
}

func collectorOf(ctx context.Context) *Collector {
	c, _ := ctx.Value(collectorKey{}).(*Collector)
	return c
}
