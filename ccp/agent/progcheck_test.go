package agent

// progcheck_test.go is an independent checker of datapath programs against
// the language of ccp-protocol.md §4 (portus's grammar, name spaces and
// types): the built-in algorithms' programs must pass it, and the fake
// datapath uses what it learns (report variables in declaration order,
// control variables) to check SetProgram/Update and to build reports.

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

type dlType uint8

const (
	dlNum dlType = iota + 1
	dlBool
)

func (t dlType) String() string {
	if t == dlBool {
		return "bool"
	}
	return "num"
}

// progInfo is what a program declares.
type progInfo struct {
	reports  []string          // report variables, declaration order, without "Report."
	controls map[string]dlType // control variables
	volatile map[string]bool   // declared names (reports as "Report.x") that are volatile
	inits    map[string]uint64 // initial values by declared name
}

// dlPrims are §4's primitives and their types.
func dlPrims() map[string]dlType {
	return map[string]dlType{
		"Ack.bytes_acked": dlNum, "Ack.bytes_misordered": dlNum, "Ack.ecn_bytes": dlNum,
		"Ack.ecn_packets": dlNum, "Ack.lost_pkts_sample": dlNum, "Ack.now": dlNum,
		"Ack.packets_acked": dlNum, "Ack.packets_misordered": dlNum,
		"Flow.bytes_in_flight": dlNum, "Flow.packets_in_flight": dlNum, "Flow.bytes_pending": dlNum,
		"Flow.rate_incoming": dlNum, "Flow.rate_outgoing": dlNum, "Flow.rtt_sample_us": dlNum,
		"Flow.was_timeout": dlBool,
	}
}

// dlNode is an s-expression: an atom or a list.
type dlNode struct {
	atom string
	list []dlNode
	line int
	leaf bool
}

func (n dlNode) String() string {
	if n.leaf {
		return n.atom
	}
	parts := make([]string, len(n.list))
	for i, c := range n.list {
		parts[i] = c.String()
	}
	return "(" + strings.Join(parts, " ") + ")"
}

// head is the first atom of a list, or "".
func (n dlNode) head() string {
	if n.leaf || len(n.list) == 0 || !n.list[0].leaf {
		return ""
	}
	return n.list[0].atom
}

// dlParse reads a sequence of s-expressions; '#' starts a comment to the
// end of the line.
func dlParse(src string) ([]dlNode, error) {
	type frame struct {
		n dlNode
	}
	var stack []frame
	var top []dlNode
	line := 1
	emit := func(n dlNode) {
		if len(stack) == 0 {
			top = append(top, n)
		} else {
			stack[len(stack)-1].n.list = append(stack[len(stack)-1].n.list, n)
		}
	}
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '(':
			stack = append(stack, frame{dlNode{line: line}})
			i++
		case c == ')':
			if len(stack) == 0 {
				return nil, fmt.Errorf("line %d: unbalanced ')'", line)
			}
			n := stack[len(stack)-1].n
			stack = stack[:len(stack)-1]
			emit(n)
			i++
		default:
			j := i
			for j < len(src) && !strings.ContainsRune(" \t\r\n()#", rune(src[j])) {
				j++
			}
			if len(stack) == 0 {
				return nil, fmt.Errorf("line %d: %q outside any expression", line, src[i:j])
			}
			emit(dlNode{atom: src[i:j], leaf: true, line: line})
			i = j
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("unbalanced '(' opened on line %d", stack[len(stack)-1].n.line)
	}
	return top, nil
}

