package emu

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Config is the full description of one direction of an emulated link.
type Config struct {
	// Capacity is the delivery schedule: a trace or a constant rate.
	Capacity Capacity
	// Once stops a trace after one pass instead of looping (mm-link --once).
	Once bool
	// Queue is the bottleneck queue discipline (default infinite, as in
	// mahimahi).
	Queue QueueSpec
	// Delay is the one-way propagation delay added after the bottleneck.
	Delay time.Duration
	// Jitter adds a uniform random delay in [-Jitter, +Jitter] to each
	// packet. Packets are not reordered unless Reorder is set.
	Jitter  time.Duration
	Reorder bool
	// Loss drops arriving packets at random.
	Loss LossSpec
	// OnOff switches the link off (dropping arrivals) from time to time.
	OnOff OnOffSpec
	// Seed seeds every random process of the link (loss, jitter, on/off,
	// PIE), each from its own stream, so a run repeats exactly.
	Seed uint64
}

// Validate checks a configuration.
func (c Config) Validate() error {
	if err := c.Capacity.validate(); err != nil {
		return err
	}
	if c.Delay < 0 || c.Jitter < 0 {
		return fmt.Errorf("delay and jitter must not be negative (delay %v, jitter %v)", c.Delay, c.Jitter)
	}
	if err := c.Loss.validate(); err != nil {
		return err
	}
	return c.OnOff.validate()
}

// Random streams of a link, one per process.
const (
	streamLoss = iota + 1
	streamJitter
	streamOnOff
	streamQueue
)

// Stats counts what a link has done since it was created.
type Stats struct {
	Opportunities              int64 // delivery opportunities burned, used or not
	Arrivals, ArrivalBytes     int64
	Departures, DepartureBytes int64 // left the bottleneck
	Exits, ExitBytes           int64 // left the delay stage (returned by Advance)
	Drops, DropBytes           int64
	DropsByReason              [DropTooBig + 1]int64
}

// Link is one direction of an emulated link: arrivals pass random loss and
// the on/off gate, wait in the queue, are carried by the delivery
// opportunities of the capacity schedule, and then cross the propagation
// delay. It is a deterministic state machine over experiment time; callers
// must never pass a time earlier than one already passed (earlier times are
// treated as the latest one).
type Link struct {
	cfg Config
	tap Tap

	opp         opportunities
	q           Queue
	transit     Packet
	transitLeft int
	arriving    Packet // the arrival being reported to the tap
	dl          delayLine
	loss        lossProcess
	onoff       onOffProcess
	queueRNG    *rand.Rand

	pending []Change
	now     time.Duration
	scratch []Packet
	stats   Stats
}

// NewLink builds a link that starts at experiment time 0. tap may be nil.
func NewLink(cfg Config, tap Tap) (*Link, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	l := &Link{cfg: cfg, tap: tap}
	l.queueRNG = rand.New(rand.NewPCG(cfg.Seed, streamQueue))
	q, err := NewQueue(cfg.Queue, l.queueRNG)
	if err != nil {
		return nil, err
	}
	l.q = q
	l.opp = newOpportunities(cfg.Capacity, 0, cfg.Once)
	l.dl = delayLine{delay: cfg.Delay, jitter: cfg.Jitter, reorder: cfg.Reorder,
		rng: rand.New(rand.NewPCG(cfg.Seed, streamJitter))}
	l.loss = lossProcess{spec: cfg.Loss, rng: rand.New(rand.NewPCG(cfg.Seed, streamLoss))}
	l.onoff = newOnOff(cfg.OnOff, 0, rand.New(rand.NewPCG(cfg.Seed, streamOnOff)))
	return l, nil
}

// SetTap replaces the link's tap (nil for none).
func (l *Link) SetTap(t Tap) { l.tap = t }

// Config is the link's current configuration, including every change
// applied so far.
func (l *Link) Config() Config { return l.cfg }

// Stats returns the link's counters.
func (l *Link) Stats() Stats { return l.stats }

// QueueLen and QueueBytes describe the waiting packets (not counting the
// one being transmitted).
func (l *Link) QueueLen() int   { return l.q.Len() }
func (l *Link) QueueBytes() int { return l.q.Bytes() }

// Queue is the current queue discipline (for reading its state).
func (l *Link) Queue() Queue { return l.q }

// InDelay is the number of packets that left the bottleneck and are
// crossing the propagation delay.
func (l *Link) InDelay() int { return l.dl.len() }

