package tui

import (
	"errors"
	"math"
	"sync"
	"time"

	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/store"
	"github.com/ccscope/ccscope/sessions"
)

// Seeker is a Source whose position can be moved: a replay.
type Seeker interface {
	Seek(to time.Duration)
}

// errReplay is what commands that would change the run get in a replay.
func errReplay() error {
	return errors.New("a replay of a saved session cannot be changed: R re-runs it live, where it can")
}

// replayClock is the position of a replay: a clock over recorded time
// that can be paused, sped up and moved, ending at end.
type replayClock struct {
	mu       sync.Mutex
	pos      time.Duration // position when the clock was last set
	wallBase time.Time     // wall time of that position
	speed    float64
	paused   bool
	clock    func() time.Time
	end      time.Duration
	step     time.Duration // what Step(0) moves by
}

func newReplayClock(end, step time.Duration) replayClock {
	return replayClock{speed: 1, paused: true, clock: time.Now, end: end, step: step}
}

// position is where the replay is now.
func (r *replayClock) position() time.Duration {
	p := r.pos
	if !r.paused {
		p += time.Duration(float64(r.clock().Sub(r.wallBase)) * r.speed)
	}
	return min(max(p, 0), r.end)
}

// rebase fixes the clock at the current position before a change.
func (r *replayClock) rebase() {
	r.pos = r.position()
	r.wallBase = r.clock()
}

// Seek moves the replay to a position.
func (r *replayClock) Seek(to time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pos = min(max(to, 0), r.end)
	r.wallBase = r.clock()
}

func (r *replayClock) Apply(live.Command) error { return errReplay() }

func (r *replayClock) Speed() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.speed
}

func (r *replayClock) SetSpeed(x float64) error {
	if !(x >= live.MinSpeed && x <= live.MaxSpeed) {
		return errors.New("speed: want 0.1x to 100x")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rebase()
	r.speed = x
	return nil
}

func (r *replayClock) Paused() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.paused
}

func (r *replayClock) SetPaused(p bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rebase()
	if !p && r.pos >= r.end {
		r.pos = 0 // play again from the start
	}
	r.paused = p
}

func (r *replayClock) Step(d time.Duration) {
	if d <= 0 {
		d = r.step
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rebase()
	r.pos = min(r.pos+d, r.end)
}

// now is the current position, read under the lock.
func (r *replayClock) now() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.position()
}

// recording is what a replay shows of one session: its series, and the
// link settings and flows at each instant, rebuilt from the experiment and
// the recorded timeline.
type recording struct {
	sess       *sessions.Session
	up, down   emu.Config
	linkSteps  []linkStep // the recorded link changes, in time order
	flowStarts []flowStart
}

type linkStep struct {
	at  time.Duration
	cmd emu.Command
}

type flowStart struct {
	id     int
	scheme string
	at     time.Duration
}

func newRecording(sess *sessions.Session) *recording {
	r := &recording{sess: sess}
	up, down, _, err := sess.Experiment.Links()
	if err != nil {
		// The traces are not at hand (a replay needs none): keep rates.
		up, down = emu.Config{}, emu.Config{}
	}
	r.up, r.down = up, down
	for i, f := range sess.Experiment.Flows {
		r.flowStarts = append(r.flowStarts, flowStart{id: i + 1, scheme: f.Scheme, at: f.Start})
	}
	next := len(r.flowStarts) + 1
	for _, rec := range sess.Timeline {
		if rec.Kind != live.RecordChange {
			continue
		}
		c, err := live.ParseCommand(rec.Text, func(string) (*emu.Trace, error) {
			return &emu.Trace{Name: "trace", Ms: []int64{1}}, nil // the name is what a replay shows
		})
		if err != nil {
			continue
		}
		switch c := c.(type) {
		case live.LinkCommand:
			r.linkSteps = append(r.linkSteps, linkStep{at: rec.At, cmd: c.Command})
		case live.FlowAdd:
			r.flowStarts = append(r.flowStarts, flowStart{id: next, scheme: c.Scheme, at: rec.At})
			next++
		}
	}
	return r
}

// ReplaySource plays a saved session back with the workbench's views.
type ReplaySource struct {
	replayClock
	rec *recording
}

// NewReplay makes a replay of sess, paused at its start.
func NewReplay(sess *sessions.Session) (*ReplaySource, error) {
	if sess.Series == nil {
		return nil, errors.New("replay: the session has no series")
	}
	return &ReplaySource{replayClock: newReplayClock(sess.Reached, sess.Experiment.SampleInterval), rec: newRecording(sess)}, nil
}

