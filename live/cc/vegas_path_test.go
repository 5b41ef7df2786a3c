package cc

// vegas_path_test.go owns pathFlow, the single-bottleneck path model that the
// tests of the delay-based schemes (vegas_test.go, copa_test.go,
// ledbat_test.go) and their benchmarks drive, and pathSamples, a recording of
// per-ACK samples for the benchmarks.

import (
	"math"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// pathFlow is one bulk sender over a path with one FIFO bottleneck of
// rate bytes/s (payload) at the sender's end and a propagation round trip
// base split evenly between the two directions:
//
//	a packet sent at t departs the bottleneck at d = max(t + extra(t), last
//	departure) + MSS/rate, reaches the receiver at d + base/2 and its ACK
//	reaches the sender at d + base.
//
// So RTT = base + MSS/rate + queueing, OWD = base/2 + MSS/rate + queueing
// (plus owdOffset, a receiver clock offset), and in steady state the queue
// holds inflight − rate·(base + MSS/rate): the fluid model. extra is a
// competitor's standing queue seen as delay ahead of our packets (it takes
// no bandwidth), nil for none. One ACK per packet, in order; the sender
// fills the window with full segments after every ACK and honours
// Control.PacingRate. Losses and timeouts are injected by the test and
// reported as the transport does (one EventLoss per episode, the recovery
// point at the highest segment sent, EventRecoveryEnd when it is acked).
type pathFlow struct {
	tb        testing.TB
	cc        transport.Controller
	ctl       transport.Control
	rate      float64 // bytes/s
	base      time.Duration
	extra     func(t time.Duration) time.Duration
	owdOffset time.Duration
	// appLimited marks every sample application-limited.
	appLimited bool

	now        time.Duration
	q          []pathPkt // in flight, from head
	head       int
	seq        int64
	lastDepart time.Duration
	nextSend   time.Duration
	delivered  int64
	dlvTime    time.Duration // when delivered last grew
	inflight   int

	srtt, rttvar, minRTT time.Duration
	inRecovery           bool
	recoveryPoint        int64
	loseNext             int
	acks                 int64
	last                 transport.Sample

	// onAck runs after each OnAck with the packet it acknowledged.
	onAck func(s *transport.Sample, p *pathPkt)
	// onEvent runs after each congestion event with its sample and cwnd
	// before and after.
	onEvent func(ev transport.CongestionEvent, s *transport.Sample, before, after int)
}

// pathPkt is one packet in flight.
type pathPkt struct {
	seq       int64
	sent      time.Duration
	depart    time.Duration // leaves the bottleneck
	ackAt     time.Duration
	delivered int64         // sender's delivered count when sent
	dlvTime   time.Duration // when that count was reached
	queued    time.Duration // waiting time at the bottleneck, excluding service
}

// serv is the bottleneck's service time of one full segment.
func (f *pathFlow) serv() time.Duration {
	return time.Duration(float64(testMSS) / f.rate * 1e9)
}

// bdpPackets is the window that fills the path without a queue:
// rate·(base + service time), in packets.
func (f *pathFlow) bdpPackets() float64 {
	return f.rate * (f.base + f.serv()).Seconds() / testMSS
}

// newPath starts a flow at time 0 on a path of pktRate full segments per
// second and propagation round trip base.
func newPath(tb testing.TB, cc transport.Controller, pktRate float64, base time.Duration) *pathFlow {
	tb.Helper()
	f := &pathFlow{tb: tb, cc: cc, rate: pktRate * testMSS, base: base}
	f.ctl.MSS = testMSS
	cc.Init(&f.ctl, 0)
	f.fill()
	return f
}

// canSend reports whether the window has room for a full segment.
func (f *pathFlow) canSend() bool {
	return f.inflight == 0 || f.inflight+testMSS <= f.ctl.Cwnd
}

// send transmits one segment at f.now.
func (f *pathFlow) send() {
	t := f.now
	arrive := t
	if f.extra != nil {
		arrive += f.extra(t)
	}
	start := max(arrive, f.lastDepart)
	d := start + f.serv()
	f.lastDepart = d
	f.q = append(f.q, pathPkt{seq: f.seq, sent: t, depart: d, ackAt: d + f.base, delivered: f.delivered, dlvTime: f.dlvTime, queued: start - t})
	f.seq++
	f.inflight += testMSS
	if f.ctl.PacingRate > 0 {
		f.nextSend = max(f.nextSend, t) + time.Duration(testMSS/f.ctl.PacingRate*1e9)
	}
}

// fill sends what the window and pacing allow at f.now.
func (f *pathFlow) fill() {
	for f.canSend() && f.nextSend <= f.now {
		f.send()
	}
}

// nextEvent is the time of the next ACK or paced send.
func (f *pathFlow) nextEvent() time.Duration {
	t := time.Duration(math.MaxInt64)
	if f.head < len(f.q) {
		t = f.q[f.head].ackAt
	}
	if f.canSend() && f.nextSend > f.now {
		t = min(t, f.nextSend)
	}
	return t
}

// step processes the next event.
func (f *pathFlow) step() {
	t := f.nextEvent()
	if t == time.Duration(math.MaxInt64) {
		f.tb.Fatalf("path: nothing to do at %v (cwnd %d)", f.now, f.ctl.Cwnd)
	}
	f.now = max(f.now, t)
	if f.head < len(f.q) && f.q[f.head].ackAt <= f.now {
		f.ack()
	}
	f.fill()
}

// ack processes the ACK of the head packet.
func (f *pathFlow) ack() {
	p := f.q[f.head]
	f.head++
	if f.head > 4096 && f.head*2 > len(f.q) {
		f.q = append(f.q[:0], f.q[f.head:]...)
		f.head = 0
	}
	f.acks++
	f.inflight -= testMSS
	f.delivered += testMSS
	f.dlvTime = f.now
	rtt := f.now - p.sent
	if f.srtt == 0 {
		f.srtt, f.rttvar, f.minRTT = rtt, rtt/2, rtt
	} else {
		d := f.srtt - rtt
		if d < 0 {
			d = -d
		}
		f.rttvar = (3*f.rttvar + d) / 4
		f.srtt = (7*f.srtt + rtt) / 8
		f.minRTT = min(f.minRTT, rtt)
	}
	s := transport.Sample{
		Now: f.now, BytesAcked: testMSS, PacketsAcked: 1, RTT: rtt,
		OWD:            p.depart + f.base/2 - p.sent + f.owdOffset,
		PriorDelivered: p.delivered, Delivered: f.delivered,
		SRTT: f.srtt, RTTVar: f.rttvar, MinRTT: f.minRTT,
		AppLimited: f.appLimited,
	}
	// Delivery rate over the ACKs since the packet was sent
	// (draft-cheng-iccrg-delivery-rate-estimation's ack_elapsed).
	if elapsed := f.now - p.dlvTime; p.dlvTime > 0 && elapsed >= f.minRTT {
		s.DeliveryRate = float64(f.delivered-p.delivered) / elapsed.Seconds()
	}
	var events [2]transport.CongestionEvent
	nev := 0
	if f.inRecovery && p.seq >= f.recoveryPoint {
		f.inRecovery = false
		events[nev] = transport.EventRecoveryEnd
		nev++
	}
	for ; f.loseNext > 0 && f.head < len(f.q); f.loseNext-- {
		f.head++
		f.inflight -= testMSS
		s.LostPackets++
		s.LostBytes += testMSS
		if !f.inRecovery {
			f.inRecovery = true
			f.recoveryPoint = f.seq - 1
			events[nev] = transport.EventLoss
			nev++
		}
	}
	s.BytesInFlight, s.FlightSize, s.PacketsInFlight = f.inflight, f.inflight, f.inflight/testMSS
	s.InRecovery = f.inRecovery
	for _, ev := range events[:nev] {
		before := f.ctl.Cwnd
		f.cc.OnCongestion(ev, &s, &f.ctl)
		if f.onEvent != nil {
			f.onEvent(ev, &s, before, f.ctl.Cwnd)
		}
	}
	f.cc.OnAck(&s, &f.ctl)
	f.last = s
	if f.onAck != nil {
		f.onAck(&s, &p)
	}
}

// runUntil processes every event up to time t.
func (f *pathFlow) runUntil(t time.Duration) {
	for f.nextEvent() <= t {
		f.step()
	}
	f.now = max(f.now, t)
}

// lose makes the next ACK declare the following n packets lost.
func (f *pathFlow) lose(n int) { f.loseNext = n }

// timeout fires the retransmission timer rto after the last event:
// everything in flight is lost and the controller hears EventTimeout.
func (f *pathFlow) timeout(rto time.Duration) {
	f.now += rto
	outstanding := f.inflight
	f.head = len(f.q)
	f.inflight = 0
	f.inRecovery = false
	f.lastDepart = max(f.lastDepart, f.now)
	f.nextSend = f.now
	before := f.ctl.Cwnd
	s := f.last
	s.Now, s.BytesAcked, s.PacketsAcked, s.RTT = f.now, 0, 0, 0
	// As the transport: everything outstanding is lost (out of the pipe)
	// but still unacknowledged (in FlightSize).
	s.BytesInFlight, s.FlightSize, s.PacketsInFlight, s.InRecovery = 0, outstanding, 0, false
	s.WasTimeout = true
	f.cc.OnCongestion(transport.EventTimeout, &s, &f.ctl)
	if f.onEvent != nil {
		f.onEvent(transport.EventTimeout, &s, before, f.ctl.Cwnd)
	}
	f.fill()
}

// cwndPkts is cwnd in packets.
func (f *pathFlow) cwndPkts() float64 { return float64(f.ctl.Cwnd) / testMSS }

// queuePkts is the bottleneck queue a packet found, in packets.
func (f *pathFlow) queuePkts(p *pathPkt) float64 {
	return p.queued.Seconds() * f.rate / testMSS
}

// pathStats accumulates per-ACK observations over a span of time.
type pathStats struct {
	n                      int
	sumQ, minQ, maxQ       float64 // bottleneck queue seen by acked packets, packets
	minCwnd, maxCwnd       float64
	first, last            time.Duration
	modes                  map[string]int
	delivered0, delivered1 int64
}

// watch records the ACKs from time from on into st (replacing onAck).
func (f *pathFlow) watch(from time.Duration, st *pathStats) {
	*st = pathStats{minQ: math.Inf(1), maxQ: math.Inf(-1), minCwnd: math.Inf(1), maxCwnd: math.Inf(-1), modes: map[string]int{}}
	f.onAck = func(s *transport.Sample, p *pathPkt) {
		if s.Now < from {
			return
		}
		q, w := f.queuePkts(p), f.cwndPkts()
		if st.n == 0 {
			st.first, st.delivered0 = s.Now, s.Delivered
		}
		st.n++
		st.sumQ += q
		st.minQ, st.maxQ = min(st.minQ, q), max(st.maxQ, q)
		st.minCwnd, st.maxCwnd = min(st.minCwnd, w), max(st.maxCwnd, w)
		st.last, st.delivered1 = s.Now, s.Delivered
		st.modes[f.cc.Mode()]++
	}
}

func (st *pathStats) meanQ() float64 { return st.sumQ / float64(st.n) }

// utilization is the delivery rate over the span as a fraction of rate.
func (st *pathStats) utilization(rate float64) float64 {
	return float64(st.delivered1-st.delivered0) / (st.last - st.first).Seconds() / rate
}

// recordSamples runs spec over a path for dur and returns every ACK's
// sample, for benchmarks that replay them.
func recordSamples(tb testing.TB, spec string, pktRate float64, base, dur time.Duration) []transport.Sample {
	f := newPath(tb, mustNew(tb, spec), pktRate, base)
	var out []transport.Sample
	f.onAck = func(s *transport.Sample, _ *pathPkt) { out = append(out, *s) }
	f.runUntil(dur)
	return out
}

// benchReplay measures OnAck over recorded samples, re-initialising the
// controller at each pass (the cost of Init is spread over the pass).
func benchReplay(b *testing.B, spec string, samples []transport.Sample) {
	c := mustNew(b, spec)
	ctl := transport.Control{MSS: testMSS}
	c.Init(&ctl, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		j := i % len(samples)
		if j == 0 && i > 0 {
			c.Init(&ctl, 0)
		}
		c.OnAck(&samples[j], &ctl)
	}
}
