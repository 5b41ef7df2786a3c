package capture

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/ccscope/ccscope/emu"
)

func scanAll(t *testing.T, log string) ([]LogEvent, *LogScanner) {
	t.Helper()
	sc := NewLogScanner(strings.NewReader(log), "test.log")
	var evs []LogEvent
	for sc.Scan() {
		evs = append(evs, sc.Event())
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("scan: %v", err)
	}
	return evs, sc
}

// TestLogRoundTrip writes a random event sequence through LogWriter and
// reads it back: every field must survive.
func TestLogRoundTrip(t *testing.T) {
	for _, flowIDs := range []bool{false, true} {
		rng := rand.New(rand.NewPCG(7, 11))
		var buf bytes.Buffer
		const base = 1234
		w := NewLogWriter(&buf, LogHeader{Link: "Uplink", Queue: "infinite", InitTimestamp: 1700000000999, BaseTimestamp: base, FlowIDs: flowIDs})
		var want []LogEvent
		now := time.Duration(0)
		for range 20000 {
			now += time.Duration(rng.IntN(3000)) * time.Microsecond
			logMs := base + int64(now/time.Millisecond)
			switch rng.IntN(4) {
			case 0:
				w.Opportunity(now)
				want = append(want, LogEvent{Kind: '#', T: logMs * 1000, Bytes: emu.OpportunityBytes})
			case 1:
				p := emu.Packet{Size: 1 + rng.IntN(1504), Flow: rng.IntN(5)}
				w.Arrival(now, &p)
				ev := LogEvent{Kind: '+', T: logMs * 1000, Bytes: int64(p.Size)}
				if flowIDs {
					ev.Flow = p.Flow
				}
				want = append(want, ev)
			case 2:
				arr := now - time.Duration(rng.IntN(500000))*time.Microsecond
				p := emu.Packet{Size: 1 + rng.IntN(1504), Flow: rng.IntN(5), Arrival: arr, Departure: now}
				w.Departure(now, &p)
				delay := int64(now/time.Millisecond) - floorMs(arr)
				ev := LogEvent{Kind: '-', T: logMs * 1000, Bytes: int64(p.Size), Delay: delay * 1000}
				if flowIDs {
					ev.Flow = p.Flow
				}
				want = append(want, ev)
			case 3:
				pk := make([]emu.Packet, 1+rng.IntN(4))
				var bytes int64
				for i := range pk {
					pk[i].Size = 1 + rng.IntN(1504)
					bytes += int64(pk[i].Size)
				}
				w.Drop(now, emu.DropReason(1+rng.IntN(4)), pk)
				want = append(want, LogEvent{Kind: 'd', T: logMs * 1000, Bytes: bytes, Pkts: int64(len(pk))})
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		// One byte at a time exercises the line framing across reads.
		sc := NewLogScanner(iotest.HalfReader(bytes.NewReader(buf.Bytes())), "rt.log")
		i := 0
		for sc.Scan() {
			if i >= len(want) {
				t.Fatalf("more events than written")
			}
			if got := sc.Event(); got != want[i] {
				t.Fatalf("flowIDs=%v event %d = %+v, want %+v", flowIDs, i, got, want[i])
			}
			i++
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		if i != len(want) {
			t.Fatalf("read %d events, wrote %d", i, len(want))
		}
		if b, ok := sc.BaseTimestamp(); !ok || b != base*1000 {
			t.Errorf("base = %d %v", b, ok)
		}
		if v, ok := sc.InitTimestamp(); !ok || v != 1700000000999000 {
			t.Errorf("init = %d %v", v, ok)
		}
		if sc.Link() != "Uplink" || sc.Queue() != "infinite" {
			t.Errorf("link %q queue %q", sc.Link(), sc.Queue())
		}
	}
}

// TestLogScannerPantheonExample reads the datalink log example of §3.2.
func TestLogScannerPantheonExample(t *testing.T) {
	evs, sc := scanAll(t, "# init timestamp: 1523000000123.456\n0.000 # 1500\n3001.734 + 1500 1\n3032.518 - 1500 30.784 1\n")
	want := []LogEvent{
		{Kind: '#', T: 0, Bytes: 1500},
		{Kind: '+', T: 3001734, Bytes: 1500, Flow: 1},
		{Kind: '-', T: 3032518, Bytes: 1500, Delay: 30784, Flow: 1},
	}
	if len(evs) != len(want) {
		t.Fatalf("events %+v", evs)
	}
	for i := range want {
		if evs[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, evs[i], want[i])
		}
	}
	if v, ok := sc.InitTimestamp(); !ok || v != 1523000000123456 {
		t.Errorf("init timestamp = %d, %v", v, ok)
	}
	if _, ok := sc.BaseTimestamp(); ok {
		t.Errorf("Pantheon log reports a base timestamp")
	}
}

// TestLogScannerFlowFieldRule follows tunnel_graph.py: a flow id only on a
// "+" with exactly four fields or a "-" with exactly five.
func TestLogScannerFlowFieldRule(t *testing.T) {
	evs, _ := scanAll(t, "1 + 100 7\n2 + 100 7 9\n3 - 100 1 8\n4 - 100 1 8 9\n5 - 100 1\n6 + 100\n7.5 # 1504 5\n\t8   +\t100   2  \n")
	flows := []int{7, 0, 8, 0, 0, 0, 0, 2}
	for i, f := range flows {
		if evs[i].Flow != f {
			t.Errorf("line %d flow = %d, want %d", i+1, evs[i].Flow, f)
		}
	}
	if evs[6].T != 7500 || evs[7].T != 8000 {
		t.Errorf("times %d %d", evs[6].T, evs[7].T)
	}
}

func TestLogScannerDecimals(t *testing.T) {
	evs, _ := scanAll(t, "1.5 + 10\n2.25 + 10\n3.125 + 10\n4. + 10\n0.001 - 10 0.999\n")
	want := []int64{1500, 2250, 3125, 4000, 1}
	for i, w := range want {
		if evs[i].T != w {
			t.Errorf("event %d T = %d, want %d", i, evs[i].T, w)
		}
	}
	if evs[4].Delay != 999 {
		t.Errorf("delay %d", evs[4].Delay)
	}
}

func TestLogScannerBlankLinesAndNoFinalNewline(t *testing.T) {
	evs, sc := scanAll(t, "# base timestamp: 3\n\n   \n5 # 1504\n6 + 10")
	if len(evs) != 2 || evs[1].T != 6000 || evs[1].Bytes != 10 {
		t.Fatalf("events %+v", evs)
	}
	if sc.Line() != 5 {
		t.Errorf("line = %d", sc.Line())
	}
}

func TestLogScannerErrors(t *testing.T) {
	for _, c := range []struct {
		log  string
		line int
		want string
	}{
		{"# base timestamp: 0\n1 # 1504\n12a + 100\n", 3, `log up.log line 3: bad timestamp "12a" (want milliseconds)`},
		{"1 x 100\n", 1, `unknown event type "x" (want #, +, - or d)`},
		{"1 ++ 100\n", 1, `unknown event type "++"`},
		{"1 -\n", 1, `missing fields: a departure is`},
		{"1 - 100\n", 1, `missing fields: a departure is`},
		{"1\n", 1, `missing fields`},
		{"1 +\n", 1, `missing fields: an arrival`},
		{"1 #\n", 1, `missing fields: an opportunity`},
		{"1 d 3\n", 1, `missing fields: a drop`},
		{"1 - 100 -3\n", 1, `negative delay "-3"`},
		{"1 - 100 x\n", 1, `bad delay "x"`},
		{"1 + 1e3\n", 1, `bad byte count "1e3" (want a whole number)`},
		{"1 + -5\n", 1, `negative byte count "-5"`},
		{"1 + 1.5\n", 1, `bad byte count "1.5"`},
		{"1 + 10 x\n", 1, `bad flow id "x"`},
		{"-1 + 10\n", 1, `negative timestamp "-1"`},
		{"1.2345 + 10\n", 1, `timestamp "1.2345" has more than 3 decimals`},
		{"1.2.3 + 10\n", 1, `bad timestamp "1.2.3"`},
		{"12345678901234567 + 10\n", 1, `timestamp "12345678901234567" is too large`},
		{"1 + 12345678901\n", 1, `byte count "12345678901" is too large`},
		{"# base timestamp: 1\n# base timestamp: 2\n", 2, `base timestamp given twice (first at line 1)`},
		{"1 + 10\n# base timestamp: 2\n", 2, `base timestamp after the first event`},
		{"# base timestamp: x\n", 1, `bad base timestamp "x"`},
		{"# init timestamp: 1.2.3\n", 1, `bad init timestamp "1.2.3"`},
		{"# base timestamp: 0\r\n1 # 1504\r\n", 1, `carriage return`},
		{"1 # 1504\n2 # 1504\r\n", 2, `carriage return`},
		{" # comment after a space\n", 1, `bad timestamp "#"`},
		{"1 + 10\n" + strings.Repeat("9", MaxLogLineBytes+10) + "\n", 2, `limit is 65536`},
		{"1 + 10\n" + strings.Repeat("9", 3*MaxLogLineBytes), 2, `longer than 65536 bytes`},
	} {
		sc := NewLogScanner(strings.NewReader(c.log), "up.log")
		for sc.Scan() {
		}
		err := sc.Err()
		if err == nil {
			t.Errorf("%.40q: no error", c.log)
			continue
		}
		var le *LogError
		if !errors.As(err, &le) || le.Line != c.line || le.Name != "up.log" {
			t.Errorf("%.40q: error %v is not a LogError at line %d", c.log, err, c.line)
		}
		if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "log up.log line ") {
			t.Errorf("%.40q: error %q, want it to contain %q", c.log, err, c.want)
		}
		if sc.Scan() {
			t.Errorf("%.40q: Scan after an error returned true", c.log)
		}
	}
}

func TestLogScannerReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("1 + 10\n2 + 10\n"), iotest.ErrReader(boom))
	sc := NewLogScanner(r, "x.log")
	n := 0
	for sc.Scan() {
		n++
	}
	if n != 2 || !errors.Is(sc.Err(), boom) {
		t.Errorf("n=%d err=%v", n, sc.Err())
	}
}

