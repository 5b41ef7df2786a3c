package cc

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/ccscope/ccscope/live/transport"
)

func TestNamesSortedAndComplete(t *testing.T) {
	names := Names()
	if !slices.IsSorted(names) {
		t.Fatalf("Names() = %v, not sorted", names)
	}
	for _, want := range []string{"cubic", "reno"} {
		if !slices.Contains(names, want) {
			t.Fatalf("Names() = %v, missing %q", names, want)
		}
	}
	if len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Fatalf("Names() = %v has duplicates", names)
	}
	names[0] = "mutated"
	if Names()[0] == "mutated" {
		t.Fatal("Names() shares its slice")
	}
}

// Every scheme is well formed: documented, defaults valid, builds with
// defaults into a controller of its own name.
func TestSchemeTable(t *testing.T) {
	for _, name := range Names() {
		s, ok := Lookup(name)
		if !ok || s.Name != name {
			t.Fatalf("Lookup(%q) = %v, %v", name, s, ok)
		}
		if s.Doc == "" || s.New == nil {
			t.Errorf("%s: no Doc or constructor", name)
		}
		seen := map[string]bool{}
		for _, p := range s.Params {
			if p.Name == "" || p.Doc == "" || seen[p.Name] {
				t.Errorf("%s: bad or duplicate parameter %+v", name, p)
			}
			seen[p.Name] = true
			if err := s.check(p, p.Default); err != nil {
				t.Errorf("%s: default of %s is invalid: %v", name, p.Name, err)
			}
			if !(p.Min <= p.Max) {
				t.Errorf("%s: %s range [%v, %v]", name, p.Name, p.Min, p.Max)
			}
		}
		c, err := New(name)
		if err != nil {
			t.Fatalf("New(%q): %v", name, err)
		}
		if c.Name() != name {
			t.Errorf("New(%q).Name() = %q", name, c.Name())
		}
		ctl := transport.Control{MSS: testMSS}
		c.Init(&ctl, 0)
		if ctl.Cwnd <= 0 {
			t.Errorf("%s: cwnd %d after Init", name, ctl.Cwnd)
		}
		if c.Mode() == "" || len(c.Vars(nil)) == 0 {
			t.Errorf("%s: no mode or vars", name)
		}
	}
}

// cubicCfg builds spec and returns the resulting CUBIC configuration.
func cubicCfg(t *testing.T, spec string) CubicConfig {
	t.Helper()
	q, ok := mustNew(t, spec).(*Cubic)
	if !ok {
		t.Fatalf("%s: not a *Cubic", spec)
	}
	return q.cfg
}

func TestNewParams(t *testing.T) {
	def := CubicConfig{Beta: 0.7, C: 0.4, FastConvergence: true, HyStart: true, IW: 10}
	for _, tc := range []struct {
		spec string
		want CubicConfig
	}{
		{"cubic", def},
		{"  cubic  ", def},
		{"cubic:", def},
		{"cubic:beta=0.5", CubicConfig{Beta: 0.5, C: 0.4, FastConvergence: true, HyStart: true, IW: 10}},
		{"cubic:beta=0.5,c=0.8", CubicConfig{Beta: 0.5, C: 0.8, FastConvergence: true, HyStart: true, IW: 10}},
		{"cubic:beta=0.5;c=0.8", CubicConfig{Beta: 0.5, C: 0.8, FastConvergence: true, HyStart: true, IW: 10}},
		{"cubic:beta=0.5 c=0.8", CubicConfig{Beta: 0.5, C: 0.8, FastConvergence: true, HyStart: true, IW: 10}},
		{"cubic: beta = 0.5 ,  c=0.8 ;iw=4", CubicConfig{Beta: 0.5, C: 0.8, FastConvergence: true, HyStart: true, IW: 4}},
		{"cubic:hystart=0,fast_convergence=0", CubicConfig{Beta: 0.7, C: 0.4, IW: 10}},
		{"cubic:hystart=off fast_convergence=false", CubicConfig{Beta: 0.7, C: 0.4, IW: 10}},
		{"cubic:hystart=ON", def},
		{"cubic:iw=1e2", CubicConfig{Beta: 0.7, C: 0.4, FastConvergence: true, HyStart: true, IW: 100}},
		{"cubic:beta=0.95,c=10,iw=1000", CubicConfig{Beta: 0.95, C: 10, FastConvergence: true, HyStart: true, IW: 1000}},
	} {
		if got := cubicCfg(t, tc.spec); got != tc.want {
			t.Errorf("New(%q) config %+v, want %+v", tc.spec, got, tc.want)
		}
	}
	r, ok := mustNew(t, "reno:iw=3").(*Reno)
	if !ok || r.iw != 3 {
		t.Fatalf("reno:iw=3 built %#v", r)
	}
}

