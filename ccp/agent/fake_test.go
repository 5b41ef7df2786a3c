package agent

// fake_test.go has the test doubles: a datapath that records and checks
// SetProgram/Update against the algorithm's programs (as portus's
// set_program/update_field do: unknown programs and fields are errors), a
// settable clock, and a log that keeps its records.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// dpCall is one recorded call.
type dpCall struct {
	set    bool // SetProgram, else Update
	scope  Scope
	fields []Field
}

func (c dpCall) String() string {
	kind := "update"
	if c.set {
		kind = "set"
	}
	parts := make([]string, len(c.fields))
	for i, f := range c.fields {
		parts[i] = fmt.Sprintf("%s=%d", f.Name, f.Value)
	}
	return fmt.Sprintf("%s %s(%d) %s", kind, c.scope.Program, c.scope.UID, strings.Join(parts, ","))
}

// field is the value of the named field in the call.
func (c dpCall) field(name string) (uint64, bool) {
	for _, f := range c.fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return 0, false
}

// fakeDP is a Datapath for one flow of an algorithm.
type fakeDP struct {
	t     testing.TB
	progs map[string]progInfo
	uids  map[string]uint32

	mu      sync.Mutex
	calls   []dpCall
	cur     Scope
	vals    map[string]uint64 // Cwnd, Rate and control variables as last set
	failSet error             // SetProgram fails with this
}

// newFakeDP checks alg's programs and gives them uids 1, 2, … in name
// order.
func newFakeDP(t testing.TB, alg Alg) *fakeDP {
	t.Helper()
	d := &fakeDP{t: t, progs: map[string]progInfo{}, uids: map[string]uint32{}, vals: map[string]uint64{}}
	names := make([]string, 0)
	for name := range alg.Programs() {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		info, err := checkProgram(alg.Programs()[name])
		if err != nil {
			t.Fatalf("%s program %s: %v", alg.Name(), name, err)
		}
		d.progs[name] = info
		d.uids[name] = uint32(i + 1)
	}
	return d
}

func (d *fakeDP) SockID() uint32 { return 7 }

// checkFields reports fields that program may not take.
func (d *fakeDP) checkFields(program string, fields []Field) error {
	info := d.progs[program]
	for _, f := range fields {
		if f.Name == "Cwnd" || f.Name == "Rate" {
			continue
		}
		if _, ok := info.controls[f.Name]; !ok {
			return fmt.Errorf("program %s has no field %q", program, f.Name)
		}
		if f.Value > 0xFFFF_FFFF {
			return fmt.Errorf("field %s=%d is not a u32", f.Name, f.Value)
		}
	}
	return nil
}

func (d *fakeDP) SetProgram(name string, fields ...Field) (Scope, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.failSet != nil {
		return Scope{}, d.failSet
	}
	uid, ok := d.uids[name]
	if !ok {
		d.t.Errorf("SetProgram(%q): no such program", name)
		return Scope{}, fmt.Errorf("no program %q", name)
	}
	if err := d.checkFields(name, fields); err != nil {
		d.t.Errorf("SetProgram(%q): %v", name, err)
		return Scope{}, err
	}
	sc := Scope{Program: name, UID: uid}
	d.cur = sc
	for k := range d.vals { // control variables start from their defs
		if k != "Cwnd" && k != "Rate" {
			delete(d.vals, k)
		}
	}
	d.record(dpCall{set: true, scope: sc, fields: slices.Clone(fields)})
	return sc, nil
}

func (d *fakeDP) Update(sc Scope, fields ...Field) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if uid, ok := d.uids[sc.Program]; !ok || uid != sc.UID {
		d.t.Errorf("Update(%v): not a scope of this algorithm", sc)
		return errors.New("bad scope")
	}
	if err := d.checkFields(sc.Program, fields); err != nil {
		d.t.Errorf("Update: %v", err)
		return err
	}
	for _, f := range fields {
		if f.Name != "Cwnd" && f.Name != "Rate" && sc.UID != d.cur.UID {
			d.t.Errorf("Update(%v, %s): the flow runs %s", sc, f.Name, d.cur.Program)
		}
	}
	d.record(dpCall{scope: sc, fields: slices.Clone(fields)})
	return nil
}

func (d *fakeDP) record(c dpCall) {
	d.calls = append(d.calls, c)
	for _, f := range c.fields {
		d.vals[f.Name] = f.Value
	}
}

// takeCalls returns the calls since the last takeCalls.
func (d *fakeDP) takeCalls() []dpCall {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.calls
	d.calls = nil
	return c
}

// val is a field's value as last set, and whether it was set.
func (d *fakeDP) val(name string) (uint64, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	v, ok := d.vals[name]
	return v, ok
}

// mustVal is a field's value as last set.
func (d *fakeDP) mustVal(name string) uint64 {
	d.t.Helper()
	v, ok := d.val(name)
	if !ok {
		d.t.Fatalf("%s was never set", name)
	}
	return v
}

func (d *fakeDP) scope() Scope {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cur
}

// report is a report of the running program with the given values (the
// rest are zero), its variables in declaration order.
func (d *fakeDP) report(vals map[string]uint64) Report {
	d.t.Helper()
	return d.reportOf(d.scope(), vals)
}

// reportOf is a report of the program in sc.
func (d *fakeDP) reportOf(sc Scope, vals map[string]uint64) Report {
	d.t.Helper()
	info := d.progs[sc.Program]
	names := make([]string, len(info.reports))
	values := make([]uint64, len(info.reports))
	for i, n := range info.reports {
		names[i] = "Report." + n
		values[i] = vals[n]
	}
	for k := range vals {
		if !slices.Contains(info.reports, k) {
			d.t.Fatalf("program %s reports no %q (it reports %v)", sc.Program, k, info.reports)
		}
	}
	return NewReport(sc.Program, sc.UID, names, values)
}

// fakeClock is a settable Env.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Duration
}

func (c *fakeClock) Now() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now += d
	c.mu.Unlock()
}

// recLog is a slog handler that keeps its records.
type recLog struct {
	mu   *sync.Mutex
	recs *[]slog.Record
}

func newRecLog() recLog { return recLog{mu: new(sync.Mutex), recs: new([]slog.Record)} }

func (h recLog) Enabled(context.Context, slog.Level) bool { return true }
func (h recLog) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	*h.recs = append(*h.recs, r.Clone())
	h.mu.Unlock()
	return nil
}
func (h recLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h recLog) WithGroup(string) slog.Handler      { return h }

// count is how many records at level have msg containing s.
func (h recLog) count(level slog.Level, s string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range *h.recs {
		if r.Level == level && strings.Contains(r.Message, s) {
			n++
		}
	}
	return n
}

// testEnv is an Env with a fake clock and a recorded log.
func testEnv() (Env, *fakeClock, recLog) {
	clk := &fakeClock{now: time.Hour} // far from zero, like a real monotonic clock
	log := newRecLog()
	return Env{Now: clk.Now, Log: slog.New(log)}, clk, log
}

// lastSet is the value the last of calls to set name gave it; the test
// fails if none did.
func lastSet(t testing.TB, calls []dpCall, name string) uint64 {
	t.Helper()
	for i := len(calls) - 1; i >= 0; i-- {
		if v, ok := calls[i].field(name); ok {
			return v
		}
	}
	t.Fatalf("no call set %s: %v", name, calls)
	return 0
}
