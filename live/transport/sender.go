package transport

import (
	"fmt"
	"math"
	"time"
)

// Never is the time NextSend and NextTimer return when nothing is due.
const Never = time.Duration(math.MaxInt64)

// SenderConfig configures a sender. Zero fields take the defaults.
type SenderConfig struct {
	// MSS is the payload of a full segment (default MSS = 1448).
	MSS int
	// Size is the number of bytes to send; 0 sends for ever (bulk).
	Size int64
	// InitialRTO is the RTO before any RTT sample (RFC 6298: 1 s).
	InitialRTO time.Duration
	// MinRTO bounds the RTO from below. RFC 6298 says 1 s; the default is
	// Linux's 200 ms, which is what users compare against.
	MinRTO time.Duration
	// MaxRTO bounds the backed-off RTO (default 60 s, RFC 6298 §2.5).
	MaxRTO time.Duration
	// DupThresh is the initial number of segments SACKed above a segment
	// that make it lost (RFC 6675; default 3); it grows with the
	// reordering the sender sees.
	DupThresh int
	// NoRACK turns off RACK time-based loss detection (RFC 8985).
	NoRACK bool
}

func (c *SenderConfig) setDefaults() {
	if c.MSS == 0 {
		c.MSS = MSS
	}
	if c.InitialRTO == 0 {
		c.InitialRTO = time.Second
	}
	if c.MinRTO == 0 {
		c.MinRTO = 200 * time.Millisecond
	}
	if c.MaxRTO == 0 {
		c.MaxRTO = 60 * time.Second
	}
	if c.DupThresh == 0 {
		c.DupThresh = 3
	}
}

// SenderStats counts what a sender did.
type SenderStats struct {
	Segments, Bytes           int64 // transmissions, including retransmissions
	Retransmits, RetransBytes int64
	Lost                      int64 // segments marked lost
	SpuriousLosses            int64 // of those, arrived before their retransmission
	Timeouts                  int64 // RTO expirations
	FastRecoveries            int64 // loss-recovery episodes started by SACK/RACK
	Delivered                 int64 // payload bytes delivered (acked or SACKed)
	Acked                     int64 // payload bytes cumulatively acknowledged
	DoneAt                    time.Duration
}

type recoveryKind uint8

const (
	noRecovery recoveryKind = iota
	fastRecovery
	timeoutRecovery
)

// Sender is the sending end of a flow: it decides what to transmit and
// when, processes ACKs, detects losses, and runs its Controller. It is a
// state machine over time driven by its caller: Send when NextSend is due,
// OnAck for every ACK, OnTimer when NextTimer is due.
type Sender struct {
	cfg SenderConfig
	ctl Controller
	c   Control

	sndUna, sndNxt uint64
	sb             scoreboard

	inflight, inflightPkts int
	lostPending            int    // segments marked lost, not yet retransmitted
	lostScan               uint64 // no lost segment below this segment number
	highSacked             int64  // highest SACKed segment number, -1 if none
	dupFloor               uint64 // dup-threshold marking is done below this

	recovery      recoveryKind
	recoverSeq    uint64
	recoveryStart time.Duration

	rtt         rttEstimator
	rto         time.Duration // current RTO including backoff
	rtoDeadline time.Duration

	// RACK (RFC 8985)
	rackXmit   time.Duration
	rackEndSeq uint64
	rackRTT    time.Duration
	rackTimer  time.Duration
	// reo_wnd adaptation (RFC 8985 §6.2 step 4), driven by losses that
	// turn out spurious (the segment arrives after all) instead of DSACK.
	reoMult       int
	reoBumped     time.Duration // when reoMult last grew
	reoRecoveries int           // recoveries since then
	dupThresh     int           // adaptive duplicate threshold

	// delivery-rate estimation (draft-cheng)
	delivered     int64
	deliveredTime time.Duration
	firstSentTime time.Duration
	appLimited    int64
	rs            rateSample

	nextSendTime time.Duration
	wasTimeout   bool
	// Losses found by a timer, reported with the next ACK's sample.
	timerLost, timerLostBytes int
	// lostRetrans: a retransmission was lost since the last check.
	lostRetrans bool
	sample      Sample
	stats       SenderStats
	done        bool
}

// NewSender starts a sender at time now with controller ctl.
func NewSender(cfg SenderConfig, ctl Controller, now time.Duration) (*Sender, error) {
	cfg.setDefaults()
	if cfg.MSS <= 0 || cfg.MSS > MSS {
		return nil, fmt.Errorf("transport: MSS %d out of range 1..%d", cfg.MSS, MSS)
	}
	if cfg.Size < 0 {
		return nil, fmt.Errorf("transport: negative flow size %d", cfg.Size)
	}
	s := &Sender{
		cfg: cfg, ctl: ctl, sb: newScoreboard(),
		highSacked: -1, rackTimer: Never, rtoDeadline: Never, reoMult: 1, dupThresh: cfg.DupThresh,
		rtt:           newRTTEstimator(cfg.InitialRTO, cfg.MinRTO, cfg.MaxRTO),
		rto:           cfg.InitialRTO,
		deliveredTime: now, firstSentTime: now,
	}
	s.c.MSS = cfg.MSS
	ctl.Init(&s.c, now)
	s.sample.Now = now
	return s, nil
}

