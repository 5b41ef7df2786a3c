// bench_test.go holds the benchmarks: saving and opening a 1-hour
// session (goal ≤ 2 s each, ≤ 50 MB), and a journal update (goal ≪ 1 ms).
package sessions

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live"
)

// BenchmarkSave1h saves the session of a 1-hour, 2-flow run; it reports
// seconds per save and the file's size.
func BenchmarkSave1h(b *testing.B) {
	s := hourSession(b)
	path := filepath.Join(b.TempDir(), "hour.zip")
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if err := Save(path, s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/save")
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(fi.Size())/1e6, "MB")
}

// BenchmarkLoad1h opens that session.
func BenchmarkLoad1h(b *testing.B) {
	s := hourSession(b)
	path := filepath.Join(b.TempDir(), "hour.zip")
	if err := Save(path, s); err != nil {
		b.Fatal(err)
	}
	s = nil
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		got, err := Load(path)
		if err != nil {
			b.Fatal(err)
		}
		if len(got.Series.Keys()) == 0 {
			b.Fatal("no series")
		}
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/load")
}

// BenchmarkJournalUpdate is one autosave of a running experiment with a
// few user changes: the cost the runner pays once a second.
func BenchmarkJournalUpdate(b *testing.B) {
	exp := live.DefaultExperiment()
	j, err := StartJournal(b.TempDir(), exp, "bench")
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	var tl []live.Record
	for i := range 20 {
		tl = append(tl, live.Record{At: time.Duration(i) * time.Second, Kind: live.RecordChange, Text: "bw 12mbit"},
			live.Record{At: time.Duration(i) * time.Second, Kind: live.RecordInfo, Text: "flow 1 (cubic, bulk) started"})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := j.Update(tl, time.Duration(i+1)*time.Second); err != nil {
			b.Fatal(err)
		}
	}
}
