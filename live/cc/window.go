package cc

// InfiniteSsthresh is the initial slow-start threshold in bytes, RFC 5681's
// "arbitrarily high" value. It is far beyond any window a run can reach and
// small enough that sums and small multiples of it stay inside an int64.
const InfiniteSsthresh = 1 << 40

// defaultMSS stands in for Control.MSS if a sender leaves it unset.
const defaultMSS = 1448

// Appropriate Byte Counting limits (RFC 3465 §2.2): in slow start cwnd grows
// by at most L·MSS per ACK. RFC 3465 allows L = 2; RFC 9406 §4.3 recommends
// L = 8 for HyStart++ without pacing (infinity when paced).
const (
	abcLimit     = 2
	hystartLimit = 8
)

// initMSS reads the segment size from c at Init.
func initMSS(c int) int {
	if c > 0 {
		return c
	}
	return defaultMSS
}

// slowStartIncrease is the slow-start increase in bytes for an ACK of
// acked bytes: min(acked, limit·MSS) (RFC 3465 §2.2, RFC 5681 §3.1).
func slowStartIncrease(acked, limit, mss int) int {
	return min(acked, limit*mss)
}

// Mode names shared by the schemes.
const (
	modeSlowStart             = "slow start"
	modeConservativeSlowStart = "conservative slow start"
	modeCongestionAvoidance   = "congestion avoidance"
	modeRecovery              = "recovery"
)

// Units of Vars.
const (
	unitBytes         = "bytes"
	unitPackets       = "packets"
	unitSeconds       = "s"
	unitMs            = "ms"
	unitBitsPerSecond = "bit/s"
)
