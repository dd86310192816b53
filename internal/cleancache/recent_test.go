package cleancache

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecentHoldsWhatWasPut(t *testing.T) {
	var r Recent
	const host = "api.shop.example.com"
	assert.False(t, r.Has(host))
	r.Put(host)
	// another string with the same bytes, as the next span's value is
	assert.Equal(t, RecentHolds, r.Has(strings.Clone(host)))
	assert.False(t, r.Has("api.shop.example.org"))
	r.Reset()
	assert.False(t, r.Has(host), "Reset forgets")
	assert.Equal(t, Recent{}, r, "Reset holds no string of the batch")
}

func TestRecentShortValuesAreNotHeld(t *testing.T) {
	var r Recent
	for _, s := range []string{"", "a", "GET", "1.2.3.4", "abcdefg"} {
		r.Put(s)
		assert.False(t, r.Has(s), "%q", s)
	}
	assert.Equal(t, Recent{}, r)
}

// TestRecentComparesWholeValues: a value that differs from the one held in any byte, or
// only in its length (same first and last eight bytes), is not found.
func TestRecentComparesWholeValues(t *testing.T) {
	base := strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyz", MaxLen/36+1)
	for _, n := range testLengths() {
		if n < 8 {
			continue
		}
		var r Recent
		v := base[:n]
		r.Put(v)
		require.Equal(t, RecentHolds, r.Has(strings.Clone(v)), n)
		for i := range n {
			b := []byte(v)
			b[i] ^= 0x20
			require.False(t, r.Has(string(b)), "length %d, byte %d flipped", n, i)
		}
	}
	var r Recent
	r.Put(strings.Repeat("a", 9))
	for n := 8; n <= 40; n++ {
		assert.Equal(t, RecentHolds && n == 9, r.Has(strings.Repeat("a", n)), n)
	}
}

// TestRecentNeverFindsWhatWasNotPut: values from a two-letter alphabet share their first
// and last bytes and their slots all the time; whatever Has finds was Put.
func TestRecentNeverFindsWhatWasNotPut(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	draw := func() string {
		b := make([]byte, 8+rng.IntN(33))
		for i := range b {
			b[i] = "ab"[rng.IntN(2)]
		}
		return string(b)
	}
	var r Recent
	put := map[string]bool{}
	found := 0
	for range 200000 {
		s := draw()
		if r.Has(s) {
			require.True(t, put[s], "%q found, never put", s)
			found++
		}
		if rng.IntN(2) == 0 {
			r.Put(s)
			put[s] = true
		}
	}
	if RecentHolds {
		require.Positive(t, found)
	} else {
		require.Zero(t, found)
	}
}

// TestRecentResetClearsEverySlot: Reset clears the slots Put filled (it keeps a mark per
// slot rather than clearing all 8 KiB), however many and wherever they are.
func TestRecentResetClearsEverySlot(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var r Recent
	for _, n := range []int{1, 2, 63, 64, 65, 200, 5000} {
		for range n {
			b := make([]byte, 8+rng.IntN(40))
			for i := range b {
				b[i] = byte('a' + rng.IntN(26))
			}
			r.Put(string(b))
		}
		r.Reset()
		require.Equal(t, Recent{}, r, "after %d values", n)
	}
}
