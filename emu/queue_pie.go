// queue_pie.go owns the PIE discipline: Proportional Integral controller
// Enhanced, draft-ietf-aqm-pie-09 (as in Linux 4.4), with mahimahi's
// src/packet/pie_packet_queue.cc as the behavioural reference:
//   - enqueue is first limited like droptail, then PIE may drop early;
//   - the drop probability is recomputed lazily: at every enqueue and
//     dequeue, once per whole t_update (30 ms) elapsed since the last update
//     (mahimahi's calculate_drop_prob), so it equals what a 30-ms timer would
//     have computed, the queue being unchanged in between;
//   - the departure rate is measured over dequeues of more than dq_threshold
//     bytes while the queue holds at least dq_threshold bytes, averaged with
//     a 1/8 EWMA;
//   - burst_allowance starts at 0 (as in mahimahi; the draft starts at
//     max_burst) and is reset to max_burst when the queue has calmed down.
//
// The control law keeps mahimahi's units: delays in milliseconds and rates
// in bytes per millisecond, but as float64 instead of integers. Time itself
// is the link's nanosecond clock.
package emu

import (
	"math/rand/v2"
	"time"
)

// PIE's internal parameters (mahimahi's, from draft-ietf-aqm-pie-09).
const (
	pieAlpha       = 0.125
	pieBeta        = 1.25
	pieTUpdate     = 30 * time.Millisecond
	pieDQThreshold = 16384                // bytes
	pieMinBytes    = 2 * OpportunityBytes // no early drop below this backlog
)

// pieVars is the state one probability update reads and writes.
type pieVars struct {
	dropProb  float64
	burst     time.Duration // burst_allowance
	qdelayOld float64       // ms
	qdelay    float64       // ms: current_qdelay, bytes / avgDQRate
	dqCount   int           // bytes dequeued in this measurement; < 0: none
	avgDQRate float64       // bytes per ms; 0 when not measured
}

// PIEQueue is a PIE queue. Build it with NewQueue.
type PIEQueue struct {
	queueBase
	lim        queueLimits
	rng        *rand.Rand
	refMs      float64       // qdelay_ref in ms
	maxBurst   time.Duration // max_burst
	v          pieVars
	dqTstamp   time.Duration // start of the rate measurement
	lastUpdate time.Duration // time of the last probability update
}

// PIEState is a snapshot of PIE's controller.
type PIEState struct {
	// DropProb is the early-drop probability in [0, 1].
	DropProb float64
	// QueueDelay is the current queue delay estimate (queued bytes over
	// the measured departure rate) and OldQueueDelay the one before it,
	// as of the last update.
	QueueDelay, OldQueueDelay time.Duration
	// BurstAllowance is the time left during which PIE does not drop early.
	BurstAllowance time.Duration
	// DepartureRate is the measured departure rate in bytes per
	// millisecond (0 when not measured).
	DepartureRate float64
	// LastUpdate is the time of the last 30-ms probability update (they
	// happen on a grid anchored at experiment time 0).
	LastUpdate time.Duration
}

func newPIEQueue(s QueueSpec, rng *rand.Rand) *PIEQueue {
	return &PIEQueue{
		queueBase: queueBase{spec: s},
		lim:       queueLimits{packets: s.Packets, bytes: s.Bytes},
		rng:       rng,
		refMs:     durationMs(s.QdelayRef),
		maxBurst:  s.MaxBurst,
		v:         pieVars{dqCount: -1},
	}
}

