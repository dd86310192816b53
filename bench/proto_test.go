package bench

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// BenchmarkFromProto relates processor cost to what a collector spends anyway: each
// iteration starts from a freshly unmarshalled request (cold memory, as the receiver
// hands it over), and proc=unmarshal is the receiver's own decoding of that request.
func BenchmarkFromProto(b *testing.B) {
	var raws [][]byte
	for _, w := range workload() {
		r, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(w.Traces)
		if err != nil {
			b.Fatal(err)
		}
		raws = append(raws, r)
	}
	ctx := context.Background()
	for _, name := range []string{"floor", "authobs_trace_safe"} {
		b.Run("proc="+name, func(b *testing.B) {
			c := newContender(b, name)
			var td ptrace.Traces
			i := 0
			measure(b, SpansPerBatch, "span",
				func() {
					var err error
					if td, err = (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(raws[i%Batches]); err != nil {
						b.Fatal(err)
					}
					i++
				},
				func() error { return c.Traces(ctx, td) })
		})
	}
	b.Run("proc=unmarshal", func(b *testing.B) {
		i := 0
		measure(b, SpansPerBatch, "span", nil, func() error {
			_, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(raws[i%Batches])
			i++
			return err
		})
	})
}
