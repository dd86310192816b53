// Package cleancache remembers strings a pure scanner found clean, so that a value that
// recurs (methods, routes, hosts, user agents, model names: most of telemetry) is looked up
// instead of scanned again.
//
// The cache is exact: an entry is the whole value, compared byte for byte, so a hash
// collision costs a scan, never a wrong answer. It is only correct for a scanner whose
// verdict depends on the string alone.
//
// A value is admitted on its second sighting, so unique values (ids, timestamps) are never
// stored. Entries and their bytes live in one table allocated up front and never written
// again once published, so admission allocates nothing and readers take no lock. A full
// table refuses new values; after a number of refusals a fresh table replaces it, so the
// cache follows a changing workload at the cost of one allocation.
package cleancache // import "github.com/authobs/authobsprocessor/internal/cleancache"

import (
	"hash/maphash"
	"sync/atomic"
	"unsafe"
)

// MaxLen is the longest value the cache holds: even a three-byte value is looked up
// faster than it is scanned, and longer values than this rarely recur.
const MaxLen = 256

const (
	sets  = 2048
	ways  = 4
	seen  = 8192
	arena = 256 << 10
	// defaultResetAfter refusals of a full table make the cache start a fresh one.
	defaultResetAfter = 1 << 20
)

// Cache is a set of clean strings. It is safe for concurrent use.
type Cache struct {
	seed       maphash.Seed
	table      atomic.Pointer[table]
	resetAfter int32
	// seen holds the hash of a value met once: the admission filter.
	seen [seen]atomic.Uint64
}

type table struct {
	sets    [sets][ways]atomic.Pointer[entry]
	entries [sets * ways]entry
	arena   [arena]byte
	next    atomic.Int32 // entries handed out
	used    atomic.Int32 // arena bytes handed out
	refused atomic.Int32
}

type entry struct {
	h uint64
	s string // points into the table's arena
}

// New returns an empty cache.
func New() *Cache {
	return newCache(defaultResetAfter)
}

func newCache(resetAfter int32) *Cache {
	c := &Cache{seed: maphash.MakeSeed(), resetAfter: resetAfter}
	c.table.Store(new(table))
	return c
}

// Cacheable reports whether s may be held: not empty, at most MaxLen bytes. Callers skip
// the cache (and hashing) for other values.
func Cacheable(s string) bool {
	return s != "" && len(s) <= MaxLen
}

// Hash is the hash Contains and Add take; computing it once serves both.
func (c *Cache) Hash(s string) uint64 {
	return maphash.String(c.seed, s)
}

// Contains reports whether s, with hash h, is known clean.
func (c *Cache) Contains(s string, h uint64) bool {
	set := &c.table.Load().sets[h&(sets-1)]
	for i := range set {
		if e := set[i].Load(); e != nil && e.h == h && e.s == s {
			return true
		}
	}
	return false
}

// Add records that s, with hash h, is clean. On its second sighting the value is copied
// into the table and published in a free way of its set; s itself is never retained, so
// it may point into memory the caller reuses.
func (c *Cache) Add(s string, h uint64) {
	if !Cacheable(s) {
		return
	}
	if slot := &c.seen[(h>>16)&(seen-1)]; slot.Swap(h) != h {
		return
	}
	t := c.table.Load()
	set := &t.sets[h&(sets-1)]
	way := -1
	for i := range set {
		if set[i].Load() == nil {
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

// admit copies s into the arena and publishes its entry in slot; entries and bytes are
// written once, before the atomic store that makes them visible.
func (t *table) admit(s string, h uint64, slot *atomic.Pointer[entry]) bool {
	idx := t.next.Add(1) - 1
	end := t.used.Add(int32(len(s))) //nolint:gosec // Add admits only Cacheable values: len(s) <= MaxLen (256)
	if int(idx) >= len(t.entries) || int(end) > len(t.arena) {
		return false
	}
	b := t.arena[int(end)-len(s) : end]
	copy(b, s)
	e := &t.entries[idx]
	e.h, e.s = h, unsafe.String(&b[0], len(b)) //nolint:gosec // b is arena bytes written once, above, and never again
	return slot.CompareAndSwap(nil, e)
}
