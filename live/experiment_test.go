package live

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/ccscope/ccscope/emu"
)

// testChecker accepts reno, cubic and cubic with parameters, like a
// scheme registry that knows only those.
func testChecker(spec string) error {
	if spec == "reno" || spec == "cubic" || strings.HasPrefix(spec, "cubic:") {
		return nil
	}
	return errors.New("unknown scheme " + `"` + spec + `"` + " (want reno or cubic)")
}

const (
	examplesDir = "../examples"
	fixturesDir = "testdata/experiments"
	tracesDir   = "../../shared/traces"
)

// needTraces skips when ../shared/traces is absent, unless CCSCOPE_CI is
// set, in which case its absence is a failure.
func needTraces(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(tracesDir); err != nil {
		if os.Getenv("CCSCOPE_CI") != "" {
			t.Fatalf("CCSCOPE_CI is set but the traces are missing: %v", err)
		}
		t.Skipf("no %s (set CCSCOPE_CI=1 to make this a failure)", tracesDir)
	}
}

func examples(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 6 {
		t.Fatalf("found %d examples in %s, want at least 6: %v", len(files), examplesDir, files)
	}
	return files
}

func TestExamplesParseAndValidate(t *testing.T) {
	for _, path := range examples(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			if filepath.Base(path) == "cellular.toml" {
				needTraces(t)
			}
			e, err := LoadExperiment(path, testChecker)
			if err != nil {
				t.Fatalf("LoadExperiment: %v", err)
			}
			if e.BaseDir != examplesDir {
				t.Errorf("BaseDir = %q, want %q", e.BaseDir, examplesDir)
			}
			if err := e.Validate(testChecker); err != nil {
				t.Errorf("Validate: %v", err)
			}
			if _, _, _, err := e.Links(); err != nil {
				t.Errorf("Links: %v", err)
			}
		})
	}
}

// TestExampleContents checks that the examples say what their names
// promise, against values written out by hand.
func TestExampleContents(t *testing.T) {
	load := func(name string) Experiment {
		t.Helper()
		e, err := LoadExperiment(filepath.Join(examplesDir, name), testChecker)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	def := DefaultExperiment()
	def.BaseDir = examplesDir
	if got := load("default.toml"); !reflect.DeepEqual(got, def) {
		t.Errorf("default.toml = %+v,\nwant DefaultExperiment() %+v", got, def)
	}

	tf := load("two-flows.toml")
	if want := []FlowSpec{{Scheme: "cubic"}, {Scheme: "reno", Start: 10 * time.Second}}; !reflect.DeepEqual(tf.Flows, want) {
		t.Errorf("two-flows flows = %+v, want %+v", tf.Flows, want)
	}

	aqm := load("aqm.toml")
	up, _, _, err := aqm.Links()
	if err != nil {
		t.Fatal(err)
	}
	if want := (emu.QueueSpec{Kind: emu.QueueCoDel, Packets: 1000, Target: 5 * time.Millisecond, Interval: 100 * time.Millisecond}); up.Queue != want {
		t.Errorf("aqm uplink queue = %+v, want %+v", up.Queue, want)
	}

	tl := load("timeline.toml")
	_, _, cmds, err := tl.Links()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cmds {
		got = append(got, FormatDuration(c.Change.At)+" "+c.String())
	}
	want := []string{"10s uplink bw 6mbit", "20s uplink loss 1%", "30s uplink loss 0%", "40s uplink bw 24mbit"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("timeline = %q, want %q", got, want)
	}

	p := load("pantheon.toml")
	if want := PantheonFlows("cubic", 3, 10*time.Second); !reflect.DeepEqual(p.Flows, want) {
		t.Errorf("pantheon flows = %+v, want %+v", p.Flows, want)
	}
	if p.Flows[2].Start != 20*time.Second {
		t.Errorf("pantheon third flow starts at %v, want 20s", p.Flows[2].Start)
	}
}

func TestCellularExampleUsesTraces(t *testing.T) {
	needTraces(t)
	e, err := LoadExperiment(filepath.Join(examplesDir, "cellular.toml"), testChecker)
	if err != nil {
		t.Fatal(err)
	}
	up, down, _, err := e.Links()
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]emu.Config{"up": up, "down": down} {
		if c.Capacity.Trace == nil {
			t.Fatalf("%s capacity is not a trace", name)
		}
		// Both Verizon-LTE-short traces last 140 s (SOURCES.md).
		if c.Capacity.Trace.Period() != 140000 {
			t.Errorf("%s trace period = %d ms, want 140000", name, c.Capacity.Trace.Period())
		}
	}
	if n := up.Capacity.Trace.Opportunities(); n != 69367 {
		t.Errorf("uplink trace has %d opportunities, want 69367 (Verizon-LTE-short.up)", n)
	}
}

func roundTrip(t *testing.T, e Experiment) Experiment {
	t.Helper()
	b, err := e.EncodeTOML()
	if err != nil {
		t.Fatalf("EncodeTOML: %v", err)
	}
	got, err := ParseExperiment("written.toml", b, e.BaseDir, testChecker)
	if err != nil {
		t.Fatalf("re-parse: %v\n%s", err, b)
	}
	if !reflect.DeepEqual(got, e) {
		t.Fatalf("round trip changed the experiment:\n got %+v\nwant %+v\n%s", got, e, b)
	}
	return got
}

func TestRoundTripExamples(t *testing.T) {
	for _, path := range examples(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			if filepath.Base(path) == "cellular.toml" {
				needTraces(t)
			}
			e, err := LoadExperiment(path, testChecker)
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, e)
		})
	}
	e, err := LoadExperiment(filepath.Join(fixturesDir, "relative.toml"), testChecker)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, e)
}

