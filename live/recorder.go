package live

import (
	"time"

	"github.com/ccscope/ccscope/live/store"
)

// StoreRecorder records a run's series in a live/store Store, with the
// store's default bounds for gauges and per-packet event series.
func StoreRecorder(st *store.Store) Recorder { return storeRecorder{st} }

type storeRecorder struct{ st *store.Store }

func (r storeRecorder) Series(key string, info SeriesInfo) Appender {
	kind := store.Gauge
	if info.Event {
		kind = store.Event
	}
	m := store.DefaultMeta(kind)
	m.Unit, m.Label = info.Unit, info.Label
	s, err := r.st.Define(key, m)
	if err != nil {
		// A key a scheme made up that the store refuses (e.g. control
		// characters in a CCP variable name): drop its values rather than
		// fail the run.
		return discard{}
	}
	return s
}

type discard struct{}

func (discard) Append(time.Duration, float64) {}