func (r *ReplaySource) Store() *store.Store { return r.rec.sess.Series }

// Snapshot rebuilds the state at the current position.
func (r *ReplaySource) Snapshot() live.Snapshot {
	return r.rec.snapshotAt(r.now())
}

// snapshotAt rebuilds the state at pos from the recorded series, the
// experiment and the timeline.
func (r *recording) snapshotAt(pos time.Duration) live.Snapshot {
	pos = min(pos, r.sess.Reached)
	s := r.sess
	sn := live.Snapshot{Name: s.Title, Backend: "replay", Seed: s.Experiment.Seed, Now: pos, End: s.Reached,
		Done: pos >= s.Reached}
	up, down := r.up, r.down
	for _, st := range r.linkSteps {
		if st.at > pos {
			break
		}
		if st.cmd.Dir&emu.Uplink != 0 {
			applyChange(&up, st.cmd.Change)
		}
		if st.cmd.Dir&emu.Downlink != 0 {
			applyChange(&down, st.cmd.Change)
		}
	}
	sn.Uplink = live.LinkState{Config: up, QueueLen: int(r.last("link/uplink/queue_packets", pos))}
	sn.Downlink = live.LinkState{Config: down, QueueLen: int(r.last("link/downlink/queue_packets", pos))}
	for _, rec := range s.Timeline {
		if rec.At > pos {
			break
		}
		sn.Timeline = append(sn.Timeline, rec)
	}
	for _, f := range r.flowStarts {
		key := live.FlowKey(f.id)
		fs := live.FlowState{ID: f.id, Key: key, Scheme: f.scheme, Start: f.at, Started: f.at <= pos}
		fs.Cwnd = int(r.last(key+"cwnd", pos))
		fs.InFlight = int(r.last(key+"inflight", pos))
		fs.SRTT = time.Duration(r.last(key+"srtt", pos) * float64(time.Millisecond))
		fs.MinRTT = time.Duration(r.last(key+"min_rtt", pos) * float64(time.Millisecond))
		fs.DeliveryRate = r.last(key+"delivery_rate", pos)
		fs.PacingRate = r.last(key+"pacing_rate", pos)
		fs.Retransmits = int64(r.last(key+"retransmits", pos))
		if sn.Done && f.id <= len(s.Summary.Flows) {
			sf := s.Summary.Flows[f.id-1]
			fs.Throughput, fs.DelayP95, fs.DelayValid, fs.Loss = sf.Throughput, sf.DelayP95, sf.DelayValid, sf.Loss
		} else {
			fs.Throughput = r.mean(key+"throughput", f.at, pos) / 1e6
		}
		sn.Flows = append(sn.Flows, fs)
	}
	return sn
}

// last is a series' last value at or before pos (0 when none).
func (r *recording) last(key string, pos time.Duration) float64 {
	ser := r.sess.Series.Lookup(key)
	if ser == nil {
		return 0
	}
	from := max(pos-time.Second, 0)
	if pts := ser.Points(from, pos); len(pts) > 0 {
		for i := len(pts) - 1; i >= 0; i-- {
			if !math.IsNaN(pts[i].V) {
				return pts[i].V
			}
		}
	}
	if w := ser.Window(from, pos, 1); len(w) > 0 && !math.IsNaN(w[0].Mean) {
		return w[0].Mean
	}
	return 0
}

// mean is a series' mean over [from, to].
func (r *recording) mean(key string, from, to time.Duration) float64 {
	ser := r.sess.Series.Lookup(key)
	if ser == nil || to <= from {
		return 0
	}
	if w := ser.Window(from, to, 1); len(w) > 0 && !math.IsNaN(w[0].Mean) {
		return w[0].Mean
	}
	return 0
}

// applyChange applies a link change to a configuration for display.
func applyChange(c *emu.Config, ch emu.Change) {
	switch ch.Param {
	case emu.ParamCapacity:
		c.Capacity = ch.Capacity
	case emu.ParamDelay:
		c.Delay = ch.Duration
	case emu.ParamJitter:
		c.Jitter = ch.Duration
	case emu.ParamReorder:
		c.Reorder = ch.Reorder
	case emu.ParamLoss:
		c.Loss = ch.Loss
	case emu.ParamQueue:
		c.Queue = ch.Queue
	case emu.ParamOnOff:
		c.OnOff = ch.OnOff
	}
}
