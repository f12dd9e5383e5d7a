package iproovtest

import "time"

// expiry is a FIFO of keys falling due in the order they were pushed: every push of one
// queue adds the same duration to a clock that only moves forward, so the front is always
// the next to fall due. Sweeping what is due costs O(1) amortised per call, where a walk of
// the whole map would cost O(n) on every request.
//
// An entry names its record's generation: a record that moved on (claimed, ended, deleted)
// since the push leaves a stale entry behind, skipped when it reaches the front.
type expiry struct {
	items []expiryItem
	head  int
}

type expiryItem struct {
	key string
	due time.Time
	gen uint64
}

func (q *expiry) push(key string, due time.Time, gen uint64) {
	q.items = append(q.items, expiryItem{key: key, due: due, gen: gen})
}

func (q *expiry) len() int { return len(q.items) - q.head }

// front returns the oldest entry.
func (q *expiry) front() (expiryItem, bool) {
	if q.head == len(q.items) {
		return expiryItem{}, false
	}
	return q.items[q.head], true
}

func (q *expiry) pop() {
	q.items[q.head] = expiryItem{}
	q.head++
	switch {
	case q.head == len(q.items):
		q.items, q.head = q.items[:0], 0
	case q.head >= 1024 && 2*q.head >= len(q.items):
		// Give the popped half back to the allocator.
		q.items, q.head = append([]expiryItem(nil), q.items[q.head:]...), 0
	}
}

// popDue pops and returns every entry due at now, oldest first.
func (q *expiry) popDue(now time.Time, fn func(expiryItem)) {
	for {
		it, ok := q.front()
		if !ok || it.due.After(now) {
			return
		}
		q.pop()
		fn(it)
	}
}

// compact drops stale entries once the queue holds more than twice limit, keeping those
// live says are current. Live entries never outnumber the records (at most limit), so at
// least limit pushes separate two compactions: O(1) amortised, and a queue stays bounded
// even when records leave it early (evicted at the cap, or by a reset of their state).
func (q *expiry) compact(limit int, live func(expiryItem) bool) {
	if q.len() <= 2*limit+64 {
		return
	}
	kept := make([]expiryItem, 0, limit)
	for _, it := range q.items[q.head:] {
		if live(it) {
			kept = append(kept, it)
		}
	}
	q.items, q.head = kept, 0
}
