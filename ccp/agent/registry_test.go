package agent

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBuiltinsTable(t *testing.T) {
	want := []string{"reno", "cubic", "bbr", "copa", "const", "aimd"}
	if got := BuiltinNames(); !slices.Equal(got, want) {
		t.Fatalf("BuiltinNames() = %v, want %v", got, want)
	}
	for _, info := range Builtins() {
		if info.Doc == "" || !strings.HasPrefix(info.Ref, "github.com/") {
			t.Errorf("%s: Doc %q, Ref %q", info.Name, info.Doc, info.Ref)
		}
		seen := map[string]bool{}
		for _, p := range info.Params {
			if p.Name == "" || p.Doc == "" || seen[p.Name] {
				t.Errorf("%s: bad or duplicate parameter %+v", info.Name, p)
			}
			seen[p.Name] = true
			if p.Default < p.Min || p.Default > p.Max {
				t.Errorf("%s.%s: default %v outside %v..%v", info.Name, p.Name, p.Default, p.Min, p.Max)
			}
			if p.Kind == ParamBool && (p.Min != 0 || p.Max != 1) {
				t.Errorf("%s.%s: a switch ranges %v..%v", info.Name, p.Name, p.Min, p.Max)
			}
		}
		a, err := New(info.Name)
		if err != nil {
			t.Fatalf("New(%q): %v", info.Name, err)
		}
		if a.Name() != info.Name {
			t.Errorf("New(%q).Name() = %q", info.Name, a.Name())
		}
		if got, ok := Lookup(info.Name); !ok || got.Name != info.Name {
			t.Errorf("Lookup(%q) = %v, %v", info.Name, got, ok)
		}
	}
	// The table is the caller's copy.
	b := Builtins()
	b[0].Name = "changed"
	b[0].Params[0].Default = 12345
	if c := Builtins(); c[0].Name != "reno" || c[0].Params[0].Default == 12345 {
		t.Error("changing Builtins()'s result changed the table")
	}
	// So are the programs.
	a, _ := New("reno")
	a.Programs()[gcaProgRTT] = "changed"
	if a.Programs()[gcaProgRTT] == "changed" {
		t.Error("changing Programs()'s result changed the algorithm")
	}
}