func dlIsName(s string) bool {
	if s == "" || strings.HasPrefix(s, "__") {
		return false
	}
	for _, r := range s {
		if !(r == '.' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return !(s[0] >= '0' && s[0] <= '9')
}

// dlLiteral reads a literal: a number (< 2^31), true, false, +infinity.
func dlLiteral(s string) (dlType, uint64, bool, error) {
	switch s {
	case "true":
		return dlBool, 1, true, nil
	case "false":
		return dlBool, 0, true, nil
	case "+infinity":
		return dlNum, 0xFFFF_FFFF, true, nil
	}
	if s != "" && s[0] >= '0' && s[0] <= '9' {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, 0, true, fmt.Errorf("bad number %q", s)
		}
		if v >= 1<<31 {
			return 0, 0, true, fmt.Errorf("immediate %d is not below 2^31", v)
		}
		return dlNum, v, true, nil
	}
	return 0, 0, false, nil
}

// dlChecker type-checks one program.
type dlChecker struct {
	info   progInfo
	prims  map[string]dlType
	locals map[string]dlType
}

// checkProgram parses and checks a program per §4 and returns what it
// declares.
func checkProgram(src string) (progInfo, error) {
	top, err := dlParse(src)
	if err != nil {
		return progInfo{}, err
	}
	if len(top) < 2 {
		return progInfo{}, fmt.Errorf("a program is a (def ...) and at least one (when ...)")
	}
	c := &dlChecker{
		info:   progInfo{controls: map[string]dlType{}, volatile: map[string]bool{}, inits: map[string]uint64{}},
		prims:  dlPrims(),
		locals: map[string]dlType{},
	}
	if err := c.defs(top[0]); err != nil {
		return progInfo{}, err
	}
	for _, ev := range top[1:] {
		if err := c.event(ev); err != nil {
			return progInfo{}, fmt.Errorf("line %d: %w", ev.line, err)
		}
	}
	return c.info, nil
}

func (c *dlChecker) defs(n dlNode) error {
	if n.head() != "def" {
		return fmt.Errorf("line %d: a program starts with (def ...), not %s", n.line, n)
	}
	seenReport := false
	for _, d := range n.list[1:] {
		if d.head() == "Report" {
			if seenReport {
				return fmt.Errorf("line %d: two Report structs", d.line)
			}
			seenReport = true
			if len(d.list) < 2 {
				return fmt.Errorf("line %d: an empty Report", d.line)
			}
			for _, rd := range d.list[1:] {
				if err := c.decl(rd, true); err != nil {
					return err
				}
			}
			continue
		}
		if err := c.decl(d, false); err != nil {
			return err
		}
	}
	return nil
}

func (c *dlChecker) decl(d dlNode, report bool) error {
	if d.leaf {
		return fmt.Errorf("line %d: a declaration is (name value), not %s", d.line, d.atom)
	}
	parts := d.list
	volatile := false
	if len(parts) == 3 && parts[0].leaf && parts[0].atom == "volatile" {
		volatile, parts = true, parts[1:]
	}
	if len(parts) != 2 || !parts[0].leaf || !parts[1].leaf {
		return fmt.Errorf("line %d: a declaration is ([volatile] name value), not %s", d.line, d)
	}
	name := parts[0].atom
	if !dlIsName(name) {
		return fmt.Errorf("line %d: bad name %q", d.line, name)
	}
	t, v, ok, err := dlLiteral(parts[1].atom)
	if err != nil || !ok {
		return fmt.Errorf("line %d: %s's initial value %q is not a literal", d.line, name, parts[1].atom)
	}
	if strings.HasPrefix(name, "Report.") { // old syntax
		report, name = true, strings.TrimPrefix(name, "Report.")
	}
	full := name
	if report {
		full = "Report." + name
		for _, r := range c.info.reports {
			if r == name {
				return fmt.Errorf("line %d: Report.%s declared twice", d.line, name)
			}
		}
		c.info.reports = append(c.info.reports, name)
	} else {
		if _, dup := c.info.controls[name]; dup {
			return fmt.Errorf("line %d: %s declared twice", d.line, name)
		}
		c.info.controls[name] = t
	}
	c.info.volatile[full] = volatile
	c.info.inits[full] = v
	c.locals[full] = t // declared variables' types live here too
	return nil
}

func (c *dlChecker) event(ev dlNode) error {
	if ev.head() != "when" || len(ev.list) < 3 {
		return fmt.Errorf("an event is (when condition statement...), not %s", ev)
	}
	cond := ev.list[1]
	if cond.leaf {
		if cond.atom != "true" && cond.atom != "false" {
			return fmt.Errorf("a when condition must be an expression or a literal bool, not %q", cond.atom)
		}
	} else {
		t, err := c.expr(cond)
		if err != nil {
			return err
		}
		if t != dlBool {
			return fmt.Errorf("condition %s is not a bool", cond)
		}
	}
	for _, st := range ev.list[2:] {
		if err := c.statement(st); err != nil {
			return err
		}
	}
	return nil
}

func (c *dlChecker) statement(st dlNode) error {
	switch st.head() {
	case "report", "fallthrough":
		if len(st.list) != 1 {
			return fmt.Errorf("(%s) takes no arguments", st.head())
		}
		return nil
	case ":=", "bind":
		return c.bind(st)
	}
	return fmt.Errorf("a statement is (:= var expr), (report) or (fallthrough), not %s", st)
}

func (c *dlChecker) bind(st dlNode) error {
	if len(st.list) != 3 || !st.list[1].leaf {
		return fmt.Errorf("(:= var expr), not %s", st)
	}
	target := st.list[1].atom
	if _, prim := c.prims[target]; prim {
		return fmt.Errorf("cannot assign the primitive %s", target)
	}
	rhs := st.list[2]
	var t dlType
	var err error
	switch rhs.head() {
	case "if", "!if":
		if len(rhs.list) != 3 {
			return fmt.Errorf("(%s cond value), not %s", rhs.head(), rhs)
		}
		ct, err := c.expr(rhs.list[1])
		if err != nil {
			return err
		}
		if ct != dlBool {
			return fmt.Errorf("%s's condition is not a bool", rhs)
		}
		t, err = c.expr(rhs.list[2])
		if err != nil {
			return err
		}
	case "ewma":
		if len(rhs.list) != 3 {
			return fmt.Errorf("(ewma weight value), not %s", rhs)
		}
		if err := c.nums(rhs.list[1:]...); err != nil {
			return err
		}
		t = dlNum
	default:
		t, err = c.expr(rhs)
		if err != nil {
			return err
		}
	}
	switch target {
	case "Cwnd", "Rate", "Micros":
		if t != dlNum {
			return fmt.Errorf("%s takes a number", target)
		}
		return nil
	}
	if strings.HasPrefix(target, "Report.") {
		if _, ok := c.locals[target]; !ok {
			return fmt.Errorf("%s is not declared in Report", target)
		}
		return nil
	}
	if !dlIsName(target) || strings.HasPrefix(target, "Ack.") || strings.HasPrefix(target, "Flow.") {
		return fmt.Errorf("cannot assign %q", target)
	}
	if _, ok := c.locals[target]; !ok {
		c.locals[target] = t // a new local takes its value's type
	}
	return nil
}

func (c *dlChecker) nums(ns ...dlNode) error {
	for _, n := range ns {
		t, err := c.expr(n)
		if err != nil {
			return err
		}
		if t != dlNum {
			return fmt.Errorf("%s is a %s, want a number", n, t)
		}
	}
	return nil
}

func (c *dlChecker) expr(n dlNode) (dlType, error) {
	if n.leaf {
		if t, _, ok, err := dlLiteral(n.atom); ok || err != nil {
			return t, err
		}
		switch n.atom {
		case "Micros", "Cwnd", "Rate":
			return dlNum, nil
		}
		if t, ok := c.prims[n.atom]; ok {
			return t, nil
		}
		if t, ok := c.locals[n.atom]; ok {
			return t, nil
		}
		return 0, fmt.Errorf("unknown name %q", n.atom)
	}
	op := n.head()
	switch op {
	case ">=", "<=", "!=", "not":
		return 0, fmt.Errorf("%q is not an operator of the datapath language", op)
	case "report", "fallthrough", ":=", "bind", "if", "!if", "ewma":
		return 0, fmt.Errorf("(%s ...) may not appear inside an expression: %s", op, n)
	}
	if len(n.list) != 3 {
		return 0, fmt.Errorf("every operator is binary: %s", n)
	}
	switch op {
	case "+", "add", "-", "sub", "*", "mul", "/", "div", "max", "min", "wrapped_max":
		return dlNum, c.nums(n.list[1:]...)
	case ">", "gt", "<", "lt", "==", "eq":
		return dlBool, c.nums(n.list[1:]...)
	case "&&", "and", "||", "or":
		for _, a := range n.list[1:] {
			t, err := c.expr(a)
			if err != nil {
				return 0, err
			}
			if t != dlBool {
				return 0, fmt.Errorf("%s needs bools, %s is a %s", op, a, t)
			}
		}
		return dlBool, nil
	}
	return 0, fmt.Errorf("unknown operator %q in %s", op, n)
}

func TestCheckerRejectsBadPrograms(t *testing.T) {
	good := "(def (Report (volatile acked 0)) (x 0)) (when true (:= Report.acked (+ Report.acked Ack.bytes_acked)) (report))"
	if _, err := checkProgram(good); err != nil {
		t.Fatalf("good program rejected: %v", err)
	}
	for _, bad := range []string{
		"(def (Report (volatile acked 0))) (when true (:= Report.acked 1)",                  // unbalanced
		"(def (Report (volatile acked 0)))",                                                 // no event
		"(def (Report (volatile acked 0))) (when (>= Micros 1) (report))",                   // no >=
		"(def (Report (volatile acked 0))) (when (!= Micros 1) (report))",                   // no !=
		"(def (Report (volatile acked 0))) (when true (:= Report.nope 1))",                  // undeclared report var
		"(def (Report (volatile acked 0))) (when (> Micros basertt) (report))",              // unknown name
		"(def (Report (volatile acked 0))) (when true (:= Flow.rtt_sample_us 1))",           // assigns a primitive
		"(def (Report (volatile acked 0))) (when (|| Flow.was_timeout 1) (report))",         // || on a num
		"(def (Report (volatile acked 0))) (when (> Flow.was_timeout 1) (report))",          // > on a bool
		"(def (Report (volatile acked 0))) (when true (:= Report.acked (+ 1 (if true 2))))", // if inside an expr
		"(def (Report (volatile acked 0))) (when (+ Micros 1) (report))",                    // num condition
		"(def (Report (volatile acked 0))) (when true (:= Report.acked 4294967295))",        // immediate too big
		"(def (Report (volatile acked 0))) (when true (report 1))",                          // report takes nothing
		"(def (Report (volatile acked 0) (volatile acked 1))) (when true (report))",         // declared twice
		"(def (Report (volatile acked 0))) (when true (:= Report.acked (+ 1 2 3)))",         // not binary
	} {
		if _, err := checkProgram(bad); err == nil {
			t.Errorf("checker accepted %q", bad)
		}
	}
}

// TestProgramsAreWellFormed checks every program of every built-in
// algorithm, at its defaults and with options that change programs.
func TestProgramsAreWellFormed(t *testing.T) {
	specs := append(BuiltinNames(), "reno:per_ack=1", "cubic:report_interval_ms=20", "reno:ss_in_fold=1", "const:rate=1000000")
	for _, spec := range specs {
		a, err := New(spec)
		if err != nil {
			t.Fatalf("New(%q): %v", spec, err)
		}
		progs := a.Programs()
		if len(progs) == 0 {
			t.Errorf("%s has no programs", spec)
		}
		for name, src := range progs {
			info, err := checkProgram(src)
			if err != nil {
				t.Errorf("%s program %s: %v", spec, name, err)
				continue
			}
			if len(info.reports) == 0 {
				t.Errorf("%s program %s reports nothing (an empty MEASURE means the flow closed)", spec, name)
			}
		}
	}
}
