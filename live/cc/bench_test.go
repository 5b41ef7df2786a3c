package cc

import (
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// benchOnAck measures one OnAck in congestion avoidance, the steady state
// of a long flow: a loss every 10000 ACKs keeps cwnd in a realistic range
// (its cost is spread over those ACKs).
func benchOnAck(b *testing.B, spec string) {
	c := mustNew(b, spec)
	ctl := transport.Control{MSS: testMSS}
	c.Init(&ctl, 0)
	s := transport.Sample{
		BytesAcked: testMSS, PacketsAcked: 1,
		RTT: 50 * time.Millisecond, SRTT: 50 * time.Millisecond, MinRTT: 50 * time.Millisecond,
		BytesInFlight: 100 * testMSS, PacketsInFlight: 100,
	}
	loss := func() {
		s.InRecovery = true
		c.OnCongestion(transport.EventLoss, &s, &ctl)
		s.InRecovery = false
		c.OnCongestion(transport.EventRecoveryEnd, &s, &ctl)
	}
	loss()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.Now += 20 * time.Microsecond
		s.Delivered += testMSS
		c.OnAck(&s, &ctl)
		if i%10000 == 9999 {
			loss()
		}
	}
}

func BenchmarkRenoOnAck(b *testing.B)  { benchOnAck(b, "reno") }
func BenchmarkCubicOnAck(b *testing.B) { benchOnAck(b, "cubic") }

// BenchmarkCubicOnAckSlowStart measures OnAck in HyStart++ slow start.
func BenchmarkCubicOnAckSlowStart(b *testing.B) {
	c := mustNew(b, "cubic")
	ctl := transport.Control{MSS: testMSS}
	s := transport.Sample{BytesAcked: testMSS, PacketsAcked: 1, RTT: 50 * time.Millisecond, SRTT: 50 * time.Millisecond, BytesInFlight: 20 * testMSS}
	b.ReportAllocs()
	for i := range b.N {
		if i%1000 == 0 {
			c.Init(&ctl, s.Now)
		}
		s.Now += 20 * time.Microsecond
		s.Delivered += testMSS
		c.OnAck(&s, &ctl)
	}
}