// Finished reports whether a --once trace has used its last opportunity.
func (l *Link) Finished() bool { return l.opp.finished() }

// NextOpportunity is the time of the next delivery opportunity, or Never.
func (l *Link) NextOpportunity() time.Duration { return l.opp.next }

// Enqueue offers a packet to the link at time now. Its Arrival, Departure
// and Exit fields are set by the link.
func (l *Link) Enqueue(now time.Duration, p Packet) {
	now = l.catchUp(now)
	// Work on a copy inside the link: pointers to it go to the tap and the
	// queue without p escaping to the heap on every arrival.
	a := &l.arriving
	*a = p
	a.Arrival, a.Departure, a.Exit = now, 0, 0
	l.stats.Arrivals++
	l.stats.ArrivalBytes += int64(a.Size)
	if l.tap != nil {
		l.tap.Arrival(now, a)
	}
	switch {
	case a.Size > OpportunityBytes || a.Size <= 0:
		l.drop(now, DropTooBig, append(l.scratch[:0], *a))
	case !l.onoff.isOn(now):
		l.drop(now, DropOff, append(l.scratch[:0], *a))
	case l.loss.spec.Kind != LossNone && l.loss.drop():
		l.drop(now, DropLoss, append(l.scratch[:0], *a))
	default:
		if d := l.q.Enqueue(now, a, l.scratch[:0]); len(d) > 0 {
			l.drop(now, DropQueue, d)
		}
	}
	a.Payload = nil // do not pin the payload
}

// NextEvent is the earliest time at which Advance has something to do: a
// packet leaving the delay stage, an opportunity that will carry queued
// bytes, or a scheduled change. It is Never when the link is idle. Unused
// opportunities are not events; they are accounted (and reported to the tap)
// lazily by the next call.
func (l *Link) NextEvent() time.Duration {
	n := l.dl.next()
	if (l.transitLeft > 0 || l.q.Len() > 0) && l.opp.next < n {
		n = l.opp.next
	}
	if len(l.pending) > 0 && l.pending[0].At < n {
		n = l.pending[0].At
	}
	return n
}

// NextExit is a lower bound on the time the next packet can exit the link,
// or the time of a scheduled change: the earliest exit in the delay stage,
// or the next opportunity plus the least delay when bytes are queued. A
// real-time driver wakes only then — Advance accounts the opportunities in
// between exactly, whenever it is called — instead of at every busy
// opportunity (every 12 µs at 1 Gbit/s). It is Never when the link is idle.
func (l *Link) NextExit() time.Duration {
	n := l.dl.next()
	if l.transitLeft > 0 || l.q.Len() > 0 {
		if e := l.opp.next + max(0, l.dl.delay-l.dl.jitter); e < n && l.opp.next != Never {
			n = e
		}
	}
	if len(l.pending) > 0 && l.pending[0].At < n {
		n = l.pending[0].At
	}
	return n
}

// Advance runs the link up to and including now and appends every packet
// that exits the link by then to out, in exit order, returning the slice.
func (l *Link) Advance(now time.Duration, out []Packet) []Packet {
	now = l.catchUp(now)
	n := len(out)
	out = l.dl.popDue(now, out)
	for i := n; i < len(out); i++ {
		l.stats.Exits++
		l.stats.ExitBytes += int64(out[i].Size)
	}
	return out
}

// catchUp applies scheduled changes and burns the opportunities due by now.
func (l *Link) catchUp(now time.Duration) time.Duration {
	if now < l.now {
		now = l.now
	}
	l.now = now
	for len(l.pending) > 0 && l.pending[0].At <= now {
		c := l.pending[0]
		l.pending = l.pending[1:]
		l.rationalize(c.At, false)
		l.apply(c)
	}
	l.rationalize(now, true)
	return now
}

