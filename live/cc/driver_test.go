package cc

import (
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// testMSS is the transport's full-segment payload.
const testMSS = 1448

// flow is a model of one bulk-transfer sender driving a controller over a
// path with no queue: a segment sent at time s is acknowledged at
// s + rtt(s) (never before an earlier segment, so ACKs stay in order), one
// ACK per segment. After each ACK the sender fills the window with
// full segments, as a real sender does, so every round of the ACK clock
// delivers the window that was in flight when it began. Losses and
// timeouts are injected by the test; the model reports them like the
// transport: EventLoss once per episode with the recovery point at the
// highest sequence sent, EventRecoveryEnd when the cumulative ACK passes
// it, EventTimeout with the latest sample. Lost segments are not
// retransmitted: to the controller a retransmission is just one more
// segment in flight, which the model sends as new data.
type flow struct {
	tb  testing.TB
	cc  transport.Controller
	ctl transport.Control
	// rtt gives the round-trip time of a segment sent at the given time.
	rtt func(sent time.Duration) time.Duration

	now       time.Duration
	q         []segment // in flight, in ACK order, from head
	head      int
	nextSeq   int64
	lastAckAt time.Duration
	delivered int64
	inflight  int

	srtt, rttvar, minRTT time.Duration

	inRecovery    bool
	recoveryPoint int64
	loseNext      int // segments to declare lost at the next ACK

	// Rounds by sequence number, as RFC 9406 §4.2 defines them: a round
	// starts at an ACK past roundEnd and ends when everything sent before
	// that ACK is acknowledged.
	roundEnd   int64
	roundNo    int
	ackInRound int
	appLimited bool
	last       transport.Sample

	// onEvent runs after each congestion event with cwnd before and after;
	// onAck runs after each OnAck.
	onEvent func(ev transport.CongestionEvent, s *transport.Sample, before, after int)
	onAck   func(s *transport.Sample)
}

type segment struct {
	seq         int64
	sent, ackAt time.Duration
}

// constRTT is a path with a fixed round-trip time.
func constRTT(d time.Duration) func(time.Duration) time.Duration {
	return func(time.Duration) time.Duration { return d }
}

// newFlow starts a flow at time 0. The initial window goes out spread over
// half an RTT, so that ACKs of a round arrive spread out as they would
// behind a bottleneck, and rounds do not overlap.
func newFlow(tb testing.TB, cc transport.Controller, rtt func(time.Duration) time.Duration) *flow {
	tb.Helper()
	f := &flow{tb: tb, cc: cc, rtt: rtt}
	f.ctl.MSS = testMSS
	cc.Init(&f.ctl, 0)
	n := max(f.ctl.Cwnd/testMSS, 1)
	gap := rtt(0) / 2 / time.Duration(n)
	for i := range n {
		f.sendAt(time.Duration(i) * gap)
	}
	return f
}

func (f *flow) sendAt(t time.Duration) {
	at := max(t+f.rtt(t), f.lastAckAt)
	f.lastAckAt = at
	f.q = append(f.q, segment{seq: f.nextSeq, sent: t, ackAt: at})
	f.nextSeq += testMSS
	f.inflight += testMSS
}

// fill sends full segments while the window allows (and one segment when
// nothing is in flight).
func (f *flow) fill() {
	for f.inflight+testMSS <= f.ctl.Cwnd || f.inflight == 0 {
		f.sendAt(f.now)
	}
}

// step processes the next ACK.
func (f *flow) step() {
	if f.head == len(f.q) {
		f.tb.Fatalf("flow: nothing in flight")
	}
	p := f.q[f.head]
	f.head++
	if p.seq >= f.roundEnd {
		f.roundNo++
		f.roundEnd = f.nextSeq
		f.ackInRound = 0
	}
	f.ackInRound++
	if f.head > 4096 && f.head*2 > len(f.q) {
		f.q = append(f.q[:0], f.q[f.head:]...)
		f.head = 0
	}
	f.now = p.ackAt
	f.inflight -= testMSS
	f.delivered += testMSS
	rtt := p.ackAt - p.sent
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
		Now:          f.now,
		BytesAcked:   testMSS,
		PacketsAcked: 1,
		RTT:          rtt,
		Delivered:    f.delivered,
		SRTT:         f.srtt,
		RTTVar:       f.rttvar,
		MinRTT:       f.minRTT,
		AppLimited:   f.appLimited,
	}
	var events []transport.CongestionEvent
	if f.inRecovery && p.seq >= f.recoveryPoint {
		f.inRecovery = false
		events = append(events, transport.EventRecoveryEnd)
	}
	for ; f.loseNext > 0 && f.head < len(f.q); f.loseNext-- {
		// The next segment is declared lost by this ACK.
		f.head++
		f.inflight -= testMSS
		s.LostPackets++
		s.LostBytes += testMSS
		if !f.inRecovery {
			f.inRecovery = true
			f.recoveryPoint = f.nextSeq - testMSS
			events = append(events, transport.EventLoss)
		}
	}
	s.BytesInFlight = f.inflight
	s.FlightSize = f.inflight
	s.PacketsInFlight = f.inflight / testMSS
	s.InRecovery = f.inRecovery
	for _, ev := range events {
		before := f.ctl.Cwnd
		f.cc.OnCongestion(ev, &s, &f.ctl)
		if f.onEvent != nil {
			f.onEvent(ev, &s, before, f.ctl.Cwnd)
		}
	}
	f.cc.OnAck(&s, &f.ctl)
	f.last = s
	if f.onAck != nil {
		f.onAck(&s)
	}
	f.fill()
}

