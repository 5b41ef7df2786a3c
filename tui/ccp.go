package tui

import (
	"fmt"
	"io"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/ccpflow"
)

// ccpView shows the CCP side of the run: the agent and whether it
// answers, the CCP flows with their programs, latest reports and windows,
// the selected flow's program (source, or the instructions an external
// agent installed) and the latest messages between datapath and agent.
func (m *Model) ccpView(w, h int) []block {
	body := rect{0, 1, w, max(h-2, 0)}
	st := m.snap.CCP
	if st == nil {
		return []block{{body, fitLines(`No flow uses CCP in this run.

Start one with  :flow add ccp:cubic  (built-in algorithms: reno, cubic, bbr, copa, const, aimd;
parameters as in ccp:reno:per_ack=1), or run with --scheme ccp:ALG. With --ccp-agent unix[:NAME]
the flows talk to an external agent on /tmp/ccp/NAME, e.g. a portus algorithm started with
--ipc unix, or ccscope ccp agent --alg cubic.`, w, body.h)}}
	}
	t := m.theme
	muted := m.style().Foreground(t.Muted)
	head := m.style().Bold(true).Foreground(t.Title)
	section := func(name string, width int) string {
		return head.Render(name) + " " + muted.Render(strings.Repeat("─", max(width-len([]rune(name))-1, 0)))
	}
	var top []string
	heard := "never"
	if st.LastHeard >= 0 {
		heard = fmtMs(st.LastHeard) + " ago"
	}
	stateColor := t.Accent
	if strings.HasPrefix(st.State, "not") {
		stateColor = t.Warning
	}
	top = append(top, section("CCP agent", w),
		fmt.Sprintf("%s · %s · last message %s · %d received, %d refused, %d garbled",
			st.Agent, m.style().Foreground(stateColor).Render(st.State), heard, st.Received, st.Rejected, st.Garbage), "",
		section("Flows", w),
		muted.Render(fmt.Sprintf("%-2s %-12s %-3s %-17s %-24s %7s %9s %7s %6s  %s", "#", "scheme", "sid", "mode", "program", "cwnd", "rate", "reports", "faults", "last report")))
	sel := m.ccpSelected(st)
	for i, f := range st.Flows {
		prog := "—"
		if p, ok := st.Program(f.ProgramUID); ok {
			prog = fmt.Sprintf("%s (uid %d)", or(p.Name, "program"), p.UID)
		}
		rate := "—"
		if f.Rate > 0 {
			rate = fmtRate(float64(f.Rate)*8) + "b/s"
		}
		row := fmt.Sprintf("%-2d %-12s %-3d %-17s %-24s %7s %9s %7d %6d  %s", f.ID, trunc(f.Spec, 12), f.SID, trunc(f.Mode, 17),
			trunc(prog, 24), fmt.Sprintf("%.1fk", float64(f.Cwnd)/1000), rate, f.Reports, f.Faults, f.ReportText())
		style := m.style().Foreground(m.flowColor(max(f.ID-1, 0)))
		if i == sel {
			style = style.Reverse(true)
		}
		top = append(top, style.Render(row))
	}
	top = append(top, "")
	topH := min(len(top), body.h/2)
	blocks := []block{{rect{0, 1, w, topH}, fitLines(strings.Join(top, "\n"), w, topH)}}

	restH := body.h - topH
	if restH <= 0 {
		return blocks
	}
	leftW := w / 2
	rightW := w - leftW - 1
	var left []string
	if sel >= 0 {
		f := st.Flows[sel]
		p, ok := st.Program(f.ProgramUID)
		switch {
		case !ok:
			left = append(left, section(fmt.Sprintf("Flow %d: no program yet", f.ID), leftW))
		case p.Source != "":
			left = append(left, section(fmt.Sprintf("Flow %d runs %s (uid %d)", f.ID, or(p.Name, "a program"), p.UID), leftW))
			left = append(left, strings.Split(strings.Trim(p.Source, "\n"), "\n")...)
		default:
			left = append(left, section(fmt.Sprintf("Flow %d runs uid %d (the agent's instructions)", f.ID, p.UID), leftW))
			left = append(left, strings.Split(strings.TrimRight(p.Listing, "\n"), "\n")...)
		}
		if f.LastFault != "" {
			left = append(left, "", m.style().Foreground(t.Error).Render("last fault: "+f.LastFault))
		}
		left = append(left, "", muted.Render(fmt.Sprintf(":ccp install %d PROGRAM · :ccp load %d FILE · :ccp agent %d", f.ID, f.ID, f.ID)))
	}
	right := []string{section("Messages (→ agent, ← agent)", rightW)}
	n := restH - 1
	evs := st.Events[max(len(st.Events)-n, 0):]
	for _, e := range evs {
		dir := "←"
		if e.ToAgent {
			dir = "→"
		}
		right = append(right, fmt.Sprintf("%9s %s %-13s %3d %s", fmtDur(e.At), dir, e.Type, e.SID, e.Text))
	}
	blocks = append(blocks,
		block{rect{0, 1 + topH, leftW, restH}, fitLines(strings.Join(left, "\n"), leftW, restH)},
		block{rect{leftW + 1, 1 + topH, rightW, restH}, fitLines(strings.Join(right, "\n"), rightW, restH)})
	return blocks
}

