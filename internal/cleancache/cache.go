// Package cleancache remembers strings a pure scanner found clean, so that a value that
// recurs (methods, routes, hosts, user agents, model names: most of telemetry) is looked up
// instead of scanned again.
//
// The cache is exact: an entry is the whole value, compared byte for byte, so a hash
// collision costs a scan, never a wrong answer. It is only correct for a scanner whose
// verdict depends on the string alone.
//
// A value is admitted on its second sighting, so unique values (ids, timestamps) are never
// stored. Slots and the bytes of their values live in one table allocated up front and never written
// again once published, so admission allocates nothing and readers take no lock. A full
// table refuses new values; after a number of refusals a fresh table replaces it, so the
// cache follows a changing workload at the cost of one allocation.
//
// Recent, in front of the Cache, holds for one batch the values the Cache vouched for, so
// that a value met again in the same batch is recognised by a compare in place.
package cleancache // import "github.com/authobs/authobsprocessor/internal/cleancache"

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"sync/atomic"
	"unsafe"
)

// MinLen and MaxLen bound the values the cache holds. MinLen is 1: a value of two bytes
// is still looked up several times faster than the engine scans it (15-75 ns against
// 110-1300 ns for 2-28 bytes, 2026-12-07, after the engine's clean-path work), so no value
// is too short to cache. To re-pick it: run BenchmarkLookupVersusScan in the processor
// package (alternating two runs on a quiet machine) and set MinLen to the shortest length
// at which lookup is faster than scan; values shorter than that then skip the cache.
// MaxLen admits the long values that recur in logs (stack traces, JSON documents, the
// same error text): the engine scans such a value at 10-100 instructions a byte, the cache
// hashes and compares it at about one. Values longer than longLen are admitted only while
// half the arena is free, so recurring long values cannot crowd out the short ones.
const (
	MinLen  = 1
	MaxLen  = 4096
	longLen = 256
)

const (
	sets = 1024
	// ways: one set is eight 8-byte slots, one 64-byte cache line.
	ways  = 8
	seen  = 8192
	arena = 256 << 10
	// defaultResetAfter refusals of a full table make the cache start a fresh one.
	defaultResetAfter = 1 << 20
)

// A slot packs what a probe needs into one word, so a probe reads one cache line of slots
// and touches the arena only when tag and length match: bits 0-12 the length (1..MaxLen,
// never 0, so a used slot is never 0), bits 13-31 the offset in the arena, bits 32-63 the
// high half of the hash.
const (
	lenBits = 13
	offBits = 19
	lenMask = 1<<lenBits - 1
	offMask = 1<<offBits - 1
)

// Cache is a set of clean strings. It is safe for concurrent use.
type Cache struct {
	// seeds key the hash: a value's slot cannot be predicted without them.
	seed0, seed1 uint64
	table        atomic.Pointer[table]
	resetAfter   int32
	// seen holds the hash of a value met once: the admission filter.
	seen [seen]atomic.Uint64
}

// table is allocated whole and large, so it starts on a page boundary and every set
// fills one cache line.
type table struct {
	sets    [sets][ways]atomic.Uint64
	arena   [arena]byte
	used    atomic.Int32 // arena bytes handed out
	refused atomic.Int32
}

// New returns an empty cache.
func New() *Cache {
	return newCache(defaultResetAfter)
}

func newCache(resetAfter int32) *Cache {
	c := &Cache{seed0: rand.Uint64(), seed1: rand.Uint64(), resetAfter: resetAfter} //nolint:gosec // a hash seed, unpredictable to senders; not key material
	c.table.Store(new(table))
	return c
}

// Cacheable reports whether s may be held: MinLen to MaxLen bytes. Callers skip the cache
// (and hashing) for other values: Lookup takes only these.
func Cacheable(s string) bool {
	return len(s) >= MinLen && len(s) <= MaxLen
}

// Multipliers of wyhash (public domain), odd 64-bit constants with balanced bits.
const (
	k0 = 0xa0761d6478bd642f
	k1 = 0xe7037ed1a0b428db
)

