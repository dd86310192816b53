package demo

import "bytes"

// Leak is a secret found in a route's output.
type Leak struct {
	Route, What string
}

// search looks for each secret, and for its last 12 characters alone so that a partly
// masked copy would show too.
func (s *secrets) search(route string, raw []byte) []Leak {
	var leaks []Leak
	for v, what := range s.values {
		tail := v
		if len(tail) > 12 {
			tail = tail[len(tail)-12:]
		}
		if bytes.Contains(raw, []byte(v)) || bytes.Contains(raw, []byte(tail)) {
			leaks = append(leaks, Leak{Route: route, What: what})
		}
	}
	return leaks
}
