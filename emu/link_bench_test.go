package emu

import (
	"testing"
	"time"
)

// benchLink pushes b.N packets through a link in virtual time and reports
// link packets per second of wall time. gap is the inter-arrival time; a gap
// shorter than the opportunity interval overloads the link.
func benchLink(b *testing.B, cfg Config, gap time.Duration) {
	l, err := NewLink(cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	out := make([]Packet, 0, 1024)
	var now time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now += gap
		if l.NextEvent() <= now {
			out = l.Advance(now, out[:0])
		}
		l.Enqueue(now, Packet{Size: 1500, ID: uint64(i)})
	}
	l.Advance(now+time.Second, out[:0])
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
}

// BenchmarkLinkDropTail: a 100 Mbit/s droptail link with 20 ms delay,
// arrivals at 95% of capacity (queue stays short) and at 2× (drops).
func BenchmarkLinkDropTail(b *testing.B) {
	q, err := ParseQueue("droptail", "packets=100")
	if err != nil {
		b.Fatal(err)
	}
	cfg := Config{Capacity: RateCapacity(100e6), Queue: q, Delay: 20 * time.Millisecond}
	b.Run("load=0.95", func(b *testing.B) { benchLink(b, cfg, 126*time.Microsecond) })
	b.Run("load=2", func(b *testing.B) { benchLink(b, cfg, 60*time.Microsecond) })
}

// BenchmarkLinkTrace: the same over a real cellular trace.
func BenchmarkLinkTrace(b *testing.B) {
	dir := sharedTraces(b)
	tr, err := LoadTrace(dir + "/TMobile-LTE-short.down")
	if err != nil {
		b.Fatal(err)
	}
	q, _ := ParseQueue("droptail", "packets=100")
	benchLink(b, Config{Capacity: TraceCapacity(tr), Queue: q, Delay: 20 * time.Millisecond}, 700*time.Microsecond)
}

// BenchmarkLinkCoDelJitterLoss: the slow path, every feature on.
func BenchmarkLinkCoDelJitterLoss(b *testing.B) {
	q, _ := ParseQueue("codel", "packets=1000, target=5, interval=100")
	loss, _ := ParseLoss("1%")
	benchLink(b, Config{Capacity: RateCapacity(100e6), Queue: q, Loss: loss,
		Delay: 20 * time.Millisecond, Jitter: 2 * time.Millisecond}, 100*time.Microsecond)
}
