package transport_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// One in-process Limiter keeps Verisoul's quota for every client of this
// process that uses the key; a fleet of instances shares one on Redis
// (transport/redisrate) instead. A call that cannot get a slot before its
// deadline fails at once, unsent.
func ExampleWithRateLimiter() {
	emu := httptest.NewServer(verisoultest.New().Handler())
	defer emu.Close()
	const apiKey = verisoultest.DefaultAPIKey

	lim, err := transport.NewLimiter(transport.Quota{Requests: 2, Period: time.Hour}) // tiny, to show a refusal
	if err != nil {
		panic(err)
	}
	client, err := verisoul.New(apiKey, verisoul.WithBaseURL(emu.URL),
		verisoul.WithTransport(transport.WithRateLimiter(lim, apiKey)))
	if err != nil {
		panic(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = client.StartSession(ctx, verisoul.SessionOptions{})
	fmt.Println("first call:", err)
	_, err = client.StartSession(ctx, verisoul.SessionOptions{})
	var le *transport.LimiterError
	fmt.Println("second call unsent:", errors.As(err, &le), errors.Is(err, context.DeadlineExceeded))
	fmt.Println("Verisoul paces a call every", transport.VerisoulQuota.Interval().Round(time.Millisecond))
	// Output:
	// first call: <nil>
	// second call unsent: true true
	// Verisoul paces a call every 201ms
}
