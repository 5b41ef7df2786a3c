package live

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/cc"
	"github.com/ccscope/ccscope/live/store"
)

// BenchmarkSim60s: a 60-s run of one cubic flow over 100 Mbit/s with a
// 20-ms RTT and a 1-BDP droptail queue (250 000 B = 166 packets), every
// series recorded in a store. Reports how many times faster than real time
// it runs, data packets per second of wall time, and the heap in use at
// the end.
func BenchmarkSim60s(b *testing.B) {
	exp := linkExp("100mbit", 10*time.Millisecond, "packets=166", 60*time.Second, "cubic")
	var pkts int64
	var heap uint64
	for i := 0; i < b.N; i++ {
		st := store.NewStore()
		s, err := NewSim(exp, SimOptions{NewController: cc.New, Recorder: StoreRecorder(st)})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Run(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
		pkts = s.flows[0].snd.Stats().Segments
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = ms.HeapInuse
		runtime.KeepAlive(st)
	}
	per := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(60/per, "x-realtime")
	b.ReportMetric(float64(pkts)/per, "data-pkts/s")
	b.ReportMetric(float64(heap)/1e6, "heap-MB")
}
