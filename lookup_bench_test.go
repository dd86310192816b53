package authobsprocessor

import (
	"strconv"
	"testing"

	"github.com/authobs/authobsprocessor/internal/cleancache"
	"github.com/authobs/authobsprocessor/internal/redact"
)

// BenchmarkLookupVersusScan: what a clean value costs looked up in the clean cache (hash
// and probe, a hit) against scanned by the engine, by length. cleancache.MinLen is chosen
// from it: values shorter than the length at which the engine becomes cheaper than a
// lookup would skip the cache.
func BenchmarkLookupVersusScan(b *testing.B) {
	e, err := redact.New(redact.Options{})
	if err != nil {
		b.Fatal(err)
	}
	c := cleancache.New()
	for _, s := range []string{"go", "GET", "true", "https", "amd64", "1.47.0", "managed", "t-3af2c1", "10.1.23.200", "cache.lookup", "application/json", "api.shop.example.com", "req_0a1b2c3d4e5f6a7b8c9d0e1f"} {
		h, _ := c.Lookup(s)
		c.Add(s, h)
		c.Add(s, h)
		b.Run("len="+strconv.Itoa(len(s))+"/scan", func(b *testing.B) {
			var hits redact.Hits
			for b.Loop() {
				e.Redact(s, &hits)
			}
		})
		b.Run("len="+strconv.Itoa(len(s))+"/lookup", func(b *testing.B) {
			for b.Loop() {
				if _, clean := c.Lookup(s); !clean {
					b.Fatal("not cached")
				}
			}
		})
	}
}