func TestSpecErrors(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want []string // substrings of the error
		not  []string // must not appear
	}{
		{"", []string{"no congestion-control scheme", "bbr, copa, cubic, ledbat, manual, reno, vegas"}, nil},
		{"   ", []string{"no congestion-control scheme"}, nil},
		{"cubci", []string{`unknown congestion-control scheme "cubci"`, `did you mean "cubic"?`, "known schemes: bbr, copa, cubic, ledbat, manual, reno, vegas"}, nil},
		{"CUBIC", []string{`unknown congestion-control scheme "CUBIC"`, `did you mean "cubic"?`}, nil},
		{"renno", []string{`did you mean "reno"?`}, nil},
		{"xcp", []string{`unknown congestion-control scheme "xcp"`, "known schemes: bbr, copa, cubic, ledbat, manual, reno, vegas"}, []string{"did you mean"}},
		{"cubci:beta=0.5", []string{`unknown congestion-control scheme "cubci"`, `did you mean "cubic"?`}, nil},
		{"cubic:bta=0.5", []string{`cubic: unknown parameter "bta"`, `did you mean "beta"?`, "cubic takes beta, c, fast_convergence, hystart, iw"}, nil},
		{"cubic:Beta=0.5", []string{`unknown parameter "Beta"`, `did you mean "beta"?`}, nil},
		{"cubic:gamma=1", []string{`unknown parameter "gamma"`, "cubic takes beta, c, fast_convergence, hystart, iw"}, []string{"did you mean"}},
		{"reno:beta=0.5", []string{`reno: unknown parameter "beta"`, "reno takes iw"}, nil},
		{"cubic:beta=abc", []string{"cubic: beta=abc is not a number", "0.1 to 0.95"}, nil},
		{"cubic:beta=0.5:c=1", []string{"is not a number"}, nil},
		{"cubic:beta=NaN", []string{"beta=NaN is not a finite number"}, nil},
		{"cubic:c=inf", []string{"c=+Inf is not a finite number"}, nil},
		{"cubic:beta=1.5", []string{"cubic: beta=1.5 is out of range: want 0.1 to 0.95"}, nil},
		{"cubic:beta=0", []string{"out of range: want 0.1 to 0.95"}, nil},
		{"cubic:c=100", []string{"c=100 is out of range: want 0.01 to 10 segments/s³"}, nil},
		{"cubic:iw=0", []string{"iw=0 is out of range: want 1 to 1000 segments"}, nil},
		{"reno:iw=1001", []string{"reno: iw=1001 is out of range: want 1 to 1000 segments"}, nil},
		{"cubic:iw=2.5", []string{"iw=2.5 is not a whole number of segments"}, nil},
		{"cubic:hystart=2", []string{"hystart=2 is not a switch: want 1 or 0"}, nil},
		{"cubic:hystart=maybe", []string{"hystart=maybe is not a switch", "on/off"}, nil},
		{"cubic:beta=0.5,beta=0.6", []string{`cubic: parameter "beta" is given twice`}, nil},
		{"cubic:beta", []string{`cubic: parameter "beta" has no value`, "beta=NUMBER"}, nil},
		{"cubic:beta=", []string{`parameter "beta" has no value`}, nil},
		{"cubic:=0.5", []string{`value "0.5" has no parameter name`}, nil},
	} {
		_, _, perr := ParseSpec(tc.spec)
		_, nerr := New(tc.spec)
		verr := Validate(tc.spec)
		if perr == nil || nerr == nil || verr == nil {
			t.Errorf("%q: errors %v / %v / %v, want all three to fail", tc.spec, perr, nerr, verr)
			continue
		}
		if perr.Error() != nerr.Error() || perr.Error() != verr.Error() {
			t.Errorf("%q: ParseSpec, New and Validate disagree: %q, %q, %q", tc.spec, perr, nerr, verr)
		}
		msg := perr.Error()
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%q: error %q does not contain %q", tc.spec, msg, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(msg, w) {
				t.Errorf("%q: error %q contains %q", tc.spec, msg, w)
			}
		}
	}
}

