package cleancache

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func add(c *Cache, s string) { c.Add(s, hash(c, s)) }

func has(c *Cache, s string) bool {
	_, clean := c.Lookup(s)
	return clean
}

func hash(c *Cache, s string) uint64 {
	h, _ := c.Lookup(s)
	return h
}

func TestAdmittedOnSecondSighting(t *testing.T) {
	c := New()
	add(c, "GET")
	assert.False(t, has(c, "GET"), "a value seen once is not stored: unique ids never take a slot")
	add(c, "GET")
	assert.True(t, has(c, "GET"))
	assert.False(t, has(c, "POST"))
}

func TestExactNotJustTheHash(t *testing.T) {
	c := New()
	add(c, "api.openai.com")
	add(c, "api.openai.com")
	require.True(t, has(c, "api.openai.com"))
	// a value of the same length stored under the hash of another (a full collision of
	// set, tag and length): the collision must cost a scan, never a wrong "clean"
	const other = "sk-proj-abcdef"
	require.Len(t, other, len("api.openai.com"))
	h := hash(c, other)
	tb := c.table.Load()
	set := &tb.sets[h&(sets-1)]
	way := 0
	for set[way].Load() != 0 {
		way++
	}
	require.True(t, tb.admit("api.openai.com", h, &set[way]))
	assert.False(t, has(c, other))
	assert.True(t, has(c, "api.openai.com"))
}

func TestValuesOutsideTheBoundsAreNotHeld(t *testing.T) {
	c := New()
	long := string(make([]byte, MaxLen+1))
	for _, s := range []string{"", long} {
		assert.False(t, Cacheable(s))
		add(c, s)
		add(c, s)
		assert.False(t, has(c, s))
	}
	assert.True(t, Cacheable(long[:MaxLen]))
}

// TestCallerMayReuseItsBytes: Add copies the value, so a string over a buffer the caller
// overwrites later (a bytes value scanned in place) cannot change a stored entry.
func TestCallerMayReuseItsBytes(t *testing.T) {
	c := New()
	buf := []byte("model=gpt-5")
	s := unsafe.String(&buf[0], len(buf))
	add(c, s)
	add(c, s)
	copy(buf, "model=XXXXX")
	assert.True(t, has(c, "model=gpt-5"))
	assert.False(t, has(c, "model=XXXXX"))
}

// TestFullTableIsReplaced: a full table refuses new values (memory stays bounded); after
// resetAfter refusals a fresh table replaces it and takes new values again.
func TestFullTableIsReplaced(t *testing.T) {
	c := newCache(1 << 12)
	v := func(i int) string { return "v" + strconv.Itoa(i) }
	first := c.table.Load()
	refused := -1
	for i := range 4 * sets * ways {
		add(c, v(i))
		add(c, v(i))
		if !has(c, v(i)) {
			refused = i
			break
		}
	}
	require.NotEqual(t, -1, refused, "the table never filled up")
	i := refused
	for ; c.table.Load() == first; i++ {
		require.Less(t, i, refused+4*(1<<12), "a full table was never replaced")
		add(c, v(i))
		add(c, v(i))
	}
	assert.False(t, has(c, v(0)), "the fresh table starts empty")
	add(c, "late")
	add(c, "late")
	assert.True(t, has(c, "late"), "the fresh table takes new values")
}

// TestFullArenaStopsCounting: once the arena is full, refused values must not keep adding to
// its byte counter, which would wrap (and index the arena out of range) before a table with a
// high reset threshold is replaced.
func TestFullArenaStopsCounting(t *testing.T) {
	c := newCache(1 << 30)
	long := strings.Repeat("x", longLen-9) // + 9 digits: longLen bytes, admitted to the end
	for i := range 4 * arena / longLen {
		v := long + strconv.Itoa(100000000+i)
		add(c, v)
		add(c, v)
	}
	used := int(c.table.Load().used.Load())
	assert.Greater(t, used, arena-longLen, "the arena never filled")
	assert.LessOrEqual(t, used, arena+longLen, "arena counter kept growing after the arena filled")
}

// TestLongValuesTakeHalfTheArena: values longer than longLen are held while half the arena
// is free, then refused, and short values are still admitted after that.
func TestLongValuesTakeHalfTheArena(t *testing.T) {
	c := newCache(1 << 30)
	long := strings.Repeat("y", MaxLen-9)
	var held []string
	for i := range 2 * arena / MaxLen {
		v := long + strconv.Itoa(100000000+i)
		add(c, v)
		add(c, v)
		if has(c, v) {
			held = append(held, v)
		}
	}
	require.NotEmpty(t, held, "no long value was held")
	assert.True(t, has(c, held[0]), "a long value held early was lost")
	used := int(c.table.Load().used.Load())
	assert.LessOrEqual(t, used, arena/2+MaxLen, "long values took more than half the arena")
	assert.Less(t, len(held), 2*arena/MaxLen, "every long value was held")
	short := "GET /v1/items/{id}"
	add(c, short)
	add(c, short)
	assert.True(t, has(c, short), "a short value was refused once long values filled their half")
}