func TestLogScannerNoAllocPerLine(t *testing.T) {
	var buf bytes.Buffer
	if _, err := genLog(&buf, 2<<20, 3); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	lines := bytes.Count(data, []byte("\n"))
	allocs := testing.AllocsPerRun(3, func() {
		sc := NewLogScanner(bytes.NewReader(data), "g.log")
		for sc.Scan() {
		}
		if sc.Err() != nil {
			t.Fatal(sc.Err())
		}
	})
	// The buffer and the header strings; nothing per line.
	if allocs > 20 {
		t.Errorf("%.0f allocations for %d lines", allocs, lines)
	}
}

// TestLogScannerReaderIndependent: the events do not depend on how the
// reader splits the input (the buffer grows with full reads, lines straddle
// reads).
func TestLogScannerReaderIndependent(t *testing.T) {
	var buf bytes.Buffer
	if _, err := genLog(&buf, 3<<20, 8); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	read := func(r io.Reader) []LogEvent {
		sc := NewLogScanner(r, "g.log")
		var evs []LogEvent
		for sc.Scan() {
			evs = append(evs, sc.Event())
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		return evs
	}
	want := read(bytes.NewReader(data))
	if len(want) < 100000 {
		t.Fatalf("only %d events", len(want))
	}
	for name, r := range map[string]io.Reader{
		"half":    iotest.HalfReader(bytes.NewReader(data)),
		"dataerr": iotest.DataErrReader(bytes.NewReader(data)),
		"odd":     &oddReader{data: data},
	} {
		got := read(r)
		if len(got) != len(want) {
			t.Fatalf("%s: %d events, want %d", name, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: event %d = %+v, want %+v", name, i, got[i], want[i])
			}
		}
	}
}

// oddReader returns reads of varying sizes, some of them empty.
type oddReader struct {
	data []byte
	i    int
}

func (o *oddReader) Read(p []byte) (int, error) {
	if len(o.data) == 0 {
		return 0, io.EOF
	}
	o.i++
	n := min(len(p), len(o.data), (o.i*7919)%200000)
	copy(p, o.data[:n])
	o.data = o.data[n:]
	return n, nil
}
