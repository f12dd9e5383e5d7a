package redisdedup_test

import (
	"context"
	"log"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verifik/redisdedup"
)

// Every instance behind the webhook URL mounts the same receiver on a shared
// Redis: a delivery Verifik repeats is handled once, whichever instance gets
// it.
func Example() {
	rdb := redis.NewClient(&redis.Options{
		Addr:        "redis:6379",
		DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second,
		MaxRetries: -1, // Verifik redelivers after a 503: no need to retry here
	})
	rc := verifik.NewReceiver(func(ctx context.Context, ev verifik.Event) error {
		// Re-read the registration through the API before acting (Verifik signs nothing).
		return nil
	}, verifik.ReceiverOptions{Store: redisdedup.New(rdb)})
	http.Handle("/hooks/verifik", rc)
	log.Print("receiver ready")
}