// Control is the current congestion state (cwnd, pacing rate, ...).
func (s *Sender) Control() Control { return s.c }

// Reconfigure lets the controller's owner change the congestion state at
// once rather than at the next ACK (a user setting a manual flow's window).
func (s *Sender) Reconfigure(fn func(c *Control)) {
	fn(&s.c)
	if s.c.Cwnd < 0 {
		s.c.Cwnd = 0
	}
}

// Controller is the sender's congestion controller.
func (s *Sender) Controller() Controller { return s.ctl }

// Stats returns the sender's counters.
func (s *Sender) Stats() SenderStats { return s.stats }

// LastSample is the measurement of the latest ACK.
func (s *Sender) LastSample() Sample { return s.sample }

// InFlight is the number of payload bytes in flight (RFC 6675's pipe).
func (s *Sender) InFlight() int { return s.inflight }

// RTT returns the smoothed RTT, RTT variance and minimum RTT (0 before
// the first sample).
func (s *Sender) RTT() (srtt, rttvar, minRTT time.Duration) {
	return s.rtt.srtt, s.rtt.rttvar, s.rtt.min
}

// RTO is the current retransmission timeout, including backoff.
func (s *Sender) RTO() time.Duration { return s.rto }

// InRecovery reports whether a loss-recovery episode is in progress.
func (s *Sender) InRecovery() bool { return s.recovery != noRecovery }

// Done reports whether a sized flow has been completely acknowledged.
func (s *Sender) Done() bool { return s.done }

// remaining is the number of new bytes still to send (MaxInt64 for bulk).
func (s *Sender) remaining() int64 {
	if s.cfg.Size == 0 {
		return math.MaxInt64
	}
	return s.cfg.Size - int64(s.sndNxt)
}

// nextLen is the payload of the next transmission, a retransmission first;
// 0 when there is nothing to send.
func (s *Sender) nextLen() int {
	if s.lostPending > 0 {
		if k, ok := s.firstLost(); ok {
			return int(s.sb.at(k).len)
		}
	}
	if r := s.remaining(); r > 0 {
		return int(min(r, int64(s.cfg.MSS)))
	}
	return 0
}

// firstLost finds the lowest segment marked lost.
func (s *Sender) firstLost() (uint64, bool) {
	k := max(s.lostScan, s.sb.base)
	for end := s.sb.base + uint64(s.sb.n); k < end; k++ {
		if s.sb.at(k).flags&fLost != 0 {
			s.lostScan = k
			return k, true
		}
	}
	s.lostScan = k
	return 0, false
}

// windowAllows reports whether n more bytes fit in the congestion window.
// One segment is always allowed when nothing is in flight.
func (s *Sender) windowAllows(n int) bool {
	return s.inflight == 0 || s.inflight+n <= s.c.Cwnd
}

// NextSend is the earliest time the sender can transmit: now-or-earlier
// when it can send at once, the pacing release time, or Never when the
// window is full or there is nothing to send.
func (s *Sender) NextSend() time.Duration {
	if s.done {
		return Never
	}
	n := s.nextLen()
	if n == 0 || !s.windowAllows(n) {
		return Never
	}
	return s.nextSendTime
}

// Send fills seg with the next transmission at time now and returns true,
// or returns false when nothing may be sent now.
func (s *Sender) Send(now time.Duration, seg *Segment) bool {
	if s.done || now < s.nextSendTime {
		return false
	}
	n := s.nextLen()
	if n == 0 {
		s.markAppLimited()
		return false
	}
	if !s.windowAllows(n) {
		return false
	}
	if s.inflight == 0 {
		// Nothing in flight: the next rate sample starts here.
		s.firstSentTime, s.deliveredTime = now, now
	}
	var k uint64
	retrans := false
	if s.lostPending > 0 {
		k, _ = s.firstLost()
		si := s.sb.at(k)
		si.flags = si.flags&^fLost | fRetrans
		s.lostPending--
		retrans = true
		s.stats.Retransmits++
		s.stats.RetransBytes += int64(si.len)
		if k == s.sb.base {
			// Retransmitting the first outstanding segment restarts the
			// timer, as Linux does: the retransmission must get its own
			// RTO, not the remainder of one armed before it was sent.
			s.rtoDeadline = now + s.rto
		}
	} else {
		k = s.sb.base + uint64(s.sb.n)
		si := s.sb.push()
		si.seq, si.len = s.sndNxt, int32(n)
		s.sndNxt += uint64(n)
	}
	si := s.sb.at(k)
	si.txCount++
	si.sent = now
	si.delivered, si.deliveredTime, si.firstSentTime = s.delivered, s.deliveredTime, s.firstSentTime
	si.appLimited = s.appLimited != 0
	s.sb.unlink(k)
	s.sb.link(k)
	s.inflight += int(si.len)
	s.inflightPkts++
	s.stats.Segments++
	s.stats.Bytes += int64(si.len)

	*seg = Segment{Kind: KindData, Seq: si.seq, Len: int(si.len), Sent: now, Retransmit: retrans}
	if s.rtoDeadline == Never {
		s.rtoDeadline = now + s.rto
	}
	if s.c.PacingRate > 0 {
		s.nextSendTime = max(s.nextSendTime, now) + time.Duration(float64(si.len)/s.c.PacingRate*1e9)
	}
	if s.nextLen() == 0 {
		s.markAppLimited()
	}
	return true
}

