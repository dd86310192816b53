package cleancache

import (
	"math/bits"
	"unsafe"
)

// recentSlots is the number of values a Recent holds (1<<recentBits): 256 entries of 32
// bytes, 8 KiB, small enough to stay in the first-level cache beside a batch's data.
const (
	recentBits  = 8
	recentSlots = 1 << recentBits
)

// RecentHolds reports whether a Recent holds values on this platform: not where a word
// cannot be loaded from any address (recentMin).
const RecentHolds = recentMin <= MaxLen

// Recent holds the clean values the shared Cache found during one batch, so that a value
// that recurs within the batch (a host, a route, a user agent, a span name: most
// attributes take one of a few values) is recognised by a compare in place, without the
// Cache's hash and probe of a table too large for the first-level cache.
//
// A Recent belongs to one batch: it holds the batch's own strings (which are immutable, so
// a value held stays what it was when found clean), is never shared between goroutines,
// and is cleared with Reset before the batch's memory can be released. Only values the
// Cache reported clean are Put, so a value found in it is clean by the same exact test.
type Recent struct {
	vals [recentSlots]recentEntry
	// used marks the slots Put has filled, so that Reset clears those alone: a batch of a
	// few items fills a few slots, and clearing all 8 KiB cost such a batch half again
	// what processing it did.
	used [recentSlots / 64]uint64
}

// recentEntry is a value with its first and last eight bytes: a value of up to 16 bytes
// is compared by its length and these two words alone, without reading the bytes it
// points to, which belong to an item met earlier and may have left the cache since.
type recentEntry struct {
	head, tail uint64
	s          string
}

// Has reports whether s was Put since the last Reset (and not displaced since). Values
// under recentMin bytes are never held (most values that reach a clean cache are longer:
// the engine clears short ones itself), and Has is kept small enough to be inlined into
// its caller: a call cost as much as the test.
func (r *Recent) Has(s string) bool {
	n := len(s)
	if n < recentMin {
		return false
	}
	p := unsafe.Pointer(unsafe.StringData(s))                   //nolint:gosec // read-only, within s
	head, tail := *(*uint64)(p), *(*uint64)(unsafe.Add(p, n-8)) //nolint:gosec // n >= 8
	e := &r.vals[recentSlot(head, tail)]
	// the two words cover a value of 16 bytes or less; a longer one is compared whole
	return len(e.s) == n && e.head == head && e.tail == tail && (n <= 16 || e.s == s)
}

// Put holds s, which the caller has found clean, in place of the value of its slot.
func (r *Recent) Put(s string) {
	n := len(s)
	if n < recentMin {
		return
	}
	p := unsafe.Pointer(unsafe.StringData(s))                   //nolint:gosec // read-only, within s
	head, tail := *(*uint64)(p), *(*uint64)(unsafe.Add(p, n-8)) //nolint:gosec // n >= 8
	i := recentSlot(head, tail)
	r.vals[i] = recentEntry{head, tail, s}
	r.used[i>>6] |= 1 << (i & 63)
}

// Reset forgets every value, so that nothing of a finished batch is retained.
func (r *Recent) Reset() {
	for w := range r.used {
		for m := r.used[w]; m != 0; m &= m - 1 {
			r.vals[w<<6|bits.TrailingZeros64(m)] = recentEntry{}
		}
		r.used[w] = 0
	}
}

// recentSlot is the slot of a value whose first and last eight bytes are head and tail:
// values that differ only in between share a slot and displace each other, which costs a
// Cache lookup, never a wrong answer. (Unseeded: a sender who made values share slots
// would only have them looked up in the Cache, as every value was before.)
func recentSlot(head, tail uint64) int {
	return int(((head + tail) * k0) >> (64 - recentBits)) //nolint:gosec // recentBits bits: < recentSlots
}
