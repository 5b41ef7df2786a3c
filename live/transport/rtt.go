package transport

import "time"

// rttEstimator keeps SRTT, RTTVAR and the RTO per RFC 6298, and the
// minimum RTT seen.
type rttEstimator struct {
	srtt, rttvar, min time.Duration
	rto               time.Duration // current RTO, before backoff
	minRTO, maxRTO    time.Duration
	has               bool
}

// clockGranularity is RFC 6298's G; virtual time has none, so the 1-ms
// floor of Linux's jiffies-free clock is used to keep 4·RTTVAR meaningful.
const clockGranularity = time.Millisecond

func newRTTEstimator(initial, minRTO, maxRTO time.Duration) rttEstimator {
	return rttEstimator{rto: initial, minRTO: minRTO, maxRTO: maxRTO}
}

// sample folds in one RTT measurement (RFC 6298 §2.2 and §2.3).
func (e *rttEstimator) sample(r time.Duration) {
	if r <= 0 {
		r = 1 // a zero RTT is possible in virtual time; keep estimates positive
	}
	if !e.has {
		e.srtt, e.rttvar, e.min, e.has = r, r/2, r, true
	} else {
		d := e.srtt - r
		if d < 0 {
			d = -d
		}
		e.rttvar = (3*e.rttvar + d) / 4 // β = 1/4
		e.srtt = (7*e.srtt + r) / 8     // α = 1/8
		e.min = min(e.min, r)
	}
	e.rto = e.srtt + max(clockGranularity, 4*e.rttvar)
	e.rto = min(max(e.rto, e.minRTO), e.maxRTO)
}
