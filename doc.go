// mdatagen is a tool dependency of its own module, and its generated tests need their
// package renamed: the Makefile target does both.
//go:generate make generate

// Package authobsprocessor is the authobs processor of the OpenTelemetry Collector: it
// enforces an export routing policy for API-client auth telemetry, keeps the auth evidence
// valid and bounded, and redacts secrets wherever they hide.
//
// Reading order, which is also the call order: no file calls a function of a file listed
// before it (guard only runs the item function the walk hands it).
//
//   - factory.go: NewFactory, the defaults, one shared instance per component config.
//   - config.go: Config and its validation.
//   - processor.go: the walk of traces, logs and metrics down to each item.
//   - attributes.go: the decision for one attribute, in the order the README documents,
//     and the facts derived from dropped personal data.
//   - evidence.go: validation and hashing of the auth evidence.
//   - errortext.go: HTTP failure text reduced to `http <code>`.
//   - values.go: redaction of values through maps, slices and bytes.
//   - failclosed.go: the guard around each item and the fail-closed form of each item kind.
//   - writer.go: the only code that changes telemetry; in audit mode it changes nothing.
//
// Below them, policy.go holds the key rules and their publication, contract.go the
// contract's tables, and telemetry.go the counters and every label they carry. Secrets
// are found by internal/redact; values found clean are remembered by internal/cleancache.
package authobsprocessor // import "github.com/authobs/authobsprocessor"
