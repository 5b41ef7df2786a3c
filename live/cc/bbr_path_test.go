package cc

import (
	"math"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/transport"
)

// bbrPath is the synthetic path of BBR's unit tests: a bulk sender that
// obeys cwnd and the pacing rate (consecutive segments leave
// MSS/PacingRate apart, as the transport paces), a FIFO bottleneck that
// serves one full segment every MSS/B seconds, and a base round-trip time
// R. A segment sent at t starts service at max(t, the previous segment's
// service end) and is ACKed R after its service starts: with an empty
// queue the RTT is R, and with Q bytes queued it is R + Q/B — the fluid
// model queue = max(0, inflight − B·R) at packet granularity. Every
// segment is ACKed alone, in order.
//
// The sender side does what the transport does for a controller: SRTT and
// min RTT per RFC 6298, delivery-rate samples per
// draft-cheng-iccrg-delivery-rate-estimation (P.delivered,
// P.delivered_time, P.first_sent_time; samples shorter than min RTT are
// invalid), PriorDelivered, Delivered and in flight. Drops (a full
// bottleneck buffer, a policer, or drops the test asks for) are detected
// when the next segment's ACK arrives: that ACK reports them lost, and the
// first loss outside recovery starts a recovery episode (EventLoss, then
// the ACK). When nothing delivered is left in flight an RTO fires:
// everything outstanding is lost (EventTimeout). Retransmissions carry no
// data of their own here: the next segments sent after a loss stand for
// the retransmissions of the lost ones, and recovery (or the loss state
// after an RTO) ends at the ACK of the last of them, as the transport's
// ends when the cumulative ACK passes the recovery point — with
// EventRecoveryEnd after fast recovery and silently after an RTO, as the
// transport does. AppLimited is always false.
type bbrPath struct {
	tb  testing.TB
	cc  transport.Controller
	ctl transport.Control

	// bw is the bottleneck rate in payload bytes/s and base the base RTT,
	// both as functions of time.
	bw   func(t time.Duration) float64
	base func(t time.Duration) time.Duration
	// buffer is how many segments may wait at the bottleneck (0: no
	// limit); more are dropped.
	buffer int
	// policer, when set, drops segments above its token-bucket rate.
	policer *bbrPolicer
	// drop, when set, is asked about each segment sent.
	drop func(seq int64, t time.Duration) bool
	// Segments sent before outage are dropped (see blackout).
	outage time.Duration
	// ackBatch, when set, holds ACKs back and releases them together at
	// multiples of it (ACK aggregation, as on Wi-Fi or cellular links).
	ackBatch time.Duration

	now       time.Duration
	q         []bbrPkt // outstanding, in send order, from head
	head      int
	nextSeq   int64
	nextSend  time.Duration
	busyUntil time.Duration
	lastAckAt time.Duration
	inflight  int // bytes: outstanding segments not yet known lost

	delivered     int64
	deliveredTime time.Duration
	firstSentTime time.Duration

	srtt, rttvar, minRTT time.Duration
	rto                  time.Duration
	progress             time.Duration // last ACK, or last send into an idle pipe

	inRecovery, timeoutRecovery bool
	recoverSeq                  int64
	retransmit                  int // lost segments not yet sent again
	wasTimeout                  bool

	acks, lostSegs, sent int
	last                 transport.Sample

	// onAck runs after every OnAck, onEvent after every congestion event
	// with cwnd before and after it.
	onAck   func(s *transport.Sample)
	onEvent func(ev transport.CongestionEvent, s *transport.Sample, before, after int)
}

type bbrPkt struct {
	seq                          int64
	sent, ackAt                  time.Duration
	dropped                      bool
	delivered                    int64
	deliveredTime, firstSentTime time.Duration
}

// bbrPolicer is a token bucket: rate in payload bytes/s, depth in bytes.
type bbrPolicer struct {
	rate   float64
	depth  float64
	tokens float64
	at     time.Duration
}

func (p *bbrPolicer) admit(t time.Duration, n int) bool {
	p.tokens = min(p.depth, p.tokens+p.rate*(t-p.at).Seconds())
	p.at = t
	if p.tokens < float64(n) {
		return false
	}
	p.tokens -= float64(n)
	return true
}

// Test path constants: 1000 segments/s and 50 ms make a 50-packet BDP.
const (
	bbrTestRate = 1000 * testMSS // payload bytes/s
	bbrTestRTT  = 50 * time.Millisecond
	bbrTestBDP  = 50 // packets
)

func bbrConstRate(r float64) func(time.Duration) float64 {
	return func(time.Duration) float64 { return r }
}

func bbrConstRTT(d time.Duration) func(time.Duration) time.Duration {
	return func(time.Duration) time.Duration { return d }
}

