package transport

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestLosslessTransfer(t *testing.T) {
	// 1 MB over 12 Mbit/s with 20 ms each way and a 20-segment window
	// (below the BDP of ~41 segments: the window limits).
	ctl := &fixedCtl{cwnd: 20 * MSS, keep: true}
	const size = 1_000_000
	p := newPath(t, rateLink(12e6, 20*time.Millisecond, ""), rateLink(12e6, 20*time.Millisecond, ""),
		SenderConfig{Size: size}, ctl)
	p.run(time.Minute)
	if !p.snd.Done() {
		t.Fatalf("not done; delivered %d", p.rcv.Stats().Delivered)
	}
	p.checkExactlyOnce(size)
	st := p.snd.Stats()
	if st.Retransmits != 0 || st.Lost != 0 || st.Timeouts != 0 {
		t.Fatalf("retransmits on a clean path: %+v", st)
	}
	// Every segment is acknowledged by its own ACK: 691 segments.
	if want := int64(math.Ceil(size / float64(MSS))); st.Segments != want || int64(p.acks) != want {
		t.Fatalf("segments %d acks %d, want %d", st.Segments, p.acks, want)
	}
	// The minimum RTT is 40 ms + one data opportunity (1 ms at 12 Mbit/s)
	// + one ACK opportunity.
	_, _, minRTT := p.snd.RTT()
	if minRTT != 42*time.Millisecond {
		t.Fatalf("min RTT %v, want 42ms", minRTT)
	}
	// Per-ACK primitives add up: every byte acked once, nothing misordered.
	var acked int
	for _, s := range ctl.samples {
		acked += s.BytesAcked
		if s.BytesMisordered != 0 || s.LostPackets != 0 {
			t.Fatalf("sample %+v", s)
		}
		// One-way: 20 ms of propagation plus up to 1 ms waiting for the
		// next opportunity (and a queue of at most a window).
		if s.OWD <= 20*time.Millisecond || s.OWD > 40*time.Millisecond {
			t.Fatalf("OWD %v", s.OWD)
		}
		if s.PriorDelivered < 0 || s.PriorDelivered >= s.Delivered {
			t.Fatalf("prior delivered %d of %d", s.PriorDelivered, s.Delivered)
		}
	}
	if acked != size {
		t.Fatalf("BytesAcked sums to %d", acked)
	}
	// Window-limited: 20 segments per 42-ms RTT ≈ 5.5 Mbit/s of payload.
	// Delivery-rate samples in steady state say so (± 5%).
	want := 20 * float64(MSS) / 0.042
	var n int
	for _, s := range ctl.samples[100:600] {
		if s.DeliveryRate > 0 {
			n++
			if math.Abs(s.DeliveryRate-want)/want > 0.05 {
				t.Fatalf("delivery rate %.0f B/s, want %.0f ± 5%%", s.DeliveryRate, want)
			}
		}
	}
	if n < 400 {
		t.Fatalf("only %d valid rate samples", n)
	}
}

func TestDeliveryRateAtBottleneck(t *testing.T) {
	// A window far above the BDP on a 12 Mbit/s link: delivery-rate
	// samples measure the bottleneck: one 1500-B packet (1448 B payload)
	// per ms = 1.448 MB/s.
	ctl := &fixedCtl{cwnd: 200 * MSS, keep: true}
	p := newPath(t, rateLink(12e6, 10*time.Millisecond, ""), rateLink(100e6, 10*time.Millisecond, ""),
		SenderConfig{}, ctl)
	p.run(5 * time.Second)
	var sum float64
	var n int
	for _, s := range ctl.samples[len(ctl.samples)/2:] {
		if s.DeliveryRate > 0 && !s.AppLimited {
			sum += s.DeliveryRate
			n++
		}
	}
	if mean := sum / float64(n); math.Abs(mean-1.448e6)/1.448e6 > 0.01 {
		t.Fatalf("mean delivery rate %.0f B/s over %d samples, want 1.448e6 ± 1%%", mean, n)
	}
	// Bytes in flight are what the window allows.
	last := ctl.samples[len(ctl.samples)-1]
	if last.BytesInFlight < 199*MSS || last.BytesInFlight > 200*MSS {
		t.Fatalf("in flight %d, want ~%d", last.BytesInFlight, 200*MSS)
	}
}

