package main

import (
	"net"

	"golang.org/x/net/netutil"
)

// limitListener serves at most n connections at once: connection n+1 waits in the
// kernel's accept queue, holding no descriptor of ours, until a served one closes.
// golang.org/x/net/netutil's LimitListener does exactly this, including waking a
// waiting Accept on Close so a full server still shuts down.
func limitListener(l net.Listener, n int) net.Listener { return netutil.LimitListener(l, n) }
