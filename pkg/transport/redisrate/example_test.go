package redisrate_test

import (
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/transport/redisrate"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// Every instance of the backend builds its Verisoul client like this; the
// instances share Verisoul's 300 requests per minute through Redis. While
// Redis is away each instance keeps to its share in-process.
func Example() {
	const apiKey = "your-verisoul-api-key" // from your secret store
	const instances = 4

	rdb := redis.NewClient(&redis.Options{
		Addr: "redis:6379",
		// A call waits for Redis before it is sent: fail fast, the fallback
		// or a typed error takes over.
		DialTimeout: 100 * time.Millisecond, ReadTimeout: 100 * time.Millisecond,
		WriteTimeout: 100 * time.Millisecond, MaxRetries: -1, DialerRetries: 1,
		ContextTimeoutEnabled: true,
	})
	share, err := transport.NewLimiter(transport.Quota{
		Requests: transport.VerisoulQuota.Requests / instances, Period: transport.VerisoulQuota.Period})
	if err != nil {
		log.Fatal(err)
	}
	lim, err := redisrate.New(rdb, transport.VerisoulQuota, redisrate.WithFallback(share))
	if err != nil {
		log.Fatal(err)
	}
	client, err := verisoul.New(apiKey, verisoul.WithTransport(transport.WithRateLimiter(lim, apiKey)))
	if err != nil {
		log.Fatal(err)
	}
	_ = client // StartSession, VerifyFace… each wait for a slot of the fleet's quota
}