// ccpSelected is the index in st.Flows of the flow selected with ←/→ (the
// first CCP flow when the selected flow is not one).
func (m *Model) ccpSelected(st *ccpflow.Status) int {
	if len(st.Flows) == 0 {
		return -1
	}
	if m.selFlow < len(m.snap.Flows) {
		id := m.snap.Flows[m.selFlow].ID
		for i, f := range st.Flows {
			if f.ID == id {
				return i
			}
		}
	}
	return 0
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ccpLoadedMsg carries a datapath program read from a file.
type ccpLoadedMsg struct {
	flow int
	path string
	src  string
	err  error
}

// ccpCommand runs ":ccp install N PROGRAM", ":ccp load N FILE" and ":ccp
// agent N".
func (m *Model) ccpCommand(line string, f []string) {
	usage := "ccp: usage: ccp install N PROGRAM | ccp load N FILE | ccp agent N"
	if len(f) < 3 {
		m.setStatus(usage, true)
		return
	}
	n := f[2]
	switch strings.ToLower(f[1]) {
	case "install":
		_, rest, _ := strings.Cut(line, n)
		m.parseAndApply("flow " + n + " ccp install " + rest)
	case "agent":
		m.parseAndApply("flow " + n + " ccp agent")
	case "load":
		if len(f) != 4 {
			m.setStatus("ccp load: usage: ccp load N FILE", true)
			return
		}
		var id int
		if _, err := fmt.Sscanf(n, "%d", &id); err != nil || id < 1 {
			m.setStatus(fmt.Sprintf("ccp load: %q is not a flow number", n), true)
			return
		}
		path := f[3]
		m.pending = func() tea.Msg {
			src, err := readProgram(path)
			return ccpLoadedMsg{flow: id, path: path, src: src, err: err}
		}
	default:
		m.setStatus(usage, true)
	}
}

// parseAndApply runs a live command line.
func (m *Model) parseAndApply(line string) {
	c, err := live.ParseCommand(line, nil)
	if err != nil {
		m.setStatus(err.Error(), true)
		return
	}
	m.apply(c)
}

// ccpLoaded installs a program read from a file.
func (m *Model) ccpLoaded(msg ccpLoadedMsg) {
	if msg.err != nil {
		m.setStatus(fmt.Sprintf("ccp load %s: %v", msg.path, msg.err), true)
		return
	}
	m.apply(live.FlowCCPInstall{ID: msg.flow, Source: live.OneLineProgram(msg.src)})
}

// maxProgramBytes bounds a program file.
const maxProgramBytes = 1 << 20

// readProgram reads a datapath program file (off the UI goroutine).
func readProgram(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxProgramBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxProgramBytes {
		return "", fmt.Errorf("larger than %d bytes; is it a datapath program?", maxProgramBytes)
	}
	return string(b), nil
}
