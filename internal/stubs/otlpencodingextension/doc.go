// Package otlpencodingextension is an empty stub that satisfies the module graph of contrib
// fileexporter v0.165.1 in the ocb build (see builder-config.yaml). It holds no code.
package otlpencodingextension
