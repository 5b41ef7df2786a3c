package capture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// fuzzSeeds are the f.Add seeds of both fuzzers.
func fuzzSeeds() []string {
	return []string{
		"# mahimahi mm-link (Uplink) [12mbit] > up.log\n# command line: 'mm-link'\n# queue: infinite\n# init timestamp: 1700000000000\n# base timestamp: 10\n11 # 1504\n11 + 1504\n12 # 1504\n12 - 1504 1\n12 d 1 1504\n",
		"# init timestamp: 1523000000123.456\n0.000 # 1500\n3001.734 + 1500 1\n3032.518 - 1500 30.784 1\n",
		"142 # 1504\n142 + 80\n142 + 52\n142 + 80\n144 # 1504\n144 - 80 2\n144 - 52 2\n144 - 80 2\n",
		"# base timestamp: 0\n5 - 100 5\n7 - 100 4\n",
		"1 + 10\r\n",
		"# base timestamp: 1\n# base timestamp: 2\n",
		"1 - 100 -3\n",
		"0 - 1 5000000000\n99999999999 - 1 0\n",
		"1.2345 + 1\n",
		"\n\n  \t\n1 + 1 2 3 4 5 6 7\n",
	}
}

// FuzzLogScanner: any input scans without panicking; every event is sane
// and prints back to a line that scans to the same event; errors name the
// log and a line that exists.
func FuzzLogScanner(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc := NewLogScanner(bytes.NewReader(data), "fuzz.log")
		for sc.Scan() {
			ev := sc.Event()
			if !strings.ContainsRune("#+-d", rune(ev.Kind)) || ev.T < 0 || ev.Bytes < 0 || ev.Delay < 0 || ev.Pkts < 0 || ev.Flow < 0 {
				t.Fatalf("line %d: bad event %+v", sc.Line(), ev)
			}
			line := formatEvent(ev)
			back := NewLogScanner(strings.NewReader(line), "back.log")
			if !back.Scan() || back.Event() != ev {
				t.Fatalf("line %d: event %+v printed as %q reads back as %+v (%v)", sc.Line(), ev, line, back.Event(), back.Err())
			}
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		if err := sc.Err(); err != nil {
			var le *LogError
			if !errors.As(err, &le) || le.Line < 1 || le.Line > lines {
				t.Fatalf("error without a valid line number (input has %d lines): %v", lines, err)
			}
			if !strings.HasPrefix(err.Error(), fmt.Sprintf("log fuzz.log line %d: ", le.Line)) {
				t.Fatalf("error message %q", err)
			}
		}
	})
}

// formatEvent prints an event in Pantheon's style (three decimals, flow id
// when not 0).
func formatEvent(ev LogEvent) string {
	msStr := func(us int64) string { return fmt.Sprintf("%d.%03d", us/1000, us%1000) }
	switch ev.Kind {
	case '#':
		return fmt.Sprintf("%s # %d\n", msStr(ev.T), ev.Bytes)
	case '+':
		if ev.Flow != 0 {
			return fmt.Sprintf("%s + %d %d\n", msStr(ev.T), ev.Bytes, ev.Flow)
		}
		return fmt.Sprintf("%s + %d\n", msStr(ev.T), ev.Bytes)
	case '-':
		if ev.Flow != 0 {
			return fmt.Sprintf("%s - %d %s %d\n", msStr(ev.T), ev.Bytes, msStr(ev.Delay), ev.Flow)
		}
		return fmt.Sprintf("%s - %d %s\n", msStr(ev.T), ev.Bytes, msStr(ev.Delay))
	}
	return fmt.Sprintf("%s d %d %d\n", msStr(ev.T), ev.Pkts, ev.Bytes)
}

// FuzzAnalyze: any input analyses (or fails with a LogError) without
// panicking, and the summaries and graphs of what analyses never panic.
func FuzzAnalyze(f *testing.F) {
	for i, s := range fuzzSeeds() {
		f.Add([]byte(s), uint16(1+i*100))
	}
	f.Fuzz(func(t *testing.T, data []byte, msPerBin uint16) {
		a, err := Analyze(bytes.NewReader(data), "fuzz.log", AnalyzeOptions{MsPerBin: int(msPerBin), KeepPoints: true})
		if err != nil {
			var le *LogError
			if !errors.As(err, &le) {
				t.Fatalf("error is not a LogError: %v", err)
			}
			return
		}
		_ = a.MahimahiSummary()
		_ = a.PantheonSummary()
		m := a.Mahimahi
		if m.DelaysValid && (m.SignalP95 < 0 || m.SignalMax < m.SignalP95 || m.DelayP95 < m.DelayP50) {
			t.Fatalf("inconsistent delays %+v", m)
		}
		// Drawing is slow; draw a fraction of the inputs.
		if len(data) > 0 && data[0]%4 == 0 {
			_ = a.WriteThroughputSVG(io.Discard)
			_ = a.WriteDelaySVG(io.Discard)
		}
	})
}