// newBBRPath starts a flow of controller c at time 0 on a path of rate bw
// (payload bytes/s) and base RTT rtt.
func newBBRPath(tb testing.TB, c transport.Controller, bw float64, rtt time.Duration) *bbrPath {
	p := &bbrPath{tb: tb, cc: c, bw: bbrConstRate(bw), base: bbrConstRTT(rtt), rto: time.Second}
	p.ctl.MSS = testMSS
	c.Init(&p.ctl, 0)
	return p
}

// newBBR builds a bbr controller from a spec on the test path.
func newBBRTestPath(tb testing.TB, spec string) (*bbrPath, *BBR) {
	tb.Helper()
	c := mustNew(tb, spec)
	b, ok := c.(*BBR)
	if !ok {
		tb.Fatalf("New(%q) is a %T, not a *BBR", spec, c)
	}
	return newBBRPath(tb, b, bbrTestRate, bbrTestRTT), b
}

// nextLive is the index of the first outstanding segment that will be
// ACKed, or -1.
func (p *bbrPath) nextLive() int {
	for i := p.head; i < len(p.q); i++ {
		if !p.q[i].dropped {
			return i
		}
	}
	return -1
}

// canSend reports whether the window lets one more segment out.
func (p *bbrPath) canSend() bool {
	return p.inflight == 0 || p.inflight+testMSS <= p.ctl.Cwnd
}

// next is the time of the next event and what it is.
func (p *bbrPath) next() (time.Duration, int) {
	const (
		evNone = iota
		evAck
		evSend
		evRTO
	)
	t, ev := time.Duration(math.MaxInt64), evNone
	if i := p.nextLive(); i >= 0 {
		t, ev = p.q[i].ackAt, evAck
	} else if p.head < len(p.q) {
		t, ev = p.progress+p.rto, evRTO
	}
	if p.canSend() {
		if at := max(p.nextSend, p.now); at < t {
			t, ev = at, evSend
		}
	}
	return t, ev
}

// step runs the next event.
func (p *bbrPath) step() {
	t, ev := p.next()
	p.now = max(p.now, t)
	switch ev {
	case 1:
		p.ack()
	case 2:
		p.send()
	case 3:
		p.timeout()
	default:
		p.tb.Fatalf("bbrPath: nothing to do at %v", p.now)
	}
}

// run runs every event up to time end.
func (p *bbrPath) run(end time.Duration) {
	for {
		if t, _ := p.next(); t > end {
			p.now = max(p.now, end)
			return
		}
		p.step()
	}
}

// runUntil runs until cond holds (checked after every event), failing at
// time limit.
func (p *bbrPath) runUntil(limit time.Duration, what string, cond func() bool) {
	p.tb.Helper()
	for !cond() {
		if t, _ := p.next(); t > limit {
			p.tb.Fatalf("%s: not reached by %v (mode %q, cwnd %d packets)", what, limit, p.cc.Mode(), p.ctl.Cwnd/testMSS)
		}
		p.step()
	}
}

func (p *bbrPath) send() {
	if p.inflight == 0 {
		p.firstSentTime, p.deliveredTime = p.now, p.now
		if p.head == len(p.q) {
			p.progress = p.now
		}
	}
	k := bbrPkt{seq: p.nextSeq, sent: p.now, delivered: p.delivered, deliveredTime: p.deliveredTime, firstSentTime: p.firstSentTime}
	p.nextSeq += testMSS
	p.sent++
	switch {
	case p.now < p.outage, p.drop != nil && p.drop(k.seq, p.now):
		k.dropped = true
	case p.policer != nil && !p.policer.admit(p.now, testMSS):
		k.dropped = true
	default:
		start := max(p.now, p.busyUntil)
		tx := time.Duration(float64(testMSS) / p.bw(start) * 1e9)
		if p.buffer > 0 && start > p.now && int((start-p.now+tx-1)/tx) > p.buffer {
			k.dropped = true
			break
		}
		p.busyUntil = start + tx
		k.ackAt = max(start+p.base(p.now), p.lastAckAt)
		if p.ackBatch > 0 {
			k.ackAt = (k.ackAt + p.ackBatch - 1) / p.ackBatch * p.ackBatch
		}
		p.lastAckAt = k.ackAt
	}
	if p.retransmit > 0 {
		// This stands for a retransmission: recovery lasts until it is
		// ACKed.
		p.retransmit--
		p.recoverSeq = max(p.recoverSeq, k.seq)
	}
	p.q = append(p.q, k)
	p.inflight += testMSS
	if r := p.ctl.PacingRate; r > 0 {
		p.nextSend = max(p.nextSend, p.now) + time.Duration(float64(testMSS)/r*1e9)
	}
}

