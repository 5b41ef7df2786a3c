package store

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkAppend: the sim's write path — one append to a series it holds,
// in steady state (rings grown, folding into tiers).
func BenchmarkAppend(b *testing.B) {
	for _, c := range []struct {
		name string
		kind Kind
		step time.Duration
	}{
		{"gauge-10ms", Gauge, 10 * time.Millisecond},
		{"event-100k/s", Event, 10 * time.Microsecond},
	} {
		b.Run(c.name, func(b *testing.B) {
			s, _ := NewStore().Define("x", Meta{Kind: c.kind})
			n := 0
			for ; n < 2*s.Meta().MaxPoints; n++ { // reach steady state
				s.Append(time.Duration(n)*c.step, float64(n))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				n++
				s.Append(time.Duration(n)*c.step, float64(n&1023))
			}
		})
	}
}

// BenchmarkAppendByKey: the same through Store.Series(key) on every append
// (what a writer that does not keep its *Series pays).
func BenchmarkAppendByKey(b *testing.B) {
	st := NewStore()
	st.Series("flow/1/cwnd")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		st.Series("flow/1/cwnd").Append(time.Duration(i)*10*time.Millisecond, 1)
	}
}

// BenchmarkWindow: a chart redraw — the last 60 s of a 10-ms gauge into
// 200 points — while the series keeps growing (one append per query, and
// with a concurrent writer).
func BenchmarkWindow(b *testing.B) {
	const step = 10 * time.Millisecond
	setup := func() (*Series, int) {
		s := NewStore().Series("flow/1/cwnd")
		n := 0
		for ; n < 2*6000; n++ {
			s.Append(time.Duration(n)*step, float64(n%500))
		}
		return s, n
	}
	b.Run("interleaved", func(b *testing.B) {
		s, n := setup()
		var buf []Agg
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			n++
			now := time.Duration(n) * step
			s.Append(now, float64(n%500))
			buf = s.AppendWindow(buf[:0], now-60*time.Second, now, 200)
		}
		if len(buf) == 0 || len(buf) > 200 {
			b.Fatalf("%d aggregates", len(buf))
		}
	})
	b.Run("concurrent-writer", func(b *testing.B) {
		s, n := setup()
		var stop atomic.Bool
		var wg sync.WaitGroup
		var now atomic.Int64
		now.Store(int64(time.Duration(n) * step))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := n; !stop.Load(); k++ {
				t := time.Duration(k) * step
				s.Append(t, float64(k%500))
				now.Store(int64(t))
			}
		}()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			t := time.Duration(now.Load())
			_ = s.Window(t-60*time.Second, t, 200)
		}
		b.StopTimer()
		stop.Store(true)
		wg.Wait()
	})
	b.Run("event-60s", func(b *testing.B) {
		s, _ := NewStore().Define("owd", Meta{Kind: Event})
		n := 0
		for ; n < 120*100000; n++ {
			s.Append(time.Duration(n)*10*time.Microsecond, float64(n%977))
		}
		now := time.Duration(n-1) * 10 * time.Microsecond
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			_ = s.Window(now-60*time.Second, now, 200)
		}
	})
}

// BenchmarkWriteCSV: exporting one full default event series.
func BenchmarkWriteCSV(b *testing.B) {
	st := NewStore()
	s, _ := st.Define("owd", Meta{Kind: Event})
	for n := 0; n < 20*100000; n++ {
		s.Append(time.Duration(n)*10*time.Microsecond, float64(n%977)*1e-6)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := st.WriteCSV(discard{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
