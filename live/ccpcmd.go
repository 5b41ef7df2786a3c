package live

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ccscope/ccscope/live/ccpflow"
	"github.com/ccscope/ccscope/live/transport"
)

// FlowCCPInstall installs a datapath program on a CCP flow, which leaves
// its agent until FlowCCPAgent.
type FlowCCPInstall struct {
	ID     int
	Source string // one line: comments removed, blanks collapsed
}

// FlowCCPAgent hands a CCP flow back to its agent (a new CREATE).
type FlowCCPAgent struct{ ID int }

func (FlowCCPInstall) isCommand() {}
func (FlowCCPAgent) isCommand()   {}

func (c FlowCCPInstall) String() string {
	return "flow " + strconv.Itoa(c.ID) + " ccp install " + c.Source
}
func (c FlowCCPAgent) String() string { return "flow " + strconv.Itoa(c.ID) + " ccp agent" }

// OneLineProgram turns a datapath program into one line, as a command
// holds it: comments ("#" to the end of a line) are dropped and blanks
// collapsed.
func OneLineProgram(src string) string {
	var b strings.Builder
	for _, line := range strings.Split(src, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line)
		b.WriteByte(' ')
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// parseFlowCCP reads "ccp install PROGRAM" / "ccp agent" after "flow ID".
func parseFlowCCP(id int, text string) (Command, error) {
	f := strings.Fields(text)
	if len(f) < 2 {
		return nil, fmt.Errorf("flow %d ccp: usage: flow %d ccp install PROGRAM | flow %d ccp agent", id, id, id)
	}
	switch strings.ToLower(f[1]) {
	case "install":
		_, rest, _ := strings.Cut(text, f[1])
		src := OneLineProgram(rest)
		if src == "" {
			return nil, fmt.Errorf("flow %d ccp install: give the program, e.g. flow %d ccp install (def (Report (volatile acked 0))) (when true (:= Cwnd 30000))", id, id)
		}
		return FlowCCPInstall{ID: id, Source: src}, nil
	case "agent":
		if len(f) != 2 {
			return nil, fmt.Errorf("flow %d ccp agent: takes nothing more", id)
		}
		return FlowCCPAgent{ID: id}, nil
	}
	return nil, fmt.Errorf("flow %d ccp: unknown action %q (want install or agent)", id, f[1])
}

// ccpController finds flow id's CCP controller.
func (s *Sim) ccpController(id int) (*ccpflow.Controller, error) {
	if id < 1 || id > len(s.flows) {
		return nil, fmt.Errorf("flow %d: there is no such flow (flows 1..%d)", id, len(s.flows))
	}
	f := s.flows[id-1]
	c, ok := f.ctl.(*ccpflow.Controller)
	if !ok {
		return nil, fmt.Errorf("flow %d runs %s, not a CCP scheme (flow add ccp:reno starts one)", id, f.ctl.Name())
	}
	if !f.started || f.stopped || f.done {
		return nil, fmt.Errorf("flow %d is not running", id)
	}
	return c, nil
}

// newController builds a flow's controller: CCP schemes on the run's CCP
// datapath (made on first use), the others by the sim's factory.
func (s *Sim) newController(spec string) (transport.Controller, error) {
	if !ccpflow.IsCCP(spec) {
		return s.opt.NewController(spec)
	}
	if err := ccpflow.Check(spec, s.exp.CCPAgent != ""); err != nil {
		return nil, err
	}
	if s.ccp == nil {
		agentName, err := ParseCCPAgent(s.exp.CCPAgent)
		if err != nil {
			return nil, err
		}
		fb := s.exp.CCPFallback
		if fb == 0 {
			fb = DefaultCCPFallback
		}
		dp, err := ccpflow.New(ccpflow.Options{Agent: agentName, Dir: s.opt.CCPDir, Fallback: fb, Notify: s.ccpNotice}, s.now)
		if err != nil {
			return nil, err
		}
		s.ccp = dp
	}
	return s.ccp.NewController(spec)
}

// checkScheme is the scheme check of a sim's experiment.
func (s *Sim) checkScheme(spec string) error {
	if ccpflow.IsCCP(spec) {
		return ccpflow.Check(spec, s.exp.CCPAgent != "")
	}
	_, err := s.opt.NewController(spec)
	return err
}

func (s *Sim) ccpNotice(text string, warning bool) {
	kind := RecordInfo
	if warning {
		kind = RecordWarning
	}
	s.record(kind, text)
}

// CCP is the run's CCP datapath, nil when no flow uses CCP.
func (s *Sim) CCP() *ccpflow.Datapath { return s.ccp }

// WallClock reports whether the run must keep to the wall clock: an
// external CCP agent lives in real time.
func (s *Sim) WallClock() bool { return s.ccp != nil && s.ccp.External() }

// Close ends what a run holds outside itself: CCP flows are closed on the
// agent and an external agent's socket is removed. A sim must be closed
// when its run is over (Close is idempotent).
func (s *Sim) Close() {
	if s.ccp != nil {
		s.ccp.Close()
	}
}

// SchemeCheck extends a checker of native schemes to CCP specs ("ccp",
// "ccp:ALG"), checked as for an in-process agent when external is false.
func SchemeCheck(native SchemeChecker, external bool) SchemeChecker {
	return func(spec string) error {
		if ccpflow.IsCCP(spec) {
			return ccpflow.Check(spec, external)
		}
		if native == nil {
			return nil
		}
		return native(spec)
	}
}