func TestParseSpecReturnsWhatWasSet(t *testing.T) {
	for _, spec := range []string{"cubic:beta=0.5,hystart=off", "cubic: hystart = 0 ; beta=5e-1", " cubic:beta=0.5 hystart=false "} {
		name, params, err := ParseSpec(spec)
		if err != nil {
			t.Fatalf("%q: %v", spec, err)
		}
		if name != "cubic" || len(params) != 2 || params["beta"] != 0.5 || params["hystart"] != 0 {
			t.Errorf("ParseSpec(%q) = %q, %v", spec, name, params)
		}
	}
	name, params, err := ParseSpec("reno")
	if err != nil || name != "reno" || len(params) != 0 {
		t.Errorf("ParseSpec(reno) = %q, %v, %v", name, params, err)
	}
	if err := Validate("cubic:beta=0.6"); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestBuild(t *testing.T) {
	s, _ := Lookup("cubic")
	c, err := s.Build(map[string]float64{"beta": 0.6})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.(*Cubic).cfg; got.Beta != 0.6 || got.C != 0.4 || !got.HyStart {
		t.Errorf("Build(beta=0.6) config %+v", got)
	}
	for _, tc := range []struct {
		vals map[string]float64
		want string
	}{
		{map[string]float64{"nope": 1}, `unknown parameter "nope"`},
		{map[string]float64{"beta": 2}, "out of range"},
		{map[string]float64{"iw": 1.5}, "not a whole number"},
		{map[string]float64{"beta": math.NaN()}, "not a finite number"},
		{map[string]float64{"hystart": 0.5}, "not a switch"},
		{map[string]float64{"c": math.Inf(-1)}, "not a finite number"},
		{map[string]float64{"beta": 0.5, "x": 1}, `unknown parameter "x"`},
	} {
		_, err := s.Build(tc.vals)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Build(%v): %v, want %q", tc.vals, err, tc.want)
		}
	}
}

// Nothing a caller does to a looked-up scheme, or to a controller, changes
// what later calls see.
func TestNoSharedState(t *testing.T) {
	s, _ := Lookup("cubic")
	s.Name = "mutated"
	s.Params[0].Default = 0.99
	s.Params[0].Max = 0.2
	s.Params = s.Params[:1]
	s.New = nil
	again, ok := Lookup("cubic")
	if !ok || again.Name != "cubic" || len(again.Params) != 5 || again.Params[0].Default != 0.7 || again.Params[0].Max != 0.95 || again.New == nil {
		t.Fatalf("Lookup after mutation: %+v", again)
	}
	if got := cubicCfg(t, "cubic"); got.Beta != 0.7 {
		t.Fatalf("default beta %v after mutation", got.Beta)
	}
	if err := Validate("cubic:beta=0.5"); err != nil {
		t.Fatalf("Validate after mutation: %v", err)
	}
	d := again.Defaults()
	d["beta"] = 0.1
	if again.Defaults()["beta"] != 0.7 {
		t.Fatal("Defaults() shares its map")
	}

	// Two controllers from one spec are independent.
	a, b := mustNew(t, "reno"), mustNew(t, "reno")
	ca, cb := transport.Control{MSS: testMSS}, transport.Control{MSS: testMSS}
	a.Init(&ca, 0)
	b.Init(&cb, 0)
	a.OnCongestion(transport.EventLoss, &transport.Sample{BytesInFlight: 100 * testMSS, FlightSize: 100 * testMSS}, &ca)
	b.OnAck(&transport.Sample{BytesAcked: testMSS}, &cb)
	if a.Mode() != "recovery" || b.Mode() != "slow start" || cb.Cwnd != 11*testMSS {
		t.Fatalf("controllers share state: %q %q %d", a.Mode(), b.Mode(), cb.Cwnd)
	}
}

func TestParamsGet(t *testing.T) {
	p := Params{"beta": 0.5, "on": 1, "iw": 7}
	if p.Get("beta") != 0.5 || !p.Bool("on") || p.Int("iw") != 7 {
		t.Fatalf("Params accessors wrong")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Get of an undeclared parameter did not panic")
		}
	}()
	p.Get("nope")
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"cubic", "cubic", 0},
		{"cubci", "cubic", 1}, {"kitten", "sitting", 3}, {"reno", "renoo", 1},
		{"ca", "abc", 3}, {"β", "b", 1},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.d)
		}
	}
}