// randomExperiment makes a valid experiment with random values, its trace
// and log paths relative to fixturesDir.
func randomExperiment(r *rand.Rand) Experiment {
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	dur := func(max time.Duration) time.Duration {
		switch r.IntN(3) {
		case 0:
			return time.Duration(r.Int64N(int64(max)/int64(time.Millisecond)+1)) * time.Millisecond
		case 1:
			return time.Duration(r.Int64N(int64(max)/int64(time.Second)+1)) * time.Second
		}
		return time.Duration(r.Int64N(int64(max) + 1)) // any nanosecond
	}
	link := func(dir string) LinkSpec {
		s := LinkSpec{
			Capacity: pick("24mbit", "1.5gbit", "800kbit", "12mbit/s", "traces/step.trace"),
			Once:     r.IntN(2) == 0,
			Delay:    dur(time.Second),
			Reorder:  r.IntN(2) == 0,
			Loss:     pick("", "0%", "1%", "0.01", "gemodel 1% 30%", "none"),
			OnOff:    pick("", "onoff 5s 1s", "intermittent 500ms 1.5s", "none"),
			Log:      pick("", dir+".log"),
		}
		if r.IntN(2) == 0 {
			s.Jitter = dur(10 * time.Millisecond)
		}
		q := [][2]string{{"", ""}, {"infinite", ""}, {"droptail", "packets=80"}, {"drophead", "bytes=150000"},
			{"codel", "packets=1000, target=5ms, interval=100ms"}, {"pie", "packets=100 qdelay_ref=15 max_burst=150"}}[r.IntN(6)]
		s.Queue, s.QueueArgs = q[0], q[1]
		return s
	}
	e := Experiment{
		Name:           pick("", "plain", `quote " and \ backslash`, "ünïcødé → ok", "tab\tinside? no", "#not a comment", "'single'"),
		Backend:        BackendSim,
		Duration:       time.Millisecond + dur(2*time.Hour),
		Seed:           r.Uint64(),
		SampleInterval: MinSampleInterval + time.Duration(r.Int64N(int64(MaxSampleInterval-MinSampleInterval)+1)),
		Uplink:         link("up"),
		Downlink:       link("down"),
		BaseDir:        fixturesDir,
	}
	if strings.ContainsRune(e.Name, '\t') {
		e.Name = "no tab"
	}
	e.CCPAgent = pick("", "unix", "unix:portus", "unix:my-agent")
	if r.IntN(2) == 0 {
		e.CCPFallback = MinCCPFallback + time.Duration(r.Int64N(int64(MaxCCPFallback-MinCCPFallback)+1))
	}
	if r.IntN(4) == 0 {
		e.Seed = uint64(r.IntN(10))
	}
	if r.IntN(4) == 0 {
		e.Backend = BackendNetns
		e.Command = []string{pick("iperf3", "./sender"), "-c", pick("$CCSCOPE_BASE", `quote " and \ backslash`, "ünï")}
		if r.IntN(2) == 0 {
			e.ReceiverCommand = []string{"iperf3", "-s", "-1"}
		}
	}
	for range 1 + r.IntN(4) {
		f := FlowSpec{Scheme: pick("reno", "cubic", "cubic:beta=0.8"), Start: time.Duration(r.Int64N(int64(e.Duration) + 1))}
		switch r.IntN(4) {
		case 1:
			f.Size = r.Int64()
		case 2:
			f.Size = r.Int64N(1000) * 1_000_000
		case 3:
			f.Size = r.Int64N(1000) << 20
		}
		e.Flows = append(e.Flows, f)
	}
	for range r.IntN(5) {
		e.Timeline = append(e.Timeline, TimedChange{
			At: time.Duration(r.Int64N(int64(e.Duration) + 1)),
			Command: pick("bw 6mbit", "uplink loss 1%", "both delay 40ms", "queue codel packets=100 target=5 interval=100",
				"downlink trace traces/step.trace", "reorder on", "onoff 1s 1s", "onoff none", "intermittent 1s 2s"),
		})
	}
	return e
}

func TestRoundTripRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		e := randomExperiment(r)
		if err := e.Validate(testChecker); err != nil {
			t.Fatalf("experiment %d is not valid, fix the generator: %v", i, err)
		}
		roundTrip(t, e)
	}
}

