//go:build amd64 || arm64 || 386 || ppc64le || s390x

package cleancache

// recentMin is the shortest value a Recent holds: Has loads a word from each end of a
// value, and these platforms load a word from any address in hardware.
const recentMin = 8
