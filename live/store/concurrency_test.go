package store

import (
	"bytes"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConcurrentReadersAndWriter: one writer appends to gauges and an event
// series (defining a new flow mid-run) while readers call Window, Points,
// Last, Keys, Version and WriteCSV in a loop. Run under -race; readers
// also check what they see is consistent (ordered, bounded, versions
// monotonic) and scribble over every slice they get, which must not
// affect the store.
func TestConcurrentReadersAndWriter(t *testing.T) {
	st := NewStore()
	cwnd := st.Series("flow/1/cwnd")
	owd, err := st.Define("flow/1/owd", Meta{Kind: Event, MaxPoints: 4096,
		Tiers: []Tier{{time.Millisecond, 64}, {10 * time.Millisecond, 16}}})
	if err != nil {
		t.Fatal(err)
	}
	// The writer runs at least minSteps steps and until readers have done
	// 200 iterations alongside it.
	const minSteps, maxSteps = 4000, 1 << 22
	var steps int
	var done atomic.Bool
	var overlapped atomic.Int64 // reader iterations that began during appends
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	wg.Add(1)
	go func() { // the sim
		defer wg.Done()
		defer done.Store(true)
		var late *Series
		i := 0
		defer func() { steps = i }()
		for ; i < maxSteps && (i < minSteps || overlapped.Load() < 200); i++ {
			now := time.Duration(i) * 10 * time.Millisecond
			cwnd.Append(now, float64(i))
			for j := 0; j < 10; j++ {
				owd.Append(now+time.Duration(j)*time.Millisecond, float64(j))
			}
			if i == minSteps/2 {
				if late, err = st.Define("flow/2/cwnd", Meta{Unit: "bytes"}); err != nil {
					errs <- err
					return
				}
			}
			if late != nil {
				late.Append(now, 1)
			}
		}
	}()
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			var lastVersion uint64
			var buf []Agg
			for iter := 0; !done.Load() || iter < 3; iter++ {
				if !done.Load() {
					overlapped.Add(1)
				}
				v := st.Version()
				if v < lastVersion {
					errs <- fmt.Errorf("reader %d: version went back %d → %d", r, lastVersion, v)
					return
				}
				lastVersion = v
				keys := st.Keys()
				for _, k := range keys {
					s := st.Lookup(k)
					p, ok := s.Last()
					if !ok {
						continue
					}
					buf = s.AppendWindow(buf[:0], p.T-60*time.Second, p.T, 200)
					if len(buf) > 200 {
						errs <- fmt.Errorf("reader %d: %s: %d aggregates", r, k, len(buf))
						return
					}
					for i := range buf {
						if i > 0 && buf[i].First <= buf[i-1].Last || buf[i].Count < 1 || buf[i].Min > buf[i].Max {
							errs <- fmt.Errorf("reader %d: %s: inconsistent window %+v", r, k, buf)
							return
						}
						buf[i].Min = math.NaN() // scribble: must not reach the store
					}
					pts := s.Points(p.T-time.Second, p.T)
					for i := range pts {
						if i > 0 && pts[i].T < pts[i-1].T {
							errs <- fmt.Errorf("reader %d: %s: points out of order", r, k)
							return
						}
						pts[i].V = -1
					}
				}
				keys[0] = "scribbled"
				time.Sleep(100 * time.Microsecond) // a TUI polls; it does not spin
				if r == 0 && iter%20 == 0 {
					var out bytes.Buffer
					if err := st.WriteCSV(&out, nil); err != nil {
						errs <- err
						return
					}
					if _, err := ReadCSV(&out); err != nil {
						errs <- fmt.Errorf("snapshot taken during appends does not load: %w", err)
						return
					}
				}
			}
		}(r)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := overlapped.Load(); n < 200 {
		t.Fatalf("only %d reader iterations overlapped the writer: the test did not test concurrency", n)
	}
	// The scribbling changed nothing.
	if keys := st.Keys(); len(keys) != 3 || keys[0] != "flow/1/cwnd" {
		t.Fatalf("keys %v", keys)
	}
	last := time.Duration(steps-1) * 10 * time.Millisecond
	for _, a := range cwnd.Window(last-60*time.Second, last, 200) {
		if math.IsNaN(a.Min) {
			t.Fatalf("a reader's write reached the store: %+v", a)
		}
	}
	if pts := cwnd.Points(last-time.Second, last); pts[len(pts)-1].V != float64(steps-1) {
		t.Fatalf("a reader's write reached the store: %+v", pts[len(pts)-1])
	}
	if want := uint64(3 + steps + 10*steps + steps - minSteps/2); st.Version() != want {
		t.Fatalf("version %d, want %d (3 series + every append)", st.Version(), want)
	}
}
