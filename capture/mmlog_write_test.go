package capture

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ccscope/ccscope/emu"
)

func ms(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

// stripHeader returns the event lines of a log.
func stripHeader(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(l, "#") {
			b.WriteString(l)
		}
	}
	return b.String()
}

func TestLogWriterHeaderGolden(t *testing.T) {
	var buf bytes.Buffer
	w := NewLogWriter(&buf, LogHeader{
		Link:          "Downlink",
		TracePath:     "/traces/Verizon-LTE-short.down",
		LogPath:       "/tmp/down.log",
		CommandLine:   []string{"mm-link", "up", "down", "--downlink-log=/tmp/down.log", "--", "sh", "-c", "echo it's"},
		Queue:         "droptail [bytes=9000, packets=10]",
		InitTimestamp: 1523000000123,
		BaseTimestamp: 42,
		Config:        "[link] ",
	})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "# mahimahi mm-link (Downlink) [/traces/Verizon-LTE-short.down] > /tmp/down.log\n" +
		"# command line: 'mm-link' 'up' 'down' '--downlink-log=/tmp/down.log' '--' 'sh' '-c' 'echo it'\\''s'\n" +
		"# queue: droptail [bytes=9000, packets=10]\n" +
		"# init timestamp: 1523000000123\n" +
		"# base timestamp: 42\n" +
		"# mahimahi config: [link] \n"
	if got := buf.String(); got != want {
		t.Errorf("header:\n%s\nwant:\n%s", got, want)
	}
}

func TestLogWriterHeaderWithoutConfig(t *testing.T) {
	var buf bytes.Buffer
	w := NewLogWriter(&buf, LogHeader{Link: "Uplink", TracePath: "12mbit", LogPath: "up.log", Queue: "infinite", CommandLine: []string{"ccscope"}})
	w.Flush()
	want := "# mahimahi mm-link (Uplink) [12mbit] > up.log\n# command line: 'ccscope'\n# queue: infinite\n# init timestamp: 0\n# base timestamp: 0\n"
	if got := buf.String(); got != want {
		t.Errorf("header:\n%q\nwant:\n%q", got, want)
	}
}

func TestShellQuote(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", "'plain'"},
		{"", "''"},
		{"it's", `'it'\''s'`},
		{"''", `''\'''\'''`},
		{`a "b" $c`, `'a "b" $c'`},
	} {
		if got := string(appendShellQuote(nil, c.in)); got != c.want {
			t.Errorf("shell quote of %q = %s, want %s", c.in, got, c.want)
		}
	}
}