// TestLongValueTurnedAwayIsNoRefusal: once half the arena is used, a recurring long value
// that is turned away does not count toward replacing the table, which would throw away
// every short value held.
func TestLongValueTurnedAwayIsNoRefusal(t *testing.T) {
	c := newCache(1000)
	first := c.table.Load()
	var shorts []string
	for i := 0; int(first.used.Load()) <= arena/2; i++ {
		v := strings.Repeat("s", 100) + strconv.Itoa(100000+i)
		add(c, v)
		add(c, v)
		shorts = append(shorts, v)
	}
	long := strings.Repeat("L", 1000)
	for range 1100 {
		add(c, long)
		has(c, long)
	}
	assert.Same(t, first, c.table.Load(), "a recurring long value made the cache replace its table")
	assert.True(t, has(c, shorts[0]), "the short values were thrown away")
	assert.False(t, has(c, long))
}

// TestConcurrentUse drives every path at once — admission, lookup, a full table, its
// replacement — from several goroutines, for the race detector; and checks that no
// goroutine ever sees a value reported clean that nobody added.
func TestConcurrentUse(t *testing.T) {
	c := newCache(512)
	const workers, rounds, values = 8, 4000, 3000
	var wrong atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				v := fmt.Sprintf("value-%d", (i*7+w*13)%values)
				add(c, v)
				if has(c, "never-added-"+strconv.Itoa(i)) {
					wrong.Add(1)
				}
				has(c, v)
			}
		})
	}
	wg.Wait()
	assert.Zero(t, wrong.Load())
	found := 0
	for i := range values {
		if has(c, fmt.Sprintf("value-%d", i)) {
			found++
		}
	}
	assert.Positive(t, found, "recurring values were admitted under concurrent use")
}

// BenchmarkLookupParallel: the hit path under concurrent readers, as every pipeline of
// a collector reads the one cache of its processor instance.
func BenchmarkLookupParallel(b *testing.B) {
	c := New()
	var keys []string
	for i := 0; len(keys) < 1024; i++ {
		k := "https://api.example.com/v1/route/" + strconv.Itoa(i)
		add(c, k)
		add(c, k)
		if has(c, k) { // a value whose set is full stays out
			keys = append(keys, k)
		}
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			k := keys[i&1023]
			if _, clean := c.Lookup(k); !clean {
				b.Fatal("miss")
			}
			i++
		}
	})
}

// BenchmarkAddParallel: admission under concurrent writers, a workload of recurring and
// unique values.
func BenchmarkAddParallel(b *testing.B) {
	c := New()
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		values := make([]string, 4096)
		base := n.Add(1) << 32
		for i := range values {
			values[i] = "v" + strconv.FormatInt(base+int64(i), 36)
		}
		i := 0
		for pb.Next() {
			s := values[i&4095]
			c.Add(s, hash(c, s))
			i++
		}
	})
}

// TestHashReadsEveryByte: changing any one byte of a value of any length up to MaxLen
// changes its hash, so values that differ only somewhere in the middle do not all fall
// into one set (which would keep them out of the cache). Every length up to 300 (past 16 the
// hash takes 16-byte steps and a tail, so these hold every case), then long ones.
func TestHashReadsEveryByte(t *testing.T) {
	c := New()
	buf := make([]byte, MaxLen)
	for i := range buf {
		buf[i] = byte('a' + i%26)
	}
	for _, n := range testLengths() {
		s := string(buf[:n])
		h := hash(c, s)
		for i := range n {
			b := []byte(s)
			b[i] ^= 0x20
			require.NotEqual(t, h, hash(c, string(b)), "length %d, byte %d", n, i)
		}
	}
}

// testLengths are every length up to 300 and long ones up to MaxLen, on both sides of
// longLen and of 16-byte steps.
func testLengths() []int {
	var ns []int
	for n := 1; n <= 300; n++ {
		ns = append(ns, n)
	}
	return append(ns, 511, 512, 513, 1000, 1024, 2047, 4080, MaxLen-1, MaxLen)
}

// TestSeededHash: two caches hash the same value differently, so where a value lands
// cannot be worked out from outside the process.
func TestSeededHash(t *testing.T) {
	assert.NotEqual(t, hash(New(), "GET /v1/items"), hash(New(), "GET /v1/items"))
}