// markAppLimited records that the application has nothing more to send
// while the window has room (draft-cheng §3.4).
func (s *Sender) markAppLimited() {
	if s.inflight < s.c.Cwnd {
		s.appLimited = max(s.delivered+int64(s.inflight), 1)
	}
}

// NextTimer is when OnTimer must next run: the RTO or the RACK reordering
// timer, or Never.
func (s *Sender) NextTimer() time.Duration {
	if s.done {
		return Never
	}
	return min(s.rtoDeadline, s.rackTimer)
}

// OnTimer runs the timers due at now.
func (s *Sender) OnTimer(now time.Duration) {
	if s.done {
		return
	}
	if s.rackTimer <= now {
		s.rackTimer = Never
		s.sample.LostPackets, s.sample.LostBytes = 0, 0
		s.rackDetect(now)
		if s.sample.LostPackets > 0 {
			s.timerLost += s.sample.LostPackets
			s.timerLostBytes += s.sample.LostBytes
			s.fillState(now)
			s.maybeStartRecovery()
		}
	}
	if s.rtoDeadline <= now {
		s.onRTO(now)
	}
}

// onRTO handles an expired retransmission timer (RFC 6298 §5.4–5.6): every
// outstanding segment not SACKed is deemed lost, the timer backs off, and
// the controller hears EventTimeout.
func (s *Sender) onRTO(now time.Duration) {
	if s.sb.n == 0 {
		s.rtoDeadline = Never
		return
	}
	s.sample.LostPackets, s.sample.LostBytes = 0, 0
	for k := s.sb.base; k < s.sb.base+uint64(s.sb.n); k++ {
		s.markLost(k)
	}
	s.stats.Timeouts++
	s.recovery, s.recoverSeq = timeoutRecovery, s.sndNxt
	s.rto = min(2*s.rto, s.cfg.MaxRTO)
	s.rtoDeadline = now + s.rto
	s.rackTimer = Never
	s.wasTimeout = true
	s.nextSendTime = now
	s.fillState(now)
	s.sample.WasTimeout = true
	s.ctl.OnCongestion(EventTimeout, &s.sample, &s.c)
}

// markLost marks segment k lost unless it is SACKed or already lost.
func (s *Sender) markLost(k uint64) {
	si := s.sb.at(k)
	if si.flags&(fSacked|fLost) != 0 {
		return
	}
	if si.flags&fRetrans != 0 && s.recovery == fastRecovery && si.sent >= s.recoveryStart {
		// A retransmission sent during this episode was lost: congestion
		// persisted after the reduction.
		s.lostRetrans = true
	}
	si.flags |= fLost
	s.sb.unlink(k)
	s.inflight -= int(si.len)
	s.inflightPkts--
	s.lostPending++
	if k < s.lostScan {
		s.lostScan = k
	}
	s.sample.LostPackets++
	s.sample.LostBytes += int(si.len)
	s.stats.Lost++
}

// maybeStartRecovery starts a loss-recovery episode when a loss was
// detected outside one (one window reduction per episode, RFC 6582). A
// lost retransmission is a new congestion signal: the episode ends and a
// new one starts, so the controller reduces again (RFC 5681 §4.3 and the
// reminder in RFC 8985 §9.3).
func (s *Sender) maybeStartRecovery() {
	lostRetrans := s.lostRetrans
	s.lostRetrans = false
	if lostRetrans && s.recovery == fastRecovery {
		s.recovery = noRecovery
		s.sample.InRecovery = false
		s.ctl.OnCongestion(EventRecoveryEnd, &s.sample, &s.c)
	}
	if s.recovery != noRecovery || s.sample.LostPackets == 0 {
		return
	}
	s.recovery, s.recoverSeq, s.recoveryStart = fastRecovery, s.sndNxt, s.sample.Now
	s.stats.FastRecoveries++
	if s.reoRecoveries++; s.reoRecoveries >= 16 {
		s.reoMult, s.reoRecoveries = 1, 0 // RFC 8985: reset after 16 recoveries
	}
	s.sample.InRecovery = true
	s.ctl.OnCongestion(EventLoss, &s.sample, &s.c)
}

// fillState copies the connection state into the current sample.
func (s *Sender) fillState(now time.Duration) {
	sm := &s.sample
	sm.Now = now
	sm.Delivered = s.delivered
	sm.BytesInFlight, sm.PacketsInFlight = s.inflight, s.inflightPkts
	sm.FlightSize = int(s.sndNxt - s.sndUna)
	sm.SRTT, sm.RTTVar, sm.MinRTT = s.rtt.srtt, s.rtt.rttvar, s.rtt.min
	sm.InRecovery = s.recovery != noRecovery
}