func durationMs(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func msDuration(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

// DropProb is the current early-drop probability.
func (q *PIEQueue) DropProb() float64 { return q.v.dropProb }

// QueueDelay is the current queue delay estimate.
func (q *PIEQueue) QueueDelay() time.Duration { return msDuration(q.v.qdelay) }

// State is a snapshot of the controller.
func (q *PIEQueue) State() PIEState {
	return PIEState{
		DropProb:       q.v.dropProb,
		QueueDelay:     msDuration(q.v.qdelay),
		OldQueueDelay:  msDuration(q.v.qdelayOld),
		BurstAllowance: q.v.burst,
		DepartureRate:  q.v.avgDQRate,
		LastUpdate:     q.lastUpdate,
	}
}

// Enqueue brings the probability up to date, then drops p if the queue is
// full or PIE decides to drop it early, and appends it otherwise.
func (q *PIEQueue) Enqueue(now time.Duration, p *Packet, dropped []Packet) []Packet {
	q.update(now)
	if !q.lim.ok(q.q.n+1, q.q.bytes+p.Size) || q.dropEarly() {
		return append(dropped, *p)
	}
	q.q.push(p)
	return dropped
}

// dropEarly is the draft's drop_early: true if the arrival is to be
// dropped. The random draw is made only when the probability applies.
func (q *PIEQueue) dropEarly() bool {
	if q.v.burst > 0 {
		return false
	}
	if q.v.qdelayOld < q.refMs/2 && q.v.dropProb < 0.2 {
		return false
	}
	if q.q.bytes < pieMinBytes {
		return false
	}
	return q.rng.Float64() < q.v.dropProb
}

// Dequeue removes the oldest packet, feeds the departure-rate estimator and
// brings the probability up to date.
func (q *PIEQueue) Dequeue(now time.Duration, into *Packet, dropped []Packet) (bool, []Packet) {
	if q.q.n == 0 {
		return false, dropped
	}
	q.q.popInto(into)
	p := into
	v := &q.v
	if q.q.bytes >= pieDQThreshold && v.dqCount < 0 {
		q.dqTstamp = now
		v.dqCount = 0
	}
	if v.dqCount >= 0 {
		v.dqCount += p.Size
		if v.dqCount > pieDQThreshold {
			if dtime := now - q.dqTstamp; dtime > 0 {
				sample := float64(v.dqCount) / durationMs(dtime)
				if v.avgDQRate == 0 {
					v.avgDQRate = sample
				} else {
					v.avgDQRate = v.avgDQRate - v.avgDQRate/8 + sample/8
				}
				if q.q.bytes < pieDQThreshold {
					v.dqCount = -1
				} else {
					v.dqCount = 0
					q.dqTstamp = now
				}
				v.burst = max(0, v.burst-dtime)
			}
		}
	}
	q.update(now)
	return true, dropped
}

// update runs the probability update once per whole t_update elapsed since
// the last one (mahimahi's calculate_drop_prob). When an update leaves the
// state unchanged, so would every further one (the queue does not change
// in between), and the remaining periods are skipped at once.
func (q *PIEQueue) update(now time.Duration) {
	for now-q.lastUpdate > pieTUpdate {
		before := q.v
		q.step()
		q.lastUpdate += pieTUpdate
		if q.v == before {
			if r := now - q.lastUpdate; r > 0 {
				q.lastUpdate += (r - 1) / pieTUpdate * pieTUpdate
			}
			return
		}
	}
}

// step is one probability update (draft-ietf-aqm-pie-09 calculate_drop_prob
// as mahimahi writes it).
func (q *PIEQueue) step() {
	v := &q.v
	bytes := q.q.bytes
	updateProb := true
	v.qdelayOld = v.qdelay
	if v.avgDQRate > 0 {
		v.qdelay = float64(bytes) / v.avgDQRate
	} else {
		v.qdelay = 0
	}
	if v.qdelay == 0 && bytes != 0 {
		updateProb = false
	}

	p := pieAlpha*(v.qdelay-q.refMs) + pieBeta*(v.qdelay-v.qdelayOld)
	switch {
	case v.dropProb < 0.01:
		p /= 128
	case v.dropProb < 0.1:
		p /= 32
	default:
		p /= 16
	}
	v.dropProb += p
	if v.dropProb < 0 {
		v.dropProb = 0
	} else if v.dropProb > 1 {
		v.dropProb = 1
		updateProb = false
	}
	if v.qdelay == 0 && v.qdelayOld == 0 && updateProb {
		v.dropProb *= 0.98
	}

	v.burst = max(0, v.burst-pieTUpdate)

	if v.dropProb == 0 && v.qdelay < q.refMs/2 && v.qdelayOld < q.refMs/2 && v.avgDQRate > 0 {
		v.dqCount = -1
		v.avgDQRate = 0
		v.burst = q.maxBurst
	}
}
