package cc

import (
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// BenchmarkBBROnAck measures one OnAck on a realistic ACK stream: 12 s of
// the synthetic path (Startup, Drain, ProbeBW cycles and a ProbeRTT, with
// a loss every 500 segments so recovery runs too), recorded once and
// replayed end to end, shifted in time and delivered count at each pass
// so the controller sees one continuous flow.
func BenchmarkBBROnAck(b *testing.B) {
	rec := newBBRPath(b, mustNew(b, "bbr"), bbrTestRate, bbrTestRTT)
	rec.drop = func(seq int64, _ time.Duration) bool { return seq/testMSS%500 == 499 }
	var samples []transport.Sample
	rec.onAck = func(s *transport.Sample) { samples = append(samples, *s) }
	rec.run(12 * time.Second)
	span, total := samples[len(samples)-1].Now+time.Millisecond, samples[len(samples)-1].Delivered

	c := mustNew(b, "bbr")
	ctl := transport.Control{MSS: testMSS}
	c.Init(&ctl, 0)
	var s transport.Sample
	var dt time.Duration
	var dd int64
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		j := i % len(samples)
		if j == 0 && i > 0 {
			dt += span
			dd += total
		}
		s = samples[j]
		s.Now += dt
		s.Delivered += dd
		if s.PriorDelivered >= 0 {
			s.PriorDelivered += dd
		}
		c.OnAck(&s, &ctl)
	}
}