// mix folds the 128-bit product of a and b into 64 bits.
func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// Lookup reports whether s is known clean, and returns its hash, which Add takes: a
// caller that scans s after a miss hashes it once. Callers skip values that are not
// Cacheable, which are never found.
//
// The hash is a keyed multiply-mix over 16 bytes a step (wyhash's construction), inlined
// where hash/maphash's AES hash is a call into the runtime: the cache hashes every short
// value of every item. Both operands of every multiplication carry a seed, so no input
// block (such as one equal to a constant) zeroes a product independently of the seeds. It
// is not a cryptographic hash: a sender who found collisions would only make values be
// scanned instead of looked up, which is what an uncached value costs anyway. Hash and
// probe are one function: they run for ~20 values of every span, and a call between them
// cost more than the probe's loop.
func (c *Cache) Lookup(s string) (h uint64, clean bool) {
	b := unsafe.Slice(unsafe.StringData(s), len(s)) //nolint:gosec // a read-only view of s, for 8-byte loads; never written
	n := len(b)
	seed := c.seed0
	var x, y uint64
	switch {
	case n >= 16:
		// 16 bytes a step, then the last 16 (overlapping what the steps read)
		for p := b; len(p) > 16; p = p[16:] {
			seed = mix(binary.LittleEndian.Uint64(p)^c.seed1, binary.LittleEndian.Uint64(p[8:])^seed)
		}
		x, y = binary.LittleEndian.Uint64(b[n-16:]), binary.LittleEndian.Uint64(b[n-8:])
	case n >= 8:
		x, y = binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[n-8:])
	case n >= 4:
		x, y = uint64(binary.LittleEndian.Uint32(b)), uint64(binary.LittleEndian.Uint32(b[n-4:]))
	case n > 0:
		x = uint64(b[0])<<16 | uint64(b[n>>1])<<8 | uint64(b[n-1])
	}
	h = mix(uint64(n)^k0^c.seed1, mix(x^k1^c.seed1, y^seed))

	t := c.table.Load()
	set := &t.sets[h&(sets-1)]
	want := h&^(1<<32-1) | uint64(n)
	for i := range set {
		w := set[i].Load()
		if w == 0 {
			return h, false // ways fill in order: the rest are empty
		}
		if w&^(offMask<<lenBits) == want {
			off := int(w>>lenBits) & offMask
			if string(t.arena[off:off+n]) == s { // compared in place: no copy
				return h, true
			}
		}
	}
	return h, false
}

// Add records that s, with hash h, is clean. On its second sighting the value is copied
// into the arena and published in the first free way of its set; s itself is never
// retained, so it may point into memory the caller reuses.
func (c *Cache) Add(s string, h uint64) {
	if !Cacheable(s) {
		return
	}
	if slot := &c.seen[(h>>16)&(seen-1)]; slot.Swap(h) != h {
		return
	}
	t := c.table.Load()
	if len(s) > longLen && int(t.used.Load()) > len(t.arena)/2 {
		// long values have their half of the arena: turning one away is not a refusal that
		// says the table has gone stale, so it does not count toward replacing it (a few
		// recurring stack traces would otherwise flush every short value now and then)
		return
	}
	set := &t.sets[h&(sets-1)]
	way := -1
	for i := range set {
		if set[i].Load() == 0 {
			way = i
			break
		}
	}
	if way < 0 || !t.admit(s, h, &set[way]) {
		if t.refused.Add(1) == c.resetAfter {
			c.table.CompareAndSwap(t, new(table))
		}
	}
}

// admit copies s into the arena and publishes its slot; the bytes are written once,
// before the atomic store that makes them visible. A slot another writer took first
// refuses s: the filled ways of a set stay a prefix, which Lookup relies on.
func (t *table) admit(s string, h uint64, slot *atomic.Uint64) bool {
	// a full arena is not grown further, so the counter cannot wrap however many values
	// are refused before the table is replaced
	if int(t.used.Load()) > len(t.arena) {
		return false
	}
	end := t.used.Add(int32(len(s))) //nolint:gosec // Add admits only Cacheable values: len(s) <= MaxLen (4096)
	if int(end) > len(t.arena) {
		return false
	}
	off := int(end) - len(s)
	copy(t.arena[off:end], s)
	w := h&^(1<<32-1) | uint64(off)<<lenBits | uint64(len(s)) //nolint:gosec // off < arena (256 KiB) < 2^offBits, len(s) <= MaxLen < 2^lenBits
	return slot.CompareAndSwap(0, w)
}

// Compile-time checks: a slot's fields hold every arena offset and every length up to MaxLen.
var _ = [1]struct{}{}[arena>>offBits]
var _ = [1]struct{}{}[MaxLen>>lenBits]