func TestNewDefaults(t *testing.T) {
	for _, name := range []string{"reno", "cubic"} {
		a, err := New(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.(*gcaAlg).cfg; got != DefaultGCAConfig() {
			t.Errorf("%s: config %+v, want %+v", name, got, DefaultGCAConfig())
		}
	}
	a, _ := New("bbr")
	if got := a.(*bbrAlg).cfg.ProbeRTTInterval; got != 10*time.Second {
		t.Errorf("bbr: probe_rtt_interval %v, want 10s", got)
	}
	a, _ = New("copa")
	if got := a.(*copaAlg).cfg; got != (CopaConfig{DefaultDelta: 0.5}) {
		t.Errorf("copa: config %+v", got)
	}
	a, _ = New("const")
	if got := a.(*constAlg).cfg; got != (ConstConfig{}) {
		t.Errorf("const: config %+v", got)
	}
	a, _ = New("aimd")
	if got := a.(*aimdAlg).cfg; got != DefaultAIMDConfig() {
		t.Errorf("aimd: config %+v", got)
	}
}

func TestNewWithParams(t *testing.T) {
	a, err := New("cubic:ss_thresh=100000")
	if err != nil {
		t.Fatal(err)
	}
	if got := a.(*gcaAlg).cfg.SSThresh; got != 100000 || a.Name() != "cubic" {
		t.Errorf("ss_thresh %d, want 100000", got)
	}
	a, err = New(" Reno : per_ack = on , init_cwnd=20000, deficit_timeout=3,compensate_update=yes,ss_in_fold=true ")
	if err != nil {
		t.Fatal(err)
	}
	want := GCAConfig{InitCwnd: 20000, SSThresh: gcaDefaultSSThresh, PerAck: true, Compensate: true, SSInFold: true, DeficitTimeout: 3}
	if got := a.(*gcaAlg).cfg; got != want {
		t.Errorf("config %+v, want %+v", got, want)
	}
	a, err = New("reno:report_interval_ms=20")
	if err != nil {
		t.Fatal(err)
	}
	if got := a.(*gcaAlg).cfg.ReportInterval; got != 20*time.Millisecond {
		t.Errorf("report interval %v", got)
	}
	a, err = New("copa:default_delta=0.1,tcp_mode=off,init_cwnd=30000")
	if err != nil {
		t.Fatal(err)
	}
	if got := a.(*copaAlg).cfg; got != (CopaConfig{InitCwnd: 30000, DefaultDelta: 0.1, NoTCPMode: true}) {
		t.Errorf("copa config %+v", got)
	}
	if _, err := New("reno:"); err != nil {
		t.Errorf("an empty parameter list: %v", err)
	}
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"", "reno, cubic, bbr, copa, const, aimd"},
		{"vegas", `unknown CCP algorithm "vegas" (want one of reno, cubic, bbr, copa, const, aimd)`},
		{"reno:bogus=1", `unknown parameter "bogus" (reno takes compensate_update, deficit_timeout, init_cwnd, per_ack, report_interval_ms, ss_in_fold, ss_thresh)`},
		{"bbr:cwnd=1", "bbr takes probe_rtt_interval"},
		{"reno:ss_thresh", `"ss_thresh" has no value`},
		{"reno:=5", "has no parameter name"},
		{"reno:ss_thresh=abc", "ss_thresh=abc: not a number (want 0 to 2147483647 bytes)"},
		{"reno:ss_thresh=-1", "out of range (want 0 to 2147483647 bytes)"},
		{"reno:init_cwnd=1.5", "not a whole number"},
		{"reno:per_ack=2", "not a switch"},
		{"reno:ss_thresh=1,ss_thresh=2", "given twice"},
		{"reno:per_ack=1,report_interval_ms=10", "per_ack and report_interval_ms exclude each other"},
		{"const:cwnd=1000,rate=2000", "cwnd and rate exclude each other"},
		{"const:cwnd_cap=1000", "cwnd_cap applies only with rate"},
		{"bbr:probe_rtt_interval=0", "out of range (want 1 to 3600 s)"},
		{"copa:default_delta=2", "out of range"},
		{"copa:default_delta=NaN", "not a number"},
		{"aimd:md=1", "out of range"},
	} {
		_, err := New(tc.spec)
		if err == nil {
			t.Errorf("New(%q) succeeded", tc.spec)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%q): %v; want it to say %q", tc.spec, err, tc.want)
		}
		if Validate(tc.spec) == nil {
			t.Errorf("Validate(%q) = nil", tc.spec)
		}
	}
}

// TestReportsNeverPanic feeds every algorithm's flows random reports —
// right and wrong programs, missing and extra variables, extreme values —
// from several goroutines (run with -race) and checks nothing panics and
// every datapath call is valid (the fake datapath checks that).
func TestReportsNeverPanic(t *testing.T) {
	specs := append(BuiltinNames(), "reno:per_ack=1", "cubic:ss_in_fold=1", "reno:deficit_timeout=2", "const:rate=100000")
	extremes := []uint64{0, 1, 2, 1448, 50_000, 1<<31 - 1, 1<<32 - 1, 1 << 32, 1<<63 - 1, 1<<64 - 1}
	for _, spec := range specs {
		t.Run(spec, func(t *testing.T) {
			env, clk, _ := testEnv()
			alg, err := NewWithEnv(spec, env)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(uint64(g), 42))
					dp := newFakeDP(t, alg)
					f := alg.NewFlow(dp, FlowInfo{SockID: uint32(g), InitCwnd: uint32(rng.IntN(3)) * 14480, MSS: uint32(rng.IntN(2)) * 1448})
					for range 1000 {
						clk.advance(time.Duration(rng.IntN(20)) * time.Millisecond)
						sc := dp.scope()
						if rng.IntN(10) == 0 { // another program's report
							sc.UID = uint32(rng.IntN(5))
						}
						info := dp.progs[sc.Program]
						var names []string
						var values []uint64
						for _, n := range info.reports {
							if rng.IntN(50) == 0 {
								continue // missing
							}
							names = append(names, n)
							var v uint64
							switch rng.IntN(4) {
							case 0:
								v = extremes[rng.IntN(len(extremes))]
							case 1:
								v = uint64(rng.IntN(2))
							default:
								v = uint64(rng.IntN(200_000))
							}
							values = append(values, v)
						}
						f.OnReport(NewReport(sc.Program, sc.UID, names, values))
					}
					f.Close()
					f.OnReport(NewReport("x", 0, nil, nil))
				})
			}
			wg.Wait()
		})
	}
}
