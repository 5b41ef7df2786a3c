package transport

import "time"

// rateSample accumulates one ACK's delivery-rate sample
// (draft-cheng-iccrg-delivery-rate-estimation §3.3).
type rateSample struct {
	has            bool
	priorDelivered int64
	priorTime      time.Duration
	sendElapsed    time.Duration
	ackElapsed     time.Duration
	appLimited     bool
	lastSent       time.Duration // send time of the newest packet in the sample
	lastSeq        uint64
}

// OnAck processes an ACK arriving at now.
func (s *Sender) OnAck(now time.Duration, a *Segment) {
	if s.done || a.Kind != KindAck || a.Ack > s.sndNxt {
		return // not for us, or acknowledging data never sent
	}
	sm := &s.sample
	*sm = Sample{Now: now, WasTimeout: s.wasTimeout, PriorDelivered: -1,
		LostPackets: s.timerLost, LostBytes: s.timerLostBytes}
	s.timerLost, s.timerLostBytes = 0, 0
	s.rs = rateSample{}
	newlyDelivered := false

	// Cumulative acknowledgement.
	advanced := a.Ack > s.sndUna
	for s.sb.n > 0 && s.sb.at(s.sb.base).seq+uint64(s.sb.at(s.sb.base).len) <= a.Ack {
		k := s.sb.base
		si := s.sb.at(k)
		if si.flags&fSacked == 0 {
			s.deliver(now, k, a)
			newlyDelivered = true
		}
		if si.flags&fLost != 0 {
			s.lostPending--
			s.spurious(now, k)
		}
		s.sb.unlink(k)
		s.stats.Acked += int64(si.len)
		sm.CumBytesAcked += int(si.len)
		sm.CumPacketsAcked++
		s.sb.popFront()
	}
	if advanced {
		s.sndUna = a.Ack
	}

	// Selective acknowledgements.
	newSack := false
	for i := 0; i < a.NSACK && i < MaxSACK; i++ {
		b := a.SACK[i]
		if b.End <= s.sndUna || b.Start >= s.sndNxt || b.End <= b.Start {
			continue
		}
		k := max(b.Start, s.sndUna) / uint64(s.cfg.MSS)
		for ; s.sb.contains(k); k++ {
			si := s.sb.at(k)
			if si.seq < b.Start {
				continue
			}
			if si.seq+uint64(si.len) > b.End {
				break
			}
			if si.flags&fSacked != 0 {
				continue
			}
			if si.flags&fLost != 0 {
				si.flags &^= fLost
				s.lostPending--
				s.spurious(now, k)
			} else {
				s.inflight -= int(si.len)
				s.inflightPkts--
			}
			si.flags |= fSacked
			s.sb.unlink(k)
			s.deliver(now, k, a)
			sm.BytesMisordered += int(si.len)
			sm.PacketsMisordered++
			newSack, newlyDelivered = true, true
			if int64(k) > s.highSacked {
				s.highSacked = int64(k)
			}
		}
	}

	// RTT from the echoed timestamp: exact for the transmission that
	// triggered this ACK, retransmissions included (RFC 7323 §4). Only
	// ACKs that deliver new data give samples.
	if newlyDelivered && now >= a.Echo {
		sm.RTT = max(now-a.Echo, 1)
		s.rtt.sample(sm.RTT)
		sm.OWD = a.Sent - a.Echo
	}

	// Loss detection: RACK's time-based rule and, as in Linux, the
	// duplicate threshold, which adapts to the reordering seen.
	if !s.cfg.NoRACK {
		s.rackDetect(now)
	}
	if newSack {
		s.dupThreshDetect()
	}

	// The retransmission timer restarts when new data is acknowledged and
	// stops when nothing is outstanding (RFC 6298 §5.2–5.3).
	if advanced {
		s.rto = s.rtt.rto
		s.wasTimeout = false
		if s.sb.n > 0 {
			s.rtoDeadline = now + s.rto
		} else {
			s.rtoDeadline = Never
		}
	}

	s.finishRateSample()
	s.fillState(now)
	sm.WasTimeout = s.wasTimeout && advanced
	if advanced {
		s.wasTimeout = false
	}

	if s.recovery != noRecovery && s.sndUna >= s.recoverSeq {
		kind := s.recovery
		s.recovery = noRecovery
		sm.InRecovery = false
		if kind == fastRecovery {
			s.ctl.OnCongestion(EventRecoveryEnd, sm, &s.c)
		}
	}
	s.maybeStartRecovery()
	if newlyDelivered || sm.LostPackets > 0 {
		s.ctl.OnAck(sm, &s.c)
	}
	if s.c.Cwnd < 0 {
		s.c.Cwnd = 0
	}
	if s.cfg.Size > 0 && int64(s.sndUna) >= s.cfg.Size {
		s.done = true
		s.stats.DoneAt = now
		s.rtoDeadline, s.rackTimer = Never, Never
	}
}