// TestRoundTripArbitraryText writes strings TOML must escape (quotes,
// backslashes, control characters, non-ASCII) and reads them back with the
// schema decoder, which does not judge the values.
func TestRoundTripArbitraryText(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []rune("ab \"\\'\t\n\r\x00\x01\x1b\x7f#=[]{}.,é→😀\u2028")
	text := func() string {
		n := r.IntN(12)
		s := make([]rune, n)
		for i := range s {
			s[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(s)
	}
	for i := range 500 {
		e := Experiment{
			Name: text(), Backend: "b" + text(), // "" would read back as "sim" Duration: time.Duration(r.Int64N(math.MaxInt64)),
			Seed: r.Uint64(), SampleInterval: time.Duration(r.Int64N(1 << 40)),
			Uplink:   LinkSpec{Capacity: text(), Queue: text(), QueueArgs: text(), Loss: text(), OnOff: text(), Log: text(), Delay: time.Duration(r.Int64()), Once: true},
			Downlink: LinkSpec{Capacity: text(), Jitter: time.Duration(r.Int64N(1e9)), Reorder: true},
			Flows:    []FlowSpec{{Scheme: text(), Start: time.Duration(r.Int64()), Size: r.Int64()}},
			Timeline: []TimedChange{{At: time.Duration(r.Int64()), Command: text()}},
		}
		b, err := e.EncodeTOML()
		if err != nil {
			t.Fatalf("%d: EncodeTOML: %v", i, err)
		}
		got, d, err := decodeExperiment("x.toml", b, "")
		if err != nil || len(d.errs) > 0 {
			t.Fatalf("%d: decode: %v %v\n%s", i, err, d.errs.join(), b)
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("%d: round trip changed the experiment:\n got %+v\nwant %+v\n%s", i, got, e, b)
		}
	}
}

func TestWriteTOML(t *testing.T) {
	e := DefaultExperiment()
	var buf strings.Builder
	if err := e.WriteTOML(&buf); err != nil {
		t.Fatal(err)
	}
	b, _ := e.EncodeTOML()
	if buf.String() != string(b) {
		t.Errorf("WriteTOML and EncodeTOML differ:\n%s\n%s", buf.String(), b)
	}
	for _, line := range []string{`duration = "60s"`, `queue-args = "packets=80"`, "[[flow]]\nscheme = \"cubic\""} {
		if !strings.Contains(string(b), line) {
			t.Errorf("written experiment lacks %q:\n%s", line, b)
		}
	}
}

// TestFieldErrorUnwrap checks that callers can match the checker's own
// errors through the joined result.
func TestFieldErrorUnwrap(t *testing.T) {
	sentinel := errors.New("no such scheme")
	check := func(string) error { return sentinel }
	_, err := ParseExperiment("exp.toml", []byte(okRun+okLinks+okFlow), "", check)
	if !errors.Is(err, sentinel) {
		t.Fatalf("errors.Is(%v, sentinel) = false", err)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "flow[0].scheme" || fe.Line != 10 {
		t.Errorf("errors.As gives %+v", fe)
	}
	if got := FieldErrors(fmt.Errorf("wrapped: %w", fe)); len(got) != 1 || got[0] != fe {
		t.Errorf("FieldErrors of a wrapped error = %v", got)
	}
	if FieldErrors(nil) != nil {
		t.Error("FieldErrors(nil) is not empty")
	}
}

func TestEncodeRejectsInvalidUTF8(t *testing.T) {
	e := DefaultExperiment()
	e.Flows[0].Scheme = "cu\xffbic"
	_, err := e.EncodeTOML()
	if err == nil || !strings.Contains(err.Error(), "[[flow]] scheme") || !strings.Contains(err.Error(), "UTF-8") {
		t.Fatalf("EncodeTOML = %v, want an error naming [[flow]] scheme and UTF-8", err)
	}
}

const (
	okLinks = `
[uplink]
capacity = "24mbit"

[downlink]
capacity = "24mbit"
`
	okFlow = `
[[flow]]
scheme = "cubic"
`
	okRun = `duration = "30s"
`
)

func TestBadExperiments(t *testing.T) {
	type tc struct {
		name, toml string
		field      string // "" for file-level problems
		msg        string // substring of the error
		line       int    // 0: not checked
	}
	cases := []tc{
		{"unknown scheme", okRun + okLinks + "[[flow]]\nscheme = \"cubci\"\n", "flow[0].scheme", `unknown scheme "cubci"`, 9},
		{"zero duration", `duration = "0s"` + okLinks + okFlow, "duration", "must be above zero", 1},
		{"negative duration", `duration = "-5s"` + okLinks + okFlow, "duration", "must not be negative", 1},
		{"missing duration", okLinks + okFlow, "duration", "missing", 0},
		{"duration without unit", `duration = 30` + okLinks + okFlow, "duration", `needs a unit: write duration = "30s"`, 1},
		{"duration as string without unit", `duration = "30"` + okLinks + okFlow, "duration", "missing unit", 1},
		{"duration too long", `duration = "800h"` + okLinks + okFlow, "duration", "too long", 1},
		{"delay without unit", okRun + "[uplink]\ncapacity = \"24mbit\"\ndelay = 20\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink.delay", `write delay = "20ms"`, 4},
		{"missing trace", okRun + "[uplink]\ncapacity = \"nope.trace\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink.capacity", `trace file "nope.trace" not found`, 3},
		{"bad trace", okRun + "[uplink]\ncapacity = \"1mbit\"\n[downlink]\ncapacity = \"traces/bad.trace\"\n" + okFlow, "downlink.capacity", "must be non-decreasing", 5},
		{"directory as trace", okRun + "[uplink]\ncapacity = \"traces\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink.capacity", "not a regular file", 3},
		{"rate with spaces", okRun + "[uplink]\ncapacity = \"24 mbit\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink.capacity", "not a rate either", 3},
		{"ambiguous rate", okRun + "[uplink]\ncapacity = \"12mbps\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink.capacity", `rate "12mbps": ambiguous unit`, 3},
		{"missing capacity", okRun + "[uplink]\ndelay = \"1ms\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink.capacity", "missing", 2},
		{"missing downlink", okRun + "[uplink]\ncapacity = \"1mbit\"\n" + okFlow, "downlink", "missing; add a [downlink] table", 0},
		{"bad TOML", "duration = \"30s\nseed = 1\n" + okLinks, "", "not valid TOML", 1},
		{"bad TOML later", okRun + okLinks + "[[flow]\n", "", "not valid TOML", 8},
		{"unknown key", okRun + okLinks + okFlow + "[[event]]\nat = \"1s\"\ndo = \"bw 1mbit\"\nwhen = 3\n", "", `unknown key "when" in event[0] (did you mean "at"?)`, 14},
		{"unknown top-level key", "durtion = \"30s\"\n" + okRun + okLinks + okFlow, "", `unknown key "durtion" at the top level (did you mean "duration"?)`, 1},
		{"unknown table", okRun + "[uplnik]\ncapacity = \"1mbit\"\n" + okLinks + okFlow, "", `unknown table [uplnik] (did you mean [uplink]?)`, 2},
		{"snake_case key", okRun + "[uplink]\ncapacity = \"1mbit\"\nqueue = \"droptail\"\nqueue_args = \"packets=5\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "", `did you mean "queue-args"?`, 5},
		{"upper-case key", okRun + "[uplink]\nCapacity = \"1mbit\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "", `unknown key "Capacity" in [uplink] (did you mean "capacity"?)`, 3},
		{"synonym", okRun + "[uplink]\nbandwidth = \"1mbit\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "", `did you mean "capacity"?`, 3},
		{"no suggestion lists keys", okRun + okLinks + "[[flow]]\nscheme = \"cubic\"\nzzzzzz = 1\n", "", "known keys: scheme, params, start, size, count, interval", 10},
		{"bool as string", okRun + "[uplink]\ncapacity = \"1mbit\"\nonce = \"true\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink.once", "write once = true, without quotes", 4},
		{"string as number", okRun + "[uplink]\ncapacity = 24\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink.capacity", `want a string in quotes, e.g. capacity = "24mbit" (got an integer)`, 3},
		{"table as string", okRun + "uplink = \"24mbit\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink", "want a table", 2},
		{"bad queue args", okRun + "[uplink]\ncapacity = \"1mbit\"\nqueue = \"droptail\"\nqueue-args = \"packets=0\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink.queue-args", "must be positive", 5},
		{"queue args for the wrong queue", okRun + "[uplink]\ncapacity = \"1mbit\"\nqueue = \"droptail\"\nqueue-args = \"packets=5, target=5\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink.queue-args", "target is not a droptail argument", 5},
		{"queue args without queue", okRun + "[uplink]\ncapacity = \"1mbit\"\nqueue-args = \"packets=5\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink.queue-args", "queue infinite takes no arguments", 4},
		{"unknown queue", okRun + "[uplink]\ncapacity = \"1mbit\"\nqueue = \"red\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink.queue", `unknown queue type "red"`, 4},
		{"bad loss", okRun + "[uplink]\ncapacity = \"1mbit\"\nloss = \"150%\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink.loss", "between 0 and 100%", 4},
		{"loss as number", okRun + "[uplink]\ncapacity = \"1mbit\"\nloss = 0.01\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink.loss", `e.g. loss = "1%"`, 4},
		{"bad onoff", okRun + "[uplink]\ncapacity = \"1mbit\"\n[downlink]\ncapacity = \"1mbit\"\nonoff = \"5s 1s\"\n" + okFlow, "downlink.onoff", "want \"onoff MEAN_ON MEAN_OFF\"", 6},
		{"log directory missing", okRun + "[uplink]\ncapacity = \"1mbit\"\nlog = \"nodir/up.log\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink.log", "does not exist", 4},
		{"same log twice", okRun + "[uplink]\ncapacity = \"1mbit\"\nlog = \"x.log\"\n[downlink]\ncapacity = \"1mbit\"\nlog = \"./x.log\"\n" + okFlow, "downlink.log", "the uplink's log file too", 7},
		{"unknown link command", okRun + okLinks + okFlow + "[[event]]\nat = \"1s\"\ndo = \"bw 1mbit\"\n[[event]]\nat = \"2s\"\ndo = \"warp 9\"\n", "event[1].do", `unknown link command "warp"`, 16},
		{"bad link command argument", okRun + okLinks + okFlow + "[[event]]\nat = \"1s\"\ndo = \"bw 12mbps\"\n", "event[0].do", "ambiguous unit", 13},
		{"event after the end", okRun + okLinks + okFlow + "[[event]]\nat = \"40s\"\ndo = \"bw 1mbit\"\n", "event[0].at", "40s is after the end of the run (duration 30s)", 12},
		{"event without command", okRun + okLinks + okFlow + "[[event]]\nat = \"4s\"\n", "event[0].do", "missing", 11},
		{"flow after the end", okRun + okLinks + "[[flow]]\nscheme = \"cubic\"\nstart = \"40s\"\n", "flow[0].start", "40s is after the end of the run (duration 30s)", 10},
		{"negative size", okRun + okLinks + "[[flow]]\nscheme = \"cubic\"\nsize = -5\n", "flow[0].size", "must not be negative", 10},
		{"size in bits", okRun + okLinks + "[[flow]]\nscheme = \"cubic\"\nsize = \"10Mb\"\n", "flow[0].size", "is bits; sizes are bytes, write e.g. 10MB", 10},
		{"fractional bytes", okRun + okLinks + "[[flow]]\nscheme = \"cubic\"\nsize = \"1.0005kB\"\n", "flow[0].size", "not a whole number of bytes", 10},
		{"missing scheme", okRun + okLinks + "[[flow]]\nstart = \"1s\"\n", "flow[0].scheme", "missing", 8},
		{"no flows", okRun + okLinks, "flow", "at least one flow is needed", 0},
		{"single-bracket flow", okRun + okLinks + "[flow]\nscheme = \"cubic\"\n", "flow", "double brackets", 8},
		{"pantheon interval overflow", okRun + okLinks + "[[flow]]\nscheme = \"cubic\"\ncount = 3\ninterval = \"20s\"\n", "flow[0].interval", "the last would start at 40s, after the end of the run (duration 30s); Pantheon requires", 11},
		{"interval without count", okRun + okLinks + "[[flow]]\nscheme = \"cubic\"\ninterval = \"2s\"\n", "flow[0].interval", "only applies with count > 1", 10},
		{"count zero", okRun + okLinks + "[[flow]]\nscheme = \"cubic\"\ncount = 0\n", "flow[0].count", "want 1 to 1000 flows", 10},
		{"flow numbering follows the file", okRun + okLinks + "[[flow]]\nscheme = \"cubic\"\ncount = 2\n[[flow]]\nscheme = \"bogus\"\n", "flow[1].scheme", `unknown scheme "bogus"`, 12},
		{"sample interval too long", "sample-interval = \"2s\"\n" + okRun + okLinks + okFlow, "sample-interval", "out of range; want 1ms to 1s", 1},
		{"sample interval too short", "sample-interval = \"500us\"\n" + okRun + okLinks + okFlow, "sample-interval", "out of range", 1},
		{"command with the sim", "command = [\"iperf3\", \"-c\", \"x\"]\n" + okRun + okLinks + okFlow, "command", "commands run only with the netns backend", 0},
		{"receiver command alone", "backend = \"netns\"\nreceiver-command = [\"iperf3\", \"-s\"]\n" + okRun + okLinks + okFlow, "receiver-command", "needs a command on the sender's side", 0},
		{"empty program", "backend = \"netns\"\ncommand = [\"\"]\n" + okRun + okLinks, "command", "the program name is empty", 0},
		{"command not strings", "backend = \"netns\"\ncommand = \"iperf3 -c x\"\n" + okRun + okLinks, "command", "", 0},
		{"unknown backend", "backend = \"docker\"\n" + okRun + okLinks + okFlow, "backend", `unknown backend "docker"`, 1},
		{"negative seed", "seed = -1\n" + okRun + okLinks + okFlow, "seed", "must not be negative", 1},
		{"name with a newline", "name = \"a\\nb\"\n" + okRun + okLinks + okFlow, "name", "one line", 1},
		{"seed not a number", "seed = \"abc\"\n" + okRun + okLinks + okFlow, "seed", "want a whole number", 1},
		{"seed as a float", "seed = 1.5\n" + okRun + okLinks + okFlow, "seed", "got a number", 1},
		{"duration as a boolean", "duration = true\n" + okLinks + okFlow, "duration", `want a duration in quotes, e.g. duration = "30s" (got a boolean)`, 1},
		{"negative duration number", "duration = -3\n" + okLinks + okFlow, "duration", "must not be negative", 1},
		{"too many flows", okRun + okLinks + "[[flow]]\nscheme = \"cubic\"\ncount = 600\n[[flow]]\nscheme = \"reno\"\ncount = 600\n", "flow[1].count", "1200 flows in all: at most 1000", 13},
		{"flow not a table", okRun + "flow = [ { scheme = \"cubic\" }, 1 ]\n" + okLinks, "flow[1]", "want a table like { scheme = \"cubic\" } (got an integer)", 2},
		{"events not tables", okRun + "event = \"bw 1mbit\"\n" + okLinks + okFlow, "event", "want [[event]] tables", 2},
		{"log is a directory", okRun + "[uplink]\ncapacity = \"1mbit\"\nlog = \"traces\"\n[downlink]\ncapacity = \"1mbit\"\n" + okFlow, "uplink.log", "is a directory", 4},
		{"missing trace in a command", okRun + okLinks + okFlow + "[[event]]\nat = \"1s\"\ndo = \"trace nope\"\n", "event[0].do", `trace file "nope" not found (resolved to testdata/experiments/nope); give the path of a mahimahi trace file, relative`, 13},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseExperiment("exp.toml", []byte(c.toml), fixturesDir, testChecker)
			if err == nil {
				t.Fatalf("accepted:\n%s", c.toml)
			}
			if !strings.HasPrefix(err.Error(), "exp.toml") {
				t.Errorf("error does not start with the file name: %v", err)
			}
			for _, fe := range FieldErrors(err) {
				if fe.Field == c.field && strings.Contains(fe.Err.Error(), c.msg) {
					if c.line != 0 && fe.Line != c.line {
						t.Errorf("line = %d, want %d: %v", fe.Line, c.line, fe)
					}
					if fe.File != "exp.toml" {
						t.Errorf("File = %q, want exp.toml", fe.File)
					}
					return
				}
			}
			t.Errorf("no error on field %q containing %q; got:\n%v", c.field, c.msg, err)
		})
	}
}

// TestOneBadFlowTable checks that a flow that is not a table does not hide
// the good ones (no "at least one flow" noise) nor shift their numbers.
func TestOneBadFlowTable(t *testing.T) {
	src := okRun + "flow = [ 1, { scheme = \"vegas\" } ]\n" + okLinks
	_, err := ParseExperiment("exp.toml", []byte(src), "", testChecker)
	var got []string
	for _, fe := range FieldErrors(err) {
		got = append(got, fe.Field)
	}
	if want := []string{"flow[0]", "flow[1].scheme"}; !reflect.DeepEqual(got, want) {
		t.Errorf("fields = %q, want %q\n%v", got, want, err)
	}
}

// TestErrorText checks whole messages as the user sees them.
func TestErrorText(t *testing.T) {
	src := "name = \"x\"\nduration = \"30s\"\n\n[uplink]\ncapacity = \"24mbit\"\ndelay = \"20ms\"\ncapacty = \"12mbit\"\n\n[downlink]\ncapacity = \"24mbit\"\n\n[[flow]]\nscheme = \"cubic\"\n[[flow]]\nscheme = \"reno\"\n[[flow]]\nscheme = \"cubci\"\n"
	_, err := ParseExperiment("exp.toml", []byte(src), "", testChecker)
	want := "exp.toml line 7: unknown key \"capacty\" in [uplink] (did you mean \"capacity\"?)\n" +
		"exp.toml line 17: flow[2].scheme: unknown scheme \"cubci\" (want reno or cubic)"
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n%v\nwant:\n%s", err, want)
	}
}

// TestAllErrorsReported checks that one parse reports every problem, in
// file order, without repeating a problem Validate would find again.
func TestAllErrorsReported(t *testing.T) {
	src := `sample-interval = "5s"
duration = 30
[uplink]
capacity = "12mbps"
queue = "droptail"
queue-args = "packets=-1"
[downlink]
capacity = "24mbit"
[[flow]]
scheme = "vegas"
[[event]]
at = "1s"
do = "warp"
`
	_, err := ParseExperiment("exp.toml", []byte(src), "", testChecker)
	fes := FieldErrors(err)
	var got []string
	for _, fe := range fes {
		got = append(got, fe.Field)
	}
	want := []string{"sample-interval", "duration", "uplink.capacity", "uplink.queue-args", "flow[0].scheme", "event[0].do"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fields = %q, want %q\n%v", got, want, err)
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != len(want) {
		t.Errorf("error has %d lines, want one per problem (%d)", n, len(want))
	}
}

func TestValidateWithoutFile(t *testing.T) {
	e := DefaultExperiment()
	e.Duration = 30 * time.Second
	e.Flows = append(e.Flows, FlowSpec{Scheme: "reno", Start: 40 * time.Second, Size: -1})
	e.Timeline = []TimedChange{{At: -time.Second, Command: "bw 1mbit"}}
	e.SampleInterval = 0
	err := e.Validate(testChecker)
	want := []string{
		"sample-interval: 0s is out of range; want 1ms to 1s (default 10ms)",
		"event[0].at: -1s: must not be negative",
		"flow[1].start: 40s is after the end of the run (duration 30s); start it earlier or lengthen the run",
		"flow[1].size: -1: must not be negative (0 sends until the end of the run)",
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Fatalf("Validate:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
	// A nil checker skips the scheme check.
	e = DefaultExperiment()
	e.Flows[0].Scheme = "anything"
	if err := e.Validate(nil); err != nil {
		t.Errorf("Validate(nil) = %v", err)
	}
	if err := e.Validate(testChecker); err == nil {
		t.Error("Validate(testChecker) accepted scheme \"anything\"")
	}
}

func TestDefaultExperiment(t *testing.T) {
	e := DefaultExperiment()
	if err := e.Validate(testChecker); err != nil {
		t.Fatal(err)
	}
	up, down, timeline, err := e.Links()
	if err != nil {
		t.Fatal(err)
	}
	// One bandwidth-delay product, computed from the link itself.
	rtt := up.Delay + down.Delay
	bdpBytes := up.Capacity.Rate * rtt.Seconds() / 8
	if rtt != 40*time.Millisecond || up.Capacity.Rate != 24e6 || down.Capacity.Rate != 24e6 {
		t.Errorf("link = %v/%v, rtt %v; want 24mbit both ways and a 40ms RTT", up.Capacity, down.Capacity, rtt)
	}
	if want := (emu.QueueSpec{Kind: emu.QueueDropTail, Packets: int(math.Round(bdpBytes / 1500))}); up.Queue != want || want.Packets != 80 {
		t.Errorf("uplink queue = %+v, want %+v (BDP %.0f bytes)", up.Queue, want, bdpBytes)
	}
	if down.Queue.Kind != emu.QueueInfinite {
		t.Errorf("downlink queue = %v, want infinite", down.Queue)
	}
	if len(timeline) != 0 || len(e.Flows) != 1 || e.Flows[0] != (FlowSpec{Scheme: "cubic"}) {
		t.Errorf("flows %+v, timeline %v; want one bulk cubic flow from 0 and no events", e.Flows, timeline)
	}
	if e.Duration != time.Minute || e.Seed != 1 || e.Backend != "sim" || e.SampleInterval != 10*time.Millisecond {
		t.Errorf("run = %v seed %d backend %q sample %v", e.Duration, e.Seed, e.Backend, e.SampleInterval)
	}
	// Each call is a fresh value: changing one does not change the next.
	e.Flows[0].Scheme = "reno"
	if DefaultExperiment().Flows[0].Scheme != "cubic" {
		t.Error("DefaultExperiment shares its flows between calls")
	}
}

func TestLinksSeeds(t *testing.T) {
	e := DefaultExperiment()
	e.Seed = 42
	up, down, _, err := e.Links()
	if err != nil {
		t.Fatal(err)
	}
	if up.Seed != 42 || down.Seed != 42+0x9e3779b97f4a7c15 {
		t.Errorf("seeds = %#x, %#x; want 42 and 42+0x9e3779b97f4a7c15 (the link flags' derivation)", up.Seed, down.Seed)
	}
	up2, down2, _, _ := e.Links()
	if up2.Seed != up.Seed || down2.Seed != down.Seed {
		t.Error("seeds change between calls")
	}
	e.Seed = 43
	up3, down3, _, _ := e.Links()
	if up3.Seed == up.Seed || down3.Seed == down.Seed || up3.Seed == down3.Seed {
		t.Errorf("seed 43 gives %#x/%#x, seed 42 gave %#x/%#x", up3.Seed, down3.Seed, up.Seed, down.Seed)
	}
	// Other purposes: distinct from each other and from the links', stable.
	seen := map[uint64]string{up.Seed: "uplink", down.Seed: "downlink"}
	e.Seed = 42
	for _, p := range []string{"flow", "scheme", "flows"} {
		for i := range 50 {
			s := e.SeedFor(p, i)
			if prev, dup := seen[s]; dup {
				t.Fatalf("SeedFor(%q, %d) = %#x, same as %s", p, i, s, prev)
			}
			seen[s] = p
			if e.SeedFor(p, i) != s {
				t.Fatalf("SeedFor(%q, %d) is not stable", p, i)
			}
		}
	}
	f := e.SeedFor("flow", 0)
	e.Seed = 43
	if e.SeedFor("flow", 0) == f {
		t.Error("SeedFor ignores the experiment's seed")
	}
}

func TestLinksTimeline(t *testing.T) {
	e := DefaultExperiment()
	e.BaseDir = fixturesDir
	e.Timeline = []TimedChange{
		{At: 20 * time.Second, Command: "delay 40ms"},
		{At: 5 * time.Second, Command: "bw 6mbit"},
		{At: 20 * time.Second, Command: "uplink loss 1%"},
		{At: 5 * time.Second, Command: "downlink trace traces/step.trace"},
		{At: 0, Command: "queue codel packets=100 target=5 interval=100"},
	}
	_, _, cmds, err := e.Links()
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		at    time.Duration
		dir   emu.Direction
		param emu.Param
	}
	want := []got{
		{0, emu.Uplink, emu.ParamQueue},
		{5 * time.Second, emu.Uplink, emu.ParamCapacity},
		{5 * time.Second, emu.Downlink, emu.ParamCapacity},
		{20 * time.Second, emu.Both, emu.ParamDelay},
		{20 * time.Second, emu.Uplink, emu.ParamLoss},
	}
	if len(cmds) != len(want) {
		t.Fatalf("%d commands, want %d", len(cmds), len(want))
	}
	for i, c := range cmds {
		if g := (got{c.Change.At, c.Dir, c.Change.Param}); g != want[i] {
			t.Errorf("command %d = %+v (%v), want %+v", i, g, c, want[i])
		}
	}
	if r := cmds[1].Change.Capacity.Rate; r != 6e6 {
		t.Errorf("bw 6mbit parsed as %v bit/s", r)
	}
	if tr := cmds[2].Change.Capacity.Trace; tr == nil || !reflect.DeepEqual(tr.Ms, []int64{1, 2, 3, 4}) {
		t.Errorf("trace command loaded %+v, want the 4-line fixture", tr)
	}
	if cmds[4].Change.Loss.P != 0.01 {
		t.Errorf("loss = %v, want 1%%", cmds[4].Change.Loss)
	}
	// The input is left as it was.
	if e.Timeline[0].At != 20*time.Second {
		t.Error("Links reordered the experiment's own timeline")
	}
}

func TestLinksRelativePaths(t *testing.T) {
	// relative.toml names traces/step.trace relative to its own directory;
	// loading it from elsewhere must still find the trace.
	e, err := LoadExperiment(filepath.Join(fixturesDir, "relative.toml"), testChecker)
	if err != nil {
		t.Fatal(err)
	}
	up, down, cmds, err := e.Links()
	if err != nil {
		t.Fatal(err)
	}
	if up.Capacity.Trace == nil || !reflect.DeepEqual(up.Capacity.Trace.Ms, []int64{1, 2, 3, 4}) || !up.Once {
		t.Errorf("uplink = %+v, want the step trace, once", up)
	}
	if down.Capacity.Rate != 12e6 {
		t.Errorf("downlink rate = %v", down.Capacity.Rate)
	}
	if len(cmds) != 1 || cmds[0].Change.Capacity.Trace == nil {
		t.Fatalf("timeline = %v, want one trace change", cmds)
	}
	if got, want := e.Resolve(e.Uplink.Log), filepath.Join(fixturesDir, "uplink.log"); got != want {
		t.Errorf("Resolve(log) = %q, want %q", got, want)
	}
	abs, _ := filepath.Abs("/tmp/x.trace")
	if got := e.Resolve(abs); got != abs {
		t.Errorf("Resolve(%q) = %q; absolute paths stay", abs, got)
	}

	// The same experiment with another base directory does not find it.
	e.BaseDir = t.TempDir()
	if _, _, _, err := e.Links(); err == nil || !strings.Contains(err.Error(), "uplink.capacity") {
		t.Errorf("Links from another base = %v, want an uplink.capacity error", err)
	}
}

func TestPantheonFlows(t *testing.T) {
	got := PantheonFlows("cubic", 3, 10*time.Second)
	want := []FlowSpec{{Scheme: "cubic"}, {Scheme: "cubic", Start: 10 * time.Second}, {Scheme: "cubic", Start: 20 * time.Second}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PantheonFlows = %+v, want %+v", got, want)
	}
	if PantheonFlows("cubic", 0, time.Second) != nil {
		t.Error("PantheonFlows(0) is not nil")
	}
	if f := PantheonFlows("cubic", 3, time.Duration(math.MaxInt64/2+1)); f[2].Start != math.MaxInt64 {
		t.Errorf("overflowing start = %v, want saturation", f[2].Start)
	}
	for _, c := range []struct {
		n               int
		interval, total time.Duration
		ok              bool
	}{
		{1, 0, time.Second, true},
		{3, 10 * time.Second, 30 * time.Second, true},
		{3, 15 * time.Second, 30 * time.Second, true}, // (3−1)·15 = 30 ≤ 30
		{3, 16 * time.Second, 30 * time.Second, false},
		{0, 0, time.Second, false},
		{2, -time.Second, time.Second, false},
		{MaxFlows + 1, 0, time.Second, false},
		{3, time.Duration(math.MaxInt64 / 2), time.Hour, false},
	} {
		err := ValidatePantheon(c.n, c.interval, c.total)
		if (err == nil) != c.ok {
			t.Errorf("ValidatePantheon(%d, %v, %v) = %v, want ok=%v", c.n, c.interval, c.total, err, c.ok)
		}
		if c.ok {
			e := DefaultExperiment()
			e.Duration = c.total
			e.Flows = PantheonFlows("cubic", c.n, c.interval)
			if err := e.Validate(testChecker); err != nil {
				t.Errorf("Pantheon-valid flows fail Validate: %v", err)
			}
		}
	}
}

func TestSizes(t *testing.T) {
	for s, want := range map[string]int64{
		"0": 0, "123456": 123456, "10MB": 10_000_000, "500kB": 500_000, "500KB": 500_000,
		"1.5kB": 1500, "2 GiB": 2 << 30, "64KiB": 65536, "1MiB": 1 << 20, "7B": 7,
		"9223372036854775807": math.MaxInt64, "0.5KiB": 512, "3TB": 3e12,
	} {
		got, err := ParseSize(s)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "-1", "10Mb", "10mb", "1.5B", "0.0001kB", "1e3", "MB", "1..2MB", ".5MB", "5.MB", "9223372036854775808", "10 PB", "10XB"} {
		if n, err := ParseSize(s); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", s, n)
		}
	}
	for n, want := range map[int64]string{0: "0", 1: "1B", 999: "999B", 1000: "1kB", 1500: "1500B", 10_000_000: "10MB", 1 << 20: "1MiB", 3 << 30: "3GiB", 2e12: "2TB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		n := r.Int64() >> r.IntN(63)
		if got, err := ParseSize(FormatSize(n)); err != nil || got != n {
			t.Fatalf("ParseSize(FormatSize(%d) = %q) = %d, %v", n, FormatSize(n), got, err)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", time.Minute: "60s", 1500 * time.Millisecond: "1.5s", 20 * time.Millisecond: "20ms",
		250 * time.Microsecond: "250us", 7: "7ns", 1001 * time.Microsecond: "1.001ms",
		time.Second + time.Nanosecond: "1.000000001s", time.Microsecond + 1: "1001ns", 90 * time.Minute: "5400s", -2 * time.Second: "-2s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%d) = %q, want %q", d, got, want)
		}
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 5000 {
		d := time.Duration(r.Int64() >> r.IntN(63))
		if d%7 == 0 {
			d = d / time.Duration(time.Millisecond) * time.Duration(time.Millisecond)
		}
		got, err := emu.ParseDuration("d", FormatDuration(d))
		if err != nil || got != d {
			t.Fatalf("ParseDuration(FormatDuration(%d) = %q) = %d, %v", d, FormatDuration(d), got, err)
		}
	}
	if got, err := emu.ParseDuration("d", FormatDuration(math.MaxInt64)); err != nil || got != math.MaxInt64 {
		t.Errorf("max duration: %d, %v", got, err)
	}
}

func TestLocateKeys(t *testing.T) {
	src := `# a comment [not] = "a table"
name = "x # not a comment" # 2
text = """
[uplink]
fake = 1
"""
[uplink]
capacity = "24mbit"
"queue-args" = 'packets=1'
[[flow]]
scheme = "cubic"
[[flow]]
scheme = "reno"
   start = "1s"
[flow.extra]
deep = 1
[downlink]
inline = { a = 1, b = [ { c = 2 },
  { d = 3 } ] }
dotted.key = "v"
"quo\u0074ed" = 1
lit = '''
x = 1
'''
after = 2
`
	var v map[string]any
	if _, err := toml.Decode(src, &v); err != nil {
		t.Fatalf("the test document is not valid TOML: %v", err)
	}
	got := locateKeys(src)
	for path, line := range map[string]int{
		"name": 2, "text": 3, "uplink": 7, "uplink.capacity": 8, "uplink.queue-args": 9,
		"flow[0]": 10, "flow[0].scheme": 11, "flow[1]": 12, "flow[1].scheme": 13, "flow[1].start": 14,
		"flow[1].extra": 15, "flow[1].extra.deep": 16, "downlink": 17, "downlink.inline": 18,
		"downlink.inline.a": 18, "downlink.inline.b[0].c": 18, "downlink.inline.b[1].d": 19,
		"downlink.dotted": 20, "downlink.dotted.key": 20, "downlink.quoted": 21, "downlink.lit": 22,
		"downlink.after": 25,
	} {
		if got[path] != line {
			t.Errorf("line of %s = %d, want %d", path, got[path], line)
		}
	}
	if _, ok := got["uplink.fake"]; ok {
		t.Error("a key inside a multi-line string was located")
	}
	if _, ok := got["not"]; ok {
		t.Error("a key inside a comment was located")
	}
	if n := got.line("flow[1].extra.missing"); n != 15 {
		t.Errorf("fallback line = %d, want 15 (the enclosing table)", n)
	}
	if n := got.line("nowhere.at.all"); n != 0 {
		t.Errorf("line of an unknown path = %d, want 0", n)
	}
}

func TestLoadExperimentErrors(t *testing.T) {
	if _, err := LoadExperiment(filepath.Join(t.TempDir(), "none.toml"), nil); err == nil || !strings.Contains(err.Error(), "none.toml") {
		t.Errorf("missing file: %v", err)
	}
	big := filepath.Join(t.TempDir(), "big.toml")
	if err := os.WriteFile(big, make([]byte, MaxExperimentBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadExperiment(big, nil); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized file: %v", err)
	}
}

func TestParseDefaults(t *testing.T) {
	e, err := ParseExperiment("min.toml", []byte(okRun+okLinks+okFlow), "base", nil)
	if err == nil {
		// "base" does not exist, but nothing in this experiment needs it.
		if e.Backend != "sim" || e.Seed != 1 || e.SampleInterval != 10*time.Millisecond || e.BaseDir != "base" {
			t.Errorf("defaults: backend %q seed %d sample %v base %q", e.Backend, e.Seed, e.SampleInterval, e.BaseDir)
		}
	} else {
		t.Fatal(err)
	}
	// Seeds beyond TOML's integers are written as strings and read back.
	e.Seed = math.MaxUint64
	b, err := e.EncodeTOML()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `seed = "18446744073709551615"`) {
		t.Errorf("large seed written as:\n%s", b)
	}
	roundTrip(t, e)
	// Inline tables and arrays of inline tables are the same as tables.
	inline := okRun + `uplink = { capacity = "24mbit", delay = "20ms" }
downlink = { capacity = "24mbit" }
flow = [ { scheme = "cubic" }, { scheme = "reno", size = "bulk" } ]
`
	e, err = ParseExperiment("inline.toml", []byte(inline), "", testChecker)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Flows) != 2 || e.Flows[1].Scheme != "reno" || e.Uplink.Delay != 20*time.Millisecond {
		t.Errorf("inline form parsed as %+v", e)
	}
}

// TestFlowParamsTable: [flow.params] tables become scheme parameters, in
// a stable order, and bad values are refused with the field named.
func TestFlowParamsTable(t *testing.T) {
	src := `duration = "5s"
[uplink]
capacity = "12mbit"
[downlink]
capacity = "12mbit"
[[flow]]
scheme = "cubic"
params = { hystart = false, beta = 0.8 }
[[flow]]
scheme = "cubic:c=0.5"
[flow.params]
iw = 4
`
	e, err := ParseExperiment("p.toml", []byte(src), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.Flows[0].Scheme != "cubic:beta=0.8,hystart=0" || e.Flows[1].Scheme != "cubic:c=0.5,iw=4" {
		t.Fatalf("schemes %q, %q", e.Flows[0].Scheme, e.Flows[1].Scheme)
	}
	for bad, want := range map[string]string{
		`params = 3`:                 "flow[0].params: want a table of scheme parameters",
		`params = { beta = [1, 2] }`: "flow[0].params.beta: want a number",
		`params = { beta = "a,b" }`:  "cannot contain",
	} {
		_, err := ParseExperiment("p.toml", []byte("duration = \"5s\"\n[uplink]\ncapacity = \"12mbit\"\n[downlink]\ncapacity = \"12mbit\"\n[[flow]]\nscheme = \"cubic\"\n"+bad+"\n"), "", nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", bad, err, want)
		}
	}
}

// TestCCPAgentField: ccp-agent and ccp-fallback are read, checked and
// written back.
func TestCCPAgentField(t *testing.T) {
	base := "duration = \"5s\"\n[uplink]\ncapacity = \"12mbit\"\n[downlink]\ncapacity = \"12mbit\"\n[[flow]]\nscheme = \"cubic\"\n"
	e, err := ParseExperiment("x.toml", []byte("ccp-agent = \"unix:gca\"\nccp-fallback = \"250ms\"\n"+base), "", nil)
	if err != nil || e.CCPAgent != "unix:gca" || e.CCPFallback != 250*time.Millisecond {
		t.Fatalf("%+v %v", e, err)
	}
	if name, _ := ParseCCPAgent(e.CCPAgent); name != "gca" {
		t.Fatalf("socket name %q", name)
	}
	if name, _ := ParseCCPAgent("unix"); name != "portus" {
		t.Fatalf("default socket name %q", name)
	}
	for _, c := range []struct{ src, want string }{
		{"ccp-agent = \"tcp:1\"\n", "want unix or unix:NAME"},
		{"ccp-agent = \"unix:a/b\"\n", "plain socket name"},
		{"ccp-fallback = \"2h\"\n", "ccp-fallback: 7200s is out of range"},
	} {
		if _, err := ParseExperiment("x.toml", []byte(c.src+base), "", nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.src, err, c.want)
		}
	}
}
