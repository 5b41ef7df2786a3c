package capture

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchLog generates a ~50 MB realistic log in memory.
func benchLog(b *testing.B) []byte {
	b.Helper()
	var buf bytes.Buffer
	if _, err := genLog(&buf, 50<<20, 42); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkLogScanner(b *testing.B) {
	data := benchLog(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		sc := NewLogScanner(bytes.NewReader(data), "bench.log")
		n := 0
		for sc.Scan() {
			n++
		}
		if sc.Err() != nil || n == 0 {
			b.Fatal(sc.Err())
		}
	}
}

func BenchmarkAnalyze(b *testing.B) {
	data := benchLog(b)
	for _, keep := range []bool{false, true} {
		b.Run("KeepPoints="+strconv.FormatBool(keep), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for range b.N {
				if _, err := Analyze(bytes.NewReader(data), "bench.log", AnalyzeOptions{KeepPoints: keep}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLogWriter(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		cw := &countingWriter{w: io.Discard}
		if _, err := genLog(cw, 10<<20, 1); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(cw.n)
	}
}

// TestAnalyzeHugeLog generates a log of at least 1 GB and analyses it,
// logging the time and the peak memory. It runs only with CCSCOPE_BIG=1.
func TestAnalyzeHugeLog(t *testing.T) {
	if os.Getenv("CCSCOPE_BIG") != "1" {
		t.Skip("set CCSCOPE_BIG=1 to generate and analyse a 1 GB log")
	}
	path := filepath.Join(t.TempDir(), "huge.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	start := time.Now()
	events, err := genLog(bw, 1<<30, 77)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	t.Logf("generated %d events, %d bytes in %v", events, st.Size(), time.Since(start))
	if st.Size() < 1<<30 {
		t.Fatalf("log is only %d bytes", st.Size())
	}

	for _, keep := range []bool{false, true} {
		runtime.GC()
		resetPeakRSS()
		var peakHeap atomic.Uint64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peakHeap.Load() {
					peakHeap.Store(ms.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}()
		in, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		start = time.Now()
		a, err := Analyze(in, path, AnalyzeOptions{KeepPoints: keep})
		elapsed := time.Since(start)
		in.Close()
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("KeepPoints=%v: Analyze of %d bytes took %v (%.0f MB/s); peak heap in use %.1f MB; peak RSS %s",
			keep, st.Size(), elapsed, float64(st.Size())/elapsed.Seconds()/1e6, float64(peakHeap.Load())/1e6, peakRSS())
		t.Logf("\n%s", a.MahimahiSummary())
		if keep {
			var svg bytes.Buffer
			if err := a.WriteDelaySVG(&svg); err != nil {
				t.Fatal(err)
			}
			t.Logf("delay SVG: %d bytes", svg.Len())
		}
	}
}

// resetPeakRSS resets the kernel's peak RSS counter (Linux), so that
// peakRSS reports the peak since now.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS returns VmHWM from /proc/self/status, or "unknown".
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
