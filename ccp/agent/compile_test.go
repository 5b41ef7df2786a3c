package agent

import (
	"slices"
	"testing"

	"github.com/ccscope/ccscope/ccp/lang"
)

// TestBuiltinProgramsCompile compiles every program of every built-in
// algorithm (at its defaults and with options that change programs) with
// ccp/lang, and checks the compiler sees the same report variables, in
// the same order, and the same control variables as the tests' own
// checker (which the fake datapath builds reports and checks updates
// with).
func TestBuiltinProgramsCompile(t *testing.T) {
	specs := append(BuiltinNames(), "reno:per_ack=1", "cubic:report_interval_ms=20", "reno:ss_in_fold=1", "const:rate=1000000")
	for _, spec := range specs {
		a, err := New(spec)
		if err != nil {
			t.Fatal(err)
		}
		for name, src := range a.Programs() {
			p, err := lang.Compile(src)
			if err != nil {
				t.Errorf("%s program %s does not compile: %v", spec, name, err)
				continue
			}
			info, err := checkProgram(src)
			if err != nil {
				t.Errorf("%s program %s: %v", spec, name, err)
				continue
			}
			var reports, controls []string
			for _, v := range p.Reports {
				reports = append(reports, v.Name)
			}
			for _, v := range p.Controls {
				controls = append(controls, v.Name)
				if _, ok := p.Field(v.Name); !ok {
					t.Errorf("%s program %s: control %s is not updatable", spec, name, v.Name)
				}
			}
			if !slices.Equal(reports, info.reports) {
				t.Errorf("%s program %s: compiler reports %v, checker %v", spec, name, reports, info.reports)
			}
			var want []string
			for c := range info.controls {
				want = append(want, c)
			}
			slices.Sort(controls)
			slices.Sort(want)
			if !slices.Equal(controls, want) {
				t.Errorf("%s program %s: compiler controls %v, checker %v", spec, name, controls, want)
			}
		}
	}
}
