package fidelity

import (
	"context"
	"fmt"
)

// Scenario is one fidelity check: a run and what the literature says it
// must show.
type Scenario struct {
	// Name identifies the scenario (a Go subtest name).
	Name string
	// Schemes are the schemes it exercises (for skipping unknown ones).
	Schemes []string
	// Claim is the published behaviour checked, in one line.
	Claim string
	// Source cites where the claim comes from.
	Source string
	// Run runs the scenario and measures it.
	Run func(ctx context.Context) (Result, error)
}

// Result is what a scenario measured against what was expected.
type Result struct {
	Measured string
	Expected string
	Pass     bool
	// Skipped says why the scenario could not run (e.g. no traces).
	Skipped string
}

func (r Result) String() string {
	if r.Skipped != "" {
		return "skipped: " + r.Skipped
	}
	verdict := "ok"
	if !r.Pass {
		verdict = "FAIL"
	}
	return fmt.Sprintf("%-4s measured %s; expected %s", verdict, r.Measured, r.Expected)
}

// Env is what scenarios need from outside.
type Env struct {
	// TracesDir is ../shared/traces; scenarios that need a trace are
	// skipped when it is empty.
	TracesDir string
}

// check builds a Result from a condition.
func check(pass bool, expected, measuredFormat string, a ...any) Result {
	return Result{Measured: fmt.Sprintf(measuredFormat, a...), Expected: expected, Pass: pass}
}