// round processes the ACKs of everything in flight now.
func (f *flow) round() {
	end := f.nextSeq
	for f.head < len(f.q) && f.q[f.head].seq < end {
		f.step()
	}
}

// finishRound processes the rest of the current round.
func (f *flow) finishRound() {
	for f.head < len(f.q) && f.q[f.head].seq < f.roundEnd {
		f.step()
	}
}

// rounds runs n rounds.
func (f *flow) rounds(n int) {
	for range n {
		f.round()
	}
}

// runUntil processes the ACKs that arrive up to time t.
func (f *flow) runUntil(t time.Duration) {
	for f.head < len(f.q) && f.q[f.head].ackAt <= t {
		f.step()
	}
}

// stepUntil processes ACKs until cond holds, failing after limit ACKs.
func (f *flow) stepUntil(limit int, cond func() bool) {
	f.tb.Helper()
	for range limit {
		if cond() {
			return
		}
		f.step()
	}
	if !cond() {
		f.tb.Fatalf("condition not reached after %d ACKs (cwnd %d, mode %q)", limit, f.ctl.Cwnd, f.cc.Mode())
	}
}

// lose makes the next ACK declare the following n segments lost.
func (f *flow) lose(n int) { f.loseNext = n }

// timeout fires the retransmission timer after rto: everything in flight is
// lost, the controller is told with the latest sample, and the sender
// sends what the new window allows.
func (f *flow) timeout(rto time.Duration) {
	f.now += rto
	f.head = len(f.q)
	f.inflight = 0
	f.inRecovery = false
	f.lastAckAt = f.now
	before := f.ctl.Cwnd
	f.cc.OnCongestion(transport.EventTimeout, &f.last, &f.ctl)
	if f.onEvent != nil {
		f.onEvent(transport.EventTimeout, &f.last, before, f.ctl.Cwnd)
	}
	f.fill()
}

// cwndSeg is cwnd in segments.
func (f *flow) cwndSeg() float64 { return float64(f.ctl.Cwnd) / testMSS }

// varOf is the named Var of c.
func varOf(tb testing.TB, c transport.Controller, name string) float64 {
	tb.Helper()
	for _, v := range c.Vars(nil) {
		if v.Name == name {
			return v.Value
		}
	}
	tb.Fatalf("%s has no var %q", c.Name(), name)
	return 0
}

// mustNew builds a controller from a spec.
func mustNew(tb testing.TB, spec string) transport.Controller {
	tb.Helper()
	c, err := New(spec)
	if err != nil {
		tb.Fatalf("New(%q): %v", spec, err)
	}
	return c
}
