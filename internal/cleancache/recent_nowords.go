//go:build !(amd64 || arm64 || 386 || ppc64le || s390x)

package cleancache

import "math"

// recentMin is the shortest value a Recent holds: on these platforms (mips, riscv64,
// 32-bit arm) an unaligned word load traps to the kernel or faults, so a Recent, whose
// Has loads a word from each end of a value, holds none, and every value goes to the
// Cache.
const recentMin = math.MaxInt