// deliver accounts segment k as delivered by the ACK a (cumulatively or by
// SACK): delivery-rate bookkeeping (draft-cheng §3.3 UpdateRateSample) and
// RACK's most recently delivered transmission (RFC 8985 §6.2 step 2).
func (s *Sender) deliver(now time.Duration, k uint64, a *Segment) {
	si := s.sb.at(k)
	s.delivered += int64(si.len)
	s.deliveredTime = now
	s.stats.Delivered += int64(si.len)
	s.sample.BytesAcked += int(si.len)
	s.sample.PacketsAcked++
	if si.flags&(fSacked|fLost) == 0 {
		// Cumulatively acked while still counted in flight.
		s.inflight -= int(si.len)
		s.inflightPkts--
	}

	rs := &s.rs
	if !rs.has || si.sent > rs.lastSent || si.sent == rs.lastSent && si.seq > rs.lastSeq {
		rs.has = true
		rs.priorDelivered = si.delivered
		rs.priorTime = si.deliveredTime
		rs.appLimited = si.appLimited
		rs.sendElapsed = si.sent - si.firstSentTime
		rs.ackElapsed = s.deliveredTime - si.deliveredTime
		rs.lastSent, rs.lastSeq = si.sent, si.seq
		s.firstSentTime = si.sent
	}

	// RACK: skip samples that may come from an earlier transmission of a
	// retransmitted segment (the ACK echoes an older send time).
	if si.flags&fRetrans != 0 && a.Echo < si.sent {
		return
	}
	if si.sent > s.rackXmit || si.sent == s.rackXmit && si.seq+uint64(si.len) > s.rackEndSeq {
		s.rackXmit = si.sent
		s.rackEndSeq = si.seq + uint64(si.len)
		s.rackRTT = now - si.sent
	}
}

// finishRateSample turns the ACK's bookkeeping into a delivery-rate sample
// (draft-cheng §3.3 GenerateRateSample).
func (s *Sender) finishRateSample() {
	if s.appLimited != 0 && s.delivered > s.appLimited {
		s.appLimited = 0
	}
	rs := &s.rs
	if !rs.has {
		return
	}
	s.sample.PriorDelivered = rs.priorDelivered
	interval := max(rs.sendElapsed, rs.ackElapsed)
	delivered := s.delivered - rs.priorDelivered
	if interval <= 0 || interval < s.rtt.min || delivered <= 0 {
		return
	}
	sm := &s.sample
	sm.RateInterval = interval
	sm.RateDelivered = delivered
	sm.DeliveryRate = float64(delivered) / interval.Seconds()
	if rs.sendElapsed > 0 {
		sm.SendRate = float64(delivered) / rs.sendElapsed.Seconds()
	}
	sm.AppLimited = rs.appLimited
}

// reorderWindow is RACK's reo_wnd: reo_wnd_mult quarters of the minimum
// RTT, at most SRTT (RFC 8985 §6.2 step 4).
func (s *Sender) reorderWindow() time.Duration {
	return min(time.Duration(s.reoMult)*s.rtt.min/4, s.rtt.srtt)
}

// maxDupThresh bounds the adaptive duplicate threshold (Linux's
// sysctl_tcp_max_reordering).
const maxDupThresh = 300

// spurious notes that segment k, marked lost, arrived before its
// retransmission: reordering fooled the loss detection. Like a DSACK in
// RFC 8985 §6.2 step 4 it widens RACK's reordering window by a quarter
// min RTT, at most once per round trip, and like Linux's tp->reordering it
// raises the duplicate threshold to the reordering distance seen.
func (s *Sender) spurious(now time.Duration, k uint64) {
	s.stats.SpuriousLosses++
	if d := s.highSacked - int64(k) + 1; d > int64(s.dupThresh) {
		s.dupThresh = int(min(d, maxDupThresh))
	}
	if now-s.reoBumped >= s.rtt.srtt {
		s.reoMult++
		s.reoBumped = now
		s.reoRecoveries = 0
	}
}

// rackDetect marks lost every segment in flight that was sent before the
// most recently delivered one and has waited longer than RACK.rtt +
// reo_wnd, and arms the reordering timer for the first one that has not
// (RFC 8985 §6.2 step 5 and §6.3). The send-time list makes this a walk
// over the expired segments only.
func (s *Sender) rackDetect(now time.Duration) {
	if s.rackEndSeq == 0 {
		return // nothing delivered yet
	}
	reo := s.reorderWindow()
	for s.sb.head >= 0 {
		k := uint64(s.sb.head)
		si := s.sb.at(k)
		if !(si.sent < s.rackXmit || si.sent == s.rackXmit && si.seq+uint64(si.len) < s.rackEndSeq) {
			break // sent after the newest delivered segment: no verdict yet
		}
		deadline := si.sent + s.rackRTT + reo
		if now < deadline {
			s.rackTimer = min(s.rackTimer, deadline)
			return
		}
		s.markLost(k)
	}
}

// dupThreshDetect applies RFC 6675's IsLost: a segment with DupThresh
// SACKed segments above it is lost. It finds the DupThresh-th highest
// SACKed segment and marks the never-retransmitted segments below it that
// are still in flight; segments below dupFloor were handled before.
func (s *Sender) dupThreshDetect() {
	if s.highSacked < 0 {
		return
	}
	count := 0
	k := uint64(s.highSacked)
	limit := max(s.dupFloor, s.sb.base)
	for ; k >= limit && s.sb.contains(k); k-- {
		if s.sb.at(k).flags&fSacked != 0 {
			count++
			if count == s.dupThresh {
				break
			}
		}
		if k == 0 {
			break
		}
	}
	if count < s.dupThresh {
		return
	}
	for j := limit; j < k; j++ {
		if si := s.sb.at(j); si.flags&(fSacked|fLost|fRetrans) == 0 {
			s.markLost(j)
		}
	}
	s.dupFloor = k
}