func TestRandomLossReorderAckLoss(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		ctl := &fixedCtl{cwnd: 40 * MSS}
		const size = 2_000_000
		p := newPath(t, rateLink(20e6, 15*time.Millisecond, "packets=60"), rateLink(20e6, 15*time.Millisecond, ""),
			SenderConfig{Size: size}, ctl)
		p.rng = rand.New(rand.NewPCG(seed, seed))
		p.dropData = func(*Segment) bool { return p.rng.Float64() < 0.03 }
		p.dropAck = func(*Segment) bool { return p.rng.Float64() < 0.05 }
		p.extraDelay = func() time.Duration {
			if p.rng.Float64() < 0.05 {
				return time.Duration(p.rng.Int64N(int64(5 * time.Millisecond)))
			}
			return 0
		}
		p.run(10 * time.Minute)
		if !p.snd.Done() {
			t.Fatalf("seed %d: stalled at %d of %d bytes (now %v, stats %+v)", seed, p.rcv.Stats().Delivered, size, p.now, p.snd.Stats())
		}
		p.checkExactlyOnce(size)
		if p.snd.Stats().Retransmits == 0 {
			t.Fatalf("seed %d: 3%% loss but no retransmission", seed)
		}
	}
}

func TestRTOBackoff(t *testing.T) {
	// Black-hole every data packet after the first 50: the sender must
	// back off its RTO exponentially (RFC 6298 §5.5).
	ctl := &fixedCtl{cwnd: 10 * MSS}
	p := newPath(t, rateLink(12e6, 10*time.Millisecond, ""), rateLink(12e6, 10*time.Millisecond, ""), SenderConfig{}, ctl)
	sent := 0
	var drops []time.Duration
	p.dropData = func(s *Segment) bool {
		sent++
		if sent > 50 {
			drops = append(drops, p.now)
			return true
		}
		return false
	}
	p.run(20 * time.Second)
	st := p.snd.Stats()
	if st.Timeouts < 5 {
		t.Fatalf("%d timeouts", st.Timeouts)
	}
	// Retransmissions after the hole: spaced by doubling RTOs. The first
	// RTO is max(200 ms, SRTT+4·RTTVAR) ≈ 200 ms, then 400, 800, 1600 ms...
	var gaps []time.Duration
	for i := 1; i < len(drops); i++ {
		if g := drops[i] - drops[i-1]; g > 100*time.Millisecond {
			gaps = append(gaps, g)
		}
	}
	if len(gaps) < 4 {
		t.Fatalf("gaps %v", gaps)
	}
	for i := 1; i < len(gaps); i++ {
		if r := float64(gaps[i]) / float64(gaps[i-1]); r < 1.95 || r > 2.05 {
			t.Fatalf("RTO gaps %v do not double", gaps)
		}
	}
	if gaps[0] < 200*time.Millisecond || gaps[0] > 300*time.Millisecond {
		t.Fatalf("first RTO gap %v", gaps[0])
	}
	if n := len(ctl.events); n == 0 || ctl.events[n-1] != EventTimeout {
		t.Fatalf("events %v", ctl.events)
	}
}

func TestLossStartsOneRecovery(t *testing.T) {
	// Drop three consecutive segments of a window: one EventLoss, then
	// EventRecoveryEnd when the retransmissions are acknowledged, and
	// the lost segments are detected by SACK without a timeout.
	ctl := &fixedCtl{cwnd: 30 * MSS, keep: true}
	p := newPath(t, rateLink(24e6, 10*time.Millisecond, ""), rateLink(24e6, 10*time.Millisecond, ""), SenderConfig{Size: 500 * MSS}, ctl)
	n := 0
	p.dropData = func(s *Segment) bool {
		n++
		return !s.Retransmit && n >= 100 && n < 103
	}
	p.run(time.Minute)
	p.checkExactlyOnce(500 * MSS)
	st := p.snd.Stats()
	if st.Timeouts != 0 || st.Retransmits != 3 || st.Lost != 3 || st.FastRecoveries != 1 {
		t.Fatalf("stats %+v", st)
	}
	if len(ctl.events) != 2 || ctl.events[0] != EventLoss || ctl.events[1] != EventRecoveryEnd {
		t.Fatalf("events %v", ctl.events)
	}
	var lost, misordered int
	for _, s := range ctl.samples {
		lost += s.LostPackets
		misordered += s.PacketsMisordered
	}
	if lost != 3 || misordered == 0 {
		t.Fatalf("lost %d misordered %d in samples", lost, misordered)
	}
}

