package tui

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/store"
	"github.com/ccscope/ccscope/sessions"
)

// comparePrefix is where the second session's series live in a
// comparison's store.
const comparePrefix = "b/"

// CompareSource replays two sessions overlaid on one clock: the flows of
// both in the same charts, A's first and B's after (so in other colours),
// their schemes labelled "A:" and "B:". The link panels show A's link; B's
// link series are in the store under b/.
type CompareSource struct {
	replayClock
	a, b  *recording
	st    *store.Store
	nA    int // flows of A: B's flow i shows as flow nA+i
	title string
}

// NewCompare makes a comparison of a and b, paused at their start.
func NewCompare(a, b *sessions.Session) (*CompareSource, error) {
	if a.Series == nil || b.Series == nil {
		return nil, errors.New("compare: a session has no series")
	}
	st := store.NewStore()
	if err := st.Import(a.Series, ""); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	if err := st.Import(b.Series, comparePrefix); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	step := min(a.Experiment.SampleInterval, b.Experiment.SampleInterval)
	c := &CompareSource{replayClock: newReplayClock(max(a.Reached, b.Reached), step),
		a: newRecording(a), b: newRecording(b), st: st}
	c.nA = len(c.a.flowStarts)
	c.title = "A: " + a.Title + " vs B: " + b.Title
	return c, nil
}

func (c *CompareSource) Store() *store.Store { return c.st }

// Apply refuses: a comparison shows two recorded runs.
func (c *CompareSource) Apply(live.Command) error {
	return errors.New("comparing two saved sessions: nothing can be changed; re-run one live with ccscope rerun FILE --open")
}

// Snapshot is both sessions' state at the current position, merged.
func (c *CompareSource) Snapshot() live.Snapshot {
	pos := c.now()
	sa, sb := c.a.snapshotAt(pos), c.b.snapshotAt(pos)
	sn := sa
	sn.Name, sn.Backend, sn.Now, sn.End, sn.Done = c.title, "compare", pos, c.end, pos >= c.end
	sn.Flows = make([]live.FlowState, 0, len(sa.Flows)+len(sb.Flows))
	for _, f := range sa.Flows {
		f.Scheme = "A:" + f.Scheme
		sn.Flows = append(sn.Flows, f)
	}
	for _, f := range sb.Flows {
		f.ID += c.nA
		f.Key = comparePrefix + f.Key
		f.Scheme = "B:" + f.Scheme
		sn.Flows = append(sn.Flows, f)
	}
	sn.Timeline = make([]live.Record, 0, len(sa.Timeline)+len(sb.Timeline))
	for _, r := range sa.Timeline {
		r.Text = "A: " + r.Text
		sn.Timeline = append(sn.Timeline, r)
	}
	for _, r := range sb.Timeline {
		r.Text = "B: " + r.Text
		sn.Timeline = append(sn.Timeline, r)
	}
	slices.SortStableFunc(sn.Timeline, func(x, y live.Record) int { return cmp.Compare(x.At, y.At) })
	return sn
}
