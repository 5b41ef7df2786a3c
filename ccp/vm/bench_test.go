package vm

import (
	"testing"
	"time"

	"github.com/ccscope/ccscope/ccp/wire"
)

// BenchmarkInvokeIntervalRTT is the per-ACK cost of generic-cong-avoid's
// default program (DatapathIntervalRTTProg): one invocation per op, an ACK
// every 10 µs with a 1 ms RTT, so a report every ~100 ACKs.
func BenchmarkInvokeIntervalRTT(b *testing.B) {
	d := New(Config{Send: func([]byte) error { return nil }})
	if err := d.Init(0); err != nil {
		b.Fatal(err)
	}
	var cwnd uint64
	c, err := d.Start(0, Info{InitCwnd: 14480, MSS: 1448}, Callbacks{SetCwnd: func(v uint64) { cwnd = v }})
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range []wire.Message{intervalRTT(1), &wire.ChangeProg{SID: c.SID(), ProgramUID: 1}} {
		buf, err := wire.Encode(m)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Receive(0, buf); err != nil {
			b.Fatal(err)
		}
	}
	p := Primitives{BytesAcked: 1448, PacketsAcked: 1, PacketsInFlight: 10, BytesInFlight: 14480,
		RTTSampleUs: 1000, SndCwnd: 14480}
	now := time.Duration(0)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		now += 10 * time.Microsecond
		if err := c.Invoke(now, &p); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if st := c.Stats(); st.Reports == 0 || cwnd != 14480 {
		b.Fatalf("stats %+v, cwnd %d", st, cwnd)
	}
}

// BenchmarkInvokeWorstCase bounds an invocation: 131072 instructions.
func BenchmarkInvokeWorstCase(b *testing.B) {
	d := New(Config{Send: func([]byte) error { return nil }})
	if err := d.Init(0); err != nil {
		b.Fatal(err)
	}
	c, err := d.Start(0, Info{}, Callbacks{})
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range []wire.Message{worstCase(), &wire.ChangeProg{SID: c.SID(), ProgramUID: 1}} {
		buf, err := wire.Encode(m)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Receive(0, buf); err != nil {
			b.Fatal(err)
		}
	}
	var p Primitives
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Invoke(0, &p); err != nil {
			b.Fatal(err)
		}
	}
}
