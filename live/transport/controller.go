package transport

import "time"

// Sample is what the sender measured on one ACK: the per-ACK primitives of
// a CCP datapath (ccp-protocol.md §6) and the connection state after the
// ACK was processed. Byte counts are payload bytes.
type Sample struct {
	// Now is when the ACK arrived.
	Now time.Duration

	// BytesAcked and PacketsAcked are newly delivered by this ACK, by the
	// cumulative ACK or by SACK (CCP bytes_acked, packets_acked).
	BytesAcked, PacketsAcked int
	// BytesMisordered and PacketsMisordered are newly SACKed, i.e. arrived
	// out of order (CCP bytes_misordered, packets_misordered).
	BytesMisordered, PacketsMisordered int
	// CumBytesAcked and CumPacketsAcked are what the cumulative ACK newly
	// covered, SACKed before or not: the kernel's bytes_acked, which a
	// CCP datapath reports as Ack.bytes_acked.
	CumBytesAcked, CumPacketsAcked int
	// LostPackets and LostBytes were newly marked lost while processing
	// this ACK (CCP lost_pkts_sample).
	LostPackets, LostBytes int
	// RTT is this ACK's round-trip sample (CCP rtt_sample_us); 0 when the
	// ACK gives none.
	RTT time.Duration

	// DeliveryRate is the delivery-rate sample in bytes per second (CCP
	// rate_incoming), 0 when the ACK yields no valid sample. SendRate is the
	// send rate over the same packets (CCP rate_outgoing).
	DeliveryRate, SendRate float64
	// RateInterval is the interval the rate sample covers and
	// RateDelivered the bytes delivered in it.
	RateInterval  time.Duration
	RateDelivered int64
	// AppLimited marks a rate sample taken while the application did not
	// keep the window full: it may underestimate the path.
	AppLimited bool
	// PriorDelivered is the sender's Delivered count when the newest
	// packet this ACK delivered was sent (draft-cheng's P.delivered), -1
	// when the ACK delivered nothing. Packet-timed round trips start when
	// it reaches the Delivered count at the start of the round (BBR).
	PriorDelivered int64
	// OWD is the one-way delay of the data segment that triggered this ACK
	// as the receiver's clock at arrival minus the sender's clock at
	// sending (0 when the ACK delivered nothing). Only differences of OWD
	// samples are meaningful when the clocks are not shared (LEDBAT's
	// base-delay subtraction takes care of that).
	OWD time.Duration

	// Delivered is the total number of bytes delivered so far.
	Delivered int64
	// BytesInFlight and PacketsInFlight are what the sender believes is in
	// the network after this ACK (CCP bytes_in_flight, packets_in_flight):
	// RFC 6675's pipe, which leaves out SACKed and lost segments.
	BytesInFlight, PacketsInFlight int
	// FlightSize is RFC 5681's FlightSize: bytes sent and not yet
	// cumulatively acknowledged (SACKed and lost segments included).
	FlightSize int
	// SRTT, RTTVar and MinRTT are the sender's RTT estimates.
	SRTT, RTTVar, MinRTT time.Duration
	// InRecovery is true while a loss-recovery episode is in progress.
	InRecovery bool
	// WasTimeout is true on the first ACK after an RTO fired (CCP
	// was_timeout).
	WasTimeout bool
}

// Control holds the sender's congestion state that a controller sets.
type Control struct {
	// Cwnd is the congestion window in bytes: the sender never has more
	// than Cwnd bytes in flight (but always allows one segment).
	Cwnd int
	// Ssthresh is the slow-start threshold in bytes, for controllers that
	// use one (and for display); 0 when unused.
	Ssthresh int
	// PacingRate is in payload bytes per second (the unit of
	// DeliveryRate): consecutive segments leave len/PacingRate apart. 0
	// sends as soon as the window allows.
	PacingRate float64
	// MSS is the payload bytes of a full segment; controllers read it.
	MSS int
}

// CongestionEvent is a congestion signal the sender reports to its
// controller outside the per-ACK path.
type CongestionEvent uint8

const (
	// EventLoss starts a loss-recovery episode: the first loss detected
	// (by SACK, duplicate threshold or RACK) while not in recovery. One per
	// window of data, as RFC 6582 and RFC 9438 require.
	EventLoss CongestionEvent = iota + 1
	// EventRecoveryEnd: the cumulative ACK passed the recovery point.
	EventRecoveryEnd
	// EventTimeout: the retransmission timer fired.
	EventTimeout
)

func (e CongestionEvent) String() string {
	switch e {
	case EventLoss:
		return "loss"
	case EventRecoveryEnd:
		return "recovery-end"
	case EventTimeout:
		return "timeout"
	}
	return "unknown"
}

// Var is one named internal value of a scheme, for display.
type Var struct {
	Name  string
	Value float64
	Unit  string
}

// Controller is a congestion-control scheme: native Go schemes and the CCP
// datapath implement it. A controller belongs to one sender and is called
// from the sender's goroutine only.
//
// For every ACK the sender updates its scoreboard, RTT and rate estimates,
// runs loss detection, calls OnCongestion for any congestion event the ACK
// caused (recovery end before a new loss), and then calls OnAck.
type Controller interface {
	// Name is the scheme's name as users write it, e.g. "cubic".
	Name() string
	// Init sets the initial window (and pacing) at the flow's start.
	// c.MSS is set.
	Init(c *Control, now time.Duration)
	// OnAck is called for every ACK that delivers data or reports loss.
	OnAck(s *Sample, c *Control)
	// OnCongestion is called when a congestion event happens.
	OnCongestion(ev CongestionEvent, s *Sample, c *Control)
	// Mode is the scheme's current state for display, e.g. "slow start",
	// "congestion avoidance", "recovery".
	Mode() string
	// Vars appends the scheme's internal values to dst (e.g. cubic's
	// W_max and K) and returns it.
	Vars(dst []Var) []Var
}