// ack processes the ACK of the next delivered segment.
func (p *bbrPath) ack() {
	s := transport.Sample{Now: p.now, PriorDelivered: -1}
	for p.q[p.head].dropped {
		p.head++
		p.inflight -= testMSS
		s.LostPackets++
		s.LostBytes += testMSS
	}
	k := p.q[p.head]
	p.head++
	if p.head > 4096 && 2*p.head > len(p.q) {
		p.q = append(p.q[:0], p.q[p.head:]...)
		p.head = 0
	}
	p.acks++
	p.lostSegs += s.LostPackets
	p.progress = p.now
	p.inflight -= testMSS
	p.delivered += testMSS
	p.deliveredTime = p.now
	s.BytesAcked, s.PacketsAcked = testMSS, 1

	rtt := p.now - k.sent
	s.RTT = rtt
	if p.srtt == 0 {
		p.srtt, p.rttvar, p.minRTT = rtt, rtt/2, rtt
	} else {
		d := p.srtt - rtt
		if d < 0 {
			d = -d
		}
		p.rttvar = (3*p.rttvar + d) / 4
		p.srtt = (7*p.srtt + rtt) / 8
		p.minRTT = min(p.minRTT, rtt)
	}
	p.rto = max(200*time.Millisecond, p.srtt+4*p.rttvar)

	// draft-cheng §3.3: the sample of the (only) segment this ACK delivers.
	s.PriorDelivered = k.delivered
	sendElapsed := k.sent - k.firstSentTime
	ackElapsed := p.deliveredTime - k.deliveredTime
	p.firstSentTime = k.sent
	if interval := max(sendElapsed, ackElapsed); interval > 0 && interval >= p.minRTT {
		s.RateInterval = interval
		s.RateDelivered = p.delivered - k.delivered
		s.DeliveryRate = float64(s.RateDelivered) / interval.Seconds()
		if sendElapsed > 0 {
			s.SendRate = float64(s.RateDelivered) / sendElapsed.Seconds()
		}
	}

	s.Delivered = p.delivered
	s.BytesInFlight = p.inflight
	s.PacketsInFlight = p.inflight / testMSS
	s.FlightSize = p.inflight
	s.SRTT, s.RTTVar, s.MinRTT = p.srtt, p.rttvar, p.minRTT
	s.WasTimeout = p.wasTimeout
	p.wasTimeout = false

	var events [2]transport.CongestionEvent
	n := 0
	if p.inRecovery {
		p.retransmit += s.LostPackets
	}
	if p.inRecovery && k.seq >= p.recoverSeq && p.retransmit == 0 {
		p.inRecovery = false
		if !p.timeoutRecovery {
			events[n] = transport.EventRecoveryEnd
			n++
		}
	}
	if s.LostPackets > 0 && !p.inRecovery {
		p.inRecovery, p.timeoutRecovery = true, false
		p.recoverSeq = p.nextSeq
		p.retransmit = s.LostPackets
		events[n] = transport.EventLoss
		n++
	}
	s.InRecovery = p.inRecovery
	for _, ev := range events[:n] {
		p.event(ev, &s)
	}
	p.cc.OnAck(&s, &p.ctl)
	p.last = s
	if p.onAck != nil {
		p.onAck(&s)
	}
}

func (p *bbrPath) event(ev transport.CongestionEvent, s *transport.Sample) {
	before := p.ctl.Cwnd
	p.cc.OnCongestion(ev, s, &p.ctl)
	if p.onEvent != nil {
		p.onEvent(ev, s, before, p.ctl.Cwnd)
	}
}

// timeout fires the RTO: every outstanding segment is lost.
func (p *bbrPath) timeout() {
	s := p.last
	s.Now = p.now
	s.BytesAcked, s.PacketsAcked, s.RTT = 0, 0, 0
	s.LostPackets, s.LostBytes = 0, 0
	for ; p.head < len(p.q); p.head++ {
		s.LostPackets++
		s.LostBytes += testMSS
	}
	p.lostSegs += s.LostPackets
	p.inflight = 0
	p.busyUntil = min(p.busyUntil, p.now)
	p.inRecovery, p.timeoutRecovery = true, true
	p.recoverSeq = p.nextSeq
	p.retransmit += s.LostPackets // with any still waiting to be sent again
	p.wasTimeout = true
	p.rto = min(2*p.rto, 60*time.Second)
	p.progress = p.now
	p.nextSend = p.now
	s.BytesInFlight, s.PacketsInFlight, s.FlightSize = 0, 0, 0
	s.InRecovery, s.WasTimeout = true, true
	p.event(transport.EventTimeout, &s)
}

// blackout is a link outage until the given time: every segment in
// flight and every segment sent before then is dropped.
func (p *bbrPath) blackout(until time.Duration) {
	for i := p.head; i < len(p.q); i++ {
		p.q[i].dropped = true
	}
	p.busyUntil = min(p.busyUntil, p.now)
	p.lastAckAt = p.now
	p.outage = until
}

// cwndPkts is cwnd in packets.
func (p *bbrPath) cwndPkts() float64 { return float64(p.ctl.Cwnd) / testMSS }

// inflightPkts is the segments outstanding and not known lost.
func (p *bbrPath) inflightPkts() int { return p.inflight / testMSS }
