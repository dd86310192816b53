package authobsprocessor

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// TestIntValueReadsDecimalStrings: a decimal string of up to 18 digits reads as
// strconv.ParseInt reads it; signs, other bytes, empty and longer strings are not numbers.
func TestIntValueReadsDecimalStrings(t *testing.T) {
	for _, s := range []string{"0", "007", "401", "599", "999999999999999999", "100000000000000000"} {
		want, err := strconv.ParseInt(s, 10, 64)
		assert.NoError(t, err)
		n, ok := intValue(pcommon.NewValueStr(s))
		assert.True(t, ok, s)
		assert.Equal(t, want, n, s)
	}
	for _, s := range []string{"", "-1", "+1", "4O1", "40 1", "1e3", "0x1F", "1234567890123456789"} {
		_, ok := intValue(pcommon.NewValueStr(s))
		assert.False(t, ok, s)
	}
	n, ok := intValue(pcommon.NewValueInt(-3))
	assert.True(t, ok)
	assert.Equal(t, int64(-3), n)
	_, ok = intValue(pcommon.NewValueDouble(401))
	assert.False(t, ok)
}

// TestLowerHeaderBytes: for a header name (isToken with headerBytes), isToken with
// lowerHeaderBytes says it stays as it is exactly when strings.ToLower leaves it unchanged;
// every string of one and two bytes.
func TestLowerHeaderBytes(t *testing.T) {
	for a := range 256 {
		for b := -1; b < 256; b++ {
			s := string([]byte{byte(a)})
			if b >= 0 {
				s += string([]byte{byte(b)})
			}
			if !isToken(s, 64, headerBytes) {
				continue
			}
			assert.Equal(t, strings.ToLower(s) == s, isToken(s, 64, lowerHeaderBytes), "%q", s)
		}
	}
}