// rationalize burns every opportunity up to now (inclusive or not), in
// order, as mahimahi's LinkQueue::rationalize does: each carries
// OpportunityBytes from the packet in transit and then from the head of the
// queue, a packet leaves at the opportunity that carries its last byte, and
// bytes left over are wasted.
func (l *Link) rationalize(now time.Duration, inclusive bool) {
	for {
		if l.transitLeft == 0 && l.tap == nil && l.q.Len() == 0 {
			// Nothing to carry and nobody watching: skip the idle
			// opportunities arithmetically (an idle 1 Gbit/s link has
			// 83 000 of them a second).
			l.stats.Opportunities += l.opp.skipTo(now, inclusive)
			return
		}
		t := l.opp.next
		if t > now || (t == now && !inclusive) {
			return
		}
		l.opp.pop()
		l.stats.Opportunities++
		if l.tap != nil {
			l.tap.Opportunity(t)
		}
		left := OpportunityBytes
		for left > 0 {
			if l.transitLeft == 0 {
				if l.q.Len() == 0 {
					break
				}
				ok, dropped := l.q.Dequeue(t, &l.transit, l.scratch[:0])
				if len(dropped) > 0 {
					l.drop(t, DropQueue, dropped)
				}
				if !ok {
					break
				}
				l.transitLeft = l.transit.Size
			}
			sent := min(left, l.transitLeft)
			l.transitLeft -= sent
			left -= sent
			if l.transitLeft == 0 {
				l.depart(t)
			}
		}
	}
}

func (l *Link) depart(t time.Duration) {
	p := &l.transit
	p.Departure = t
	p.Exit = l.dl.exitTime(t)
	if !l.dl.reorder && p.Exit < l.dl.lastExit {
		p.Exit = l.dl.lastExit
	}
	l.stats.Departures++
	l.stats.DepartureBytes += int64(p.Size)
	if l.tap != nil {
		l.tap.Departure(t, p)
	}
	l.dl.push(p)
	p.Payload = nil
}

func (l *Link) drop(t time.Duration, reason DropReason, pkts []Packet) {
	for i := range pkts {
		l.stats.Drops++
		l.stats.DropBytes += int64(pkts[i].Size)
		l.stats.DropsByReason[reason]++
	}
	if l.tap != nil {
		l.tap.Drop(t, reason, pkts)
	}
	clear(pkts)
	l.scratch = pkts[:0]
}

// Schedule records a change to apply at c.At (at once if c.At has passed).
// Changes at the same instant apply in the order they were scheduled, and
// before any arrival or opportunity at that instant: an opportunity at
// exactly c.At belongs to the new schedule.
func (l *Link) Schedule(c Change) error {
	if err := c.validate(); err != nil {
		return err
	}
	if c.At < l.now {
		c.At = l.now
	}
	i, _ := slices.BinarySearchFunc(l.pending, c.At, func(x Change, t time.Duration) int {
		if x.At <= t {
			return -1
		}
		return 1
	})
	l.pending = slices.Insert(l.pending, i, c)
	return nil
}

// Apply schedules c at now and applies it at once.
func (l *Link) Apply(now time.Duration, c Change) error {
	if now < l.now {
		now = l.now
	}
	c.At = now
	if err := l.Schedule(c); err != nil {
		return err
	}
	l.catchUp(now)
	return nil
}

// Pending is the list of scheduled changes not yet applied.
func (l *Link) Pending() []Change { return slices.Clone(l.pending) }

// apply makes a validated change take effect at c.At.
func (l *Link) apply(c Change) {
	switch c.Param {
	case ParamCapacity:
		l.cfg.Capacity = c.Capacity
		l.opp = newOpportunities(c.Capacity, c.At, l.cfg.Once)
	case ParamDelay:
		l.cfg.Delay = c.Duration
		l.dl.delay = c.Duration
	case ParamJitter:
		l.cfg.Jitter = c.Duration
		l.dl.jitter = c.Duration
	case ParamReorder:
		l.cfg.Reorder = c.Reorder
		l.dl.reorder = c.Reorder
		if !c.Reorder {
			l.dl.lastExit = max(l.dl.lastExit, l.dl.maxExit())
		}
	case ParamLoss:
		l.cfg.Loss = c.Loss
		l.loss.spec = c.Loss
		l.loss.bad = false
	case ParamQueue:
		q, err := NewQueue(c.Queue, l.queueRNG)
		if err != nil {
			return // validated in Schedule; unreachable
		}
		l.cfg.Queue = c.Queue
		old := l.q.Drain()
		l.q = q
		for i := range old {
			if d := l.q.Enqueue(c.At, &old[i], l.scratch[:0]); len(d) > 0 {
				l.drop(c.At, DropQueue, d)
			}
		}
	case ParamOnOff:
		l.cfg.OnOff = c.OnOff
		l.onoff = newOnOff(c.OnOff, c.At, l.onoff.rng)
	}
}