func TestPacing(t *testing.T) {
	// A pacing rate of 1 Mbit/s of payload on a fast link: full segments
	// leave 1448 B / 125 kB/s = 11.584 ms apart.
	ctl := &fixedCtl{cwnd: 100 * MSS, pacing: 125_000}
	p := newPath(t, rateLink(100e6, 5*time.Millisecond, ""), rateLink(100e6, 5*time.Millisecond, ""), SenderConfig{Size: 20 * MSS}, ctl)
	var times []time.Duration
	p.dropData = func(*Segment) bool { times = append(times, p.now); return false }
	p.run(time.Minute)
	for i := 1; i < len(times); i++ {
		if g := times[i] - times[i-1]; g != 11584*time.Microsecond {
			t.Fatalf("gap %v between packets %d and %d, want 11.584ms", g, i-1, i)
		}
	}
}

func TestReceiverSACKOrder(t *testing.T) {
	r := NewReceiver()
	ack := &Segment{}
	seg := func(k int) *Segment { return &Segment{Kind: KindData, Seq: uint64(k * 100), Len: 100} }
	r.OnData(0, seg(0), ack)
	r.OnData(0, seg(2), ack)
	r.OnData(0, seg(4), ack)
	r.OnData(0, seg(6), ack)
	// The block of the segment that arrived last comes first, then the
	// most recent others: 600-700, 400-500, 200-300.
	if ack.Ack != 100 || ack.NSACK != 3 || ack.SACK[0] != (Range{600, 700}) || ack.SACK[1] != (Range{400, 500}) || ack.SACK[2] != (Range{200, 300}) {
		t.Fatalf("ack %+v", ack)
	}
	r.OnData(0, seg(3), ack) // joins 200-300 and 400-500
	if ack.SACK[0] != (Range{200, 500}) || ack.SACK[1] != (Range{600, 700}) || ack.NSACK != 2 {
		t.Fatalf("after merge %+v", ack)
	}
	if n := r.OnData(0, seg(1), ack); n != 400 || ack.Ack != 500 || ack.NSACK != 1 {
		t.Fatalf("fill: delivered %d ack %+v", n, ack)
	}
	r.OnData(0, seg(1), ack) // duplicate
	if r.Stats().Duplicates != 1 || r.Stats().Delivered != 500 {
		t.Fatalf("stats %+v", r.Stats())
	}
}

// TestCumulativeAckCounts: every byte is counted once as delivered
// (BytesAcked, by SACK or cumulative ACK) but the cumulative counts
// (CumBytesAcked, the kernel's bytes_acked a CCP datapath reports) cover
// every byte again when a hole fills: over a transfer with a loss both
// total the transfer, and the ACK that fills the hole covers the SACKed
// segments behind it.
func TestCumulativeAckCounts(t *testing.T) {
	ctl := &fixedCtl{cwnd: 30 * MSS, keep: true}
	p := newPath(t, rateLink(24e6, 10*time.Millisecond, ""), rateLink(24e6, 10*time.Millisecond, ""), SenderConfig{Size: 200 * MSS}, ctl)
	n := 0
	p.dropData = func(s *Segment) bool {
		n++
		return !s.Retransmit && n == 50
	}
	p.run(time.Minute)
	var acked, cum, cumPkts, sacked, biggest int
	for _, s := range ctl.samples {
		acked += s.BytesAcked
		cum += s.CumBytesAcked
		cumPkts += s.CumPacketsAcked
		sacked += s.BytesMisordered
		biggest = max(biggest, s.CumPacketsAcked)
	}
	if acked != 200*MSS || cum != 200*MSS || cumPkts != 200 {
		t.Fatalf("delivered %d, cumulatively acked %d bytes / %d packets; want %d each (200 packets)", acked, cum, cumPkts, 200*MSS)
	}
	if sacked == 0 || biggest < 10 {
		t.Fatalf("SACKed %d bytes, largest cumulative jump %d packets: the hole's repair should cover the SACKed segments", sacked, biggest)
	}
}
