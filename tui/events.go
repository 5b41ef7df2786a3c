package tui

import (
	"fmt"
	"strings"

	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live"
)

// eventsView lists the timeline: changes, flow starts and ends, warnings
// and errors, oldest first; ↑/↓ scroll.
func (m *Model) eventsView(w, h int) []block {
	body := rect{0, 1, w, max(h-2, 0)}
	tl := m.snap.Timeline
	m.eventsTop = min(m.eventsTop, max(len(tl)-body.h+1, 0))
	lines := []string{m.style().Foreground(m.theme.Muted).Render(fmt.Sprintf("%10s  %-8s %s", "time", "kind", "event"))}
	for _, r := range tl[min(m.eventsTop, len(tl)):] {
		c := m.theme.Foreground
		switch r.Kind {
		case live.RecordChange:
			c = m.theme.Marker
		case live.RecordWarning:
			c = m.theme.Warning
		case live.RecordError:
			c = m.theme.Error
		}
		lines = append(lines, m.style().Foreground(c).Render(fmt.Sprintf("%10s  %-8s %s", fmtDur(r.At), r.Kind, r.Text)))
	}
	if len(tl) == 0 {
		lines = append(lines, "  nothing yet: changes you make (keys or :commands) appear here")
	}
	return []block{{body, fitLines(strings.Join(lines, "\n"), w, body.h)}}
}

// helpView is the full help: keys and commands.
func (m *Model) helpView(w, h int) []block {
	body := rect{0, 1, w, max(h-2, 0)}
	text := `keys
  q, ctrl+c      quit                      ?            this help (any key closes it)
  1 2 3 4 5, tab overview, meter, flows, events, ccp
  space          pause / resume            .            step one sample (10 ms)
  > <            speed ×2 / ÷2 (0.1x–100x) t            next colour theme
  b B            bandwidth ÷1.25 / ×1.25   d D          delay ÷1.25 / ×1.25 (both ways)
  l L            loss −0.5 / +0.5 points   : (colon)    command line (tab completes, ↑/↓ history)
  z Z            zoom in / out             pgup pgdown  pan back / forward; f follows the present
  ← →            select a flow             ↑ ↓          selected manual flow's window ×1.25 / ÷1.25
  s              save the run as a session [ ] home       replays: seek ±¼ window (≥5 s) / to start
  R              replays: re-run it live   mouse        wheel zooms a chart, drag pans

` + emu.CommandHelp + "\n\n" + commandHelp
	return []block{{body, fitLines(text, w, body.h)}}
}