// TestLogWriterIssue168Golden replays the events of the real log quoted in
// mahimahi issue #168 (one opportunity every 2 ms).
func TestLogWriterIssue168Golden(t *testing.T) {
	var buf bytes.Buffer
	w := NewLogWriter(&buf, LogHeader{BaseTimestamp: 100})
	pkts := []emu.Packet{{Size: 80}, {Size: 52}, {Size: 80}}
	w.Opportunity(ms(42))
	for i := range pkts {
		pkts[i].Arrival = ms(42) + time.Duration(i)*100*time.Microsecond
		w.Arrival(pkts[i].Arrival, &pkts[i])
	}
	w.Opportunity(ms(44))
	for i := range pkts {
		pkts[i].Departure = ms(44)
		w.Departure(ms(44), &pkts[i])
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "142 # 1504\n142 + 80\n142 + 52\n142 + 80\n144 # 1504\n144 - 80 2\n144 - 52 2\n144 - 80 2\n"
	if got := stripHeader(buf.String()); got != want {
		t.Errorf("log:\n%s\nwant:\n%s", got, want)
	}
}

// TestLogWriterByteAccountingGolden is §1.2's example: trace 1, three
// 1000-byte packets arriving at t=10.
func TestLogWriterByteAccountingGolden(t *testing.T) {
	var buf bytes.Buffer
	w := NewLogWriter(&buf, LogHeader{})
	p := []emu.Packet{{Size: 1000, Arrival: ms(10)}, {Size: 1000, Arrival: ms(10)}, {Size: 1000, Arrival: ms(10)}}
	for i := range p {
		w.Arrival(ms(10), &p[i])
	}
	w.Opportunity(ms(11))
	w.Departure(ms(11), &p[0])
	w.Opportunity(ms(12))
	w.Departure(ms(12), &p[1])
	w.Departure(ms(12), &p[2])
	w.Flush()
	want := "10 + 1000\n10 + 1000\n10 + 1000\n11 # 1504\n11 - 1000 1\n12 # 1504\n12 - 1000 2\n12 - 1000 2\n"
	if got := stripHeader(buf.String()); got != want {
		t.Errorf("log:\n%s\nwant:\n%s", got, want)
	}
}

func TestLogWriterFloorsToMilliseconds(t *testing.T) {
	var buf bytes.Buffer
	w := NewLogWriter(&buf, LogHeader{BaseTimestamp: 5})
	p := emu.Packet{Size: 1504, Arrival: ms(10.999)}
	w.Arrival(p.Arrival, &p)
	w.Departure(ms(12.001), &p) // 2 ms apart in the log although 1.002 ms apart
	w.Opportunity(ms(0.5))
	w.Flush()
	want := "15 + 1504\n17 - 1504 2\n5 # 1504\n"
	if got := stripHeader(buf.String()); got != want {
		t.Errorf("log:\n%s\nwant:\n%s", got, want)
	}
}

func TestLogWriterFlowIDsAndDrops(t *testing.T) {
	var buf bytes.Buffer
	w := NewLogWriter(&buf, LogHeader{FlowIDs: true})
	p := emu.Packet{Size: 1500, Flow: 3, Arrival: ms(1)}
	w.Arrival(ms(1), &p)
	w.Drop(ms(1), emu.DropQueue, []emu.Packet{{Size: 1500}, {Size: 40}, {Size: 1}})
	w.Drop(ms(1), emu.DropLoss, nil) // nothing dropped: no line
	w.Drop(ms(2), emu.DropLoss, []emu.Packet{{Size: 7}})
	w.Departure(ms(4), &p)
	w.Flush()
	want := "1 + 1500 3\n1 d 3 1541\n2 d 1 7\n4 - 1500 3 3\n"
	if got := stripHeader(buf.String()); got != want {
		t.Errorf("log:\n%s\nwant:\n%s", got, want)
	}
}

type failWriter struct {
	calls int
	err   error
}

func (f *failWriter) Write(p []byte) (int, error) {
	f.calls++
	return 0, f.err
}

func TestLogWriterStickyError(t *testing.T) {
	errDiskFull := errors.New("disk full")
	fw := &failWriter{err: errDiskFull}
	w := NewLogWriter(fw, LogHeader{})
	p := emu.Packet{Size: 100}
	// Enough lines to overflow the buffer several times.
	for i := range 100000 {
		w.Arrival(ms(float64(i)), &p)
	}
	if !errors.Is(w.Err(), errDiskFull) {
		t.Fatalf("Err = %v, want disk full", w.Err())
	}
	calls := fw.calls
	for i := range 100000 {
		w.Arrival(ms(float64(i)), &p)
	}
	if err := w.Flush(); !errors.Is(err, errDiskFull) {
		t.Fatalf("Flush = %v, want disk full", err)
	}
	if fw.calls != calls {
		t.Errorf("writer called %d more times after the error", fw.calls-calls)
	}
}

func TestLogWriterNoAllocPerLine(t *testing.T) {
	w := NewLogWriter(&bytes.Buffer{}, LogHeader{FlowIDs: true})
	p := emu.Packet{Size: 1504, Flow: 2, Arrival: ms(3)}
	allocs := testing.AllocsPerRun(1000, func() {
		w.Opportunity(ms(5))
		w.Arrival(ms(5), &p)
		w.Departure(ms(7), &p)
	})
	// bytes.Buffer growth amortizes to well under one allocation per call.
	if allocs > 0.1 {
		t.Errorf("%.2f allocations per three lines", allocs)
	}
}
