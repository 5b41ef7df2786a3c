// Package agent owns the agent side of CCP in Go, after portus: an
// algorithm declares its datapath programs and makes a Flow per
// connection; the Host compiles and installs the programs, routes reports
// to flows and sends their program changes and field updates to the
// datapath. Built-in algorithms (generic-cong-avoid's reno and cubic, bbr,
// copa, const, aimd) live beside it.
package agent

import (
	"errors"
	"fmt"
	"strings"
)

// Alg is a congestion-control algorithm (portus's CongAlg).
type Alg interface {
	// Name is what a datapath's CREATE asks for ("reno", "cubic").
	Name() string
	// Programs are the datapath programs the algorithm uses, by name, in
	// the datapath language (ccp-protocol.md §4). The host compiles and
	// installs them all before any flow starts.
	Programs() map[string]string
	// NewFlow starts the algorithm on a new connection. It normally
	// calls dp.SetProgram to pick its first program.
	NewFlow(dp Datapath, info FlowInfo) Flow
}

// Flow is one connection driven by an algorithm (portus's Flow).
type Flow interface {
	// OnReport receives a report of the flow's current program.
	OnReport(r Report)
	// Close is called when the datapath ends the flow.
	Close()
}

// FlowInfo is what the datapath said about a new flow (its CREATE).
type FlowInfo struct {
	SockID         uint32
	InitCwnd, MSS  uint32 // bytes
	SrcIP, SrcPort uint32
	DstIP, DstPort uint32
	CongAlg        string
}

// Field is a register value to set: a control variable of the program
// (declared in its def) or the implicit "Cwnd" (bytes) or "Rate"
// (bytes/s). Values are u32 on portus's API; they are u64 on the wire.
type Field struct {
	Name  string
	Value uint64
}

// Scope identifies an installed program as a flow runs it: updates and
// reports are checked against it.
type Scope struct {
	Program string
	UID     uint32
}

// Datapath is a flow's handle on the datapath (portus's DatapathTrait).
type Datapath interface {
	// SockID is the flow's socket id.
	SockID() uint32
	// SetProgram switches the flow to the named program with initial
	// values (CHANGE_PROG) and returns its scope.
	SetProgram(name string, fields ...Field) (Scope, error)
	// Update sets fields of the program in scope (UPDATE_FIELDS); they
	// apply at the datapath's next invocation.
	Update(sc Scope, fields ...Field) error
}

// ErrStaleProgram marks a report of another program than the one asked
// about (portus's StaleProgramError): the flow changed program and this
// report was sent before the change took effect.
var ErrStaleProgram = errors.New("report from another program")

// Report is one MEASURE: the values of a program's report variables.
type Report struct {
	// Program and UID say which program sent it.
	Program string
	UID     uint32
	names   []string // "Report.x" in register order
	values  []uint64
}

// NewReport makes a report of the named program with fields in order, as
// the host does from a MEASURE (and tests do by hand). Names are given
// with or without the "Report." prefix.
func NewReport(program string, uid uint32, names []string, values []uint64) Report {
	ns := make([]string, len(names))
	for i, n := range names {
		ns[i] = strings.TrimPrefix(n, "Report.")
	}
	return Report{Program: program, UID: uid, names: ns, values: values}
}

// Get is the value of the report variable name ("acked" or
// "Report.acked") in scope sc: ErrStaleProgram when the report comes from
// another program, an error naming the variables when it has no such one.
func (r Report) Get(sc Scope, name string) (uint64, error) {
	if sc.UID != r.UID {
		return 0, fmt.Errorf("%w: asked about %s (uid %d), the report is from %s (uid %d)", ErrStaleProgram, sc.Program, sc.UID, r.Program, r.UID)
	}
	n := strings.TrimPrefix(name, "Report.")
	for i, have := range r.names {
		if have == n && i < len(r.values) {
			return r.values[i], nil
		}
	}
	return 0, fmt.Errorf("program %s reports no %q (it reports %s)", r.Program, n, strings.Join(r.names, ", "))
}

// Fields lists the report's variables and values in register order.
func (r Report) Fields() ([]string, []uint64) { return r.names, r.values }
