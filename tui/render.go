package tui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
)

// redraw renders the current screen into the frame cache.
func (m *Model) redraw() {
	w, h := max(m.width, 1), max(m.height, 1)
	var blocks []block
	switch m.view {
	case ViewOverview:
		blocks = m.overview(w, h)
	case ViewMeter:
		blocks = m.meter(w, h)
	case ViewFlows:
		blocks = m.flowsView(w, h)
	case ViewEvents:
		blocks = m.eventsView(w, h)
	case ViewCCP:
		blocks = m.ccpView(w, h)
	case ViewHelp:
		blocks = m.helpView(w, h)
	}
	blocks = append(blocks, block{rect{0, 0, w, 1}, []string{m.header(w)}})
	if h > 1 {
		blocks = append(blocks, block{rect{0, h - 1, w, 1}, []string{m.footer(w)}})
	}
	m.frame = compose(w, h, blocks)
}

func (m *Model) style() lipgloss.Style { return lipgloss.NewStyle() }

// header: backend, link summary, experiment time, state and speed, tabs.
func (m *Model) header(w int) string {
	t := m.theme
	sn := m.snap
	up, down := sn.Uplink.Config, sn.Downlink.Config
	state := "▶ running"
	switch {
	case sn.Done:
		state = "■ done"
	case m.src.Paused():
		state = "❚❚ paused"
	}
	title := m.style().Bold(true).Foreground(t.Title).Render("ccscope")
	muted := m.style().Foreground(t.Muted)
	sep := muted.Render(" │ ")
	// Pieces in order of importance; the least important go first when
	// the line is too narrow.
	upLink := fmt.Sprintf("↑ %s %s", capacityText(up.Capacity), fmtMs(up.Delay))
	queue := queueText(up.Queue)
	loss := ""
	if up.Loss.Kind != 0 {
		loss = "loss " + up.Loss.String()
	}
	downLink := fmt.Sprintf("↓ %s %s", capacityText(down.Capacity), fmtMs(down.Delay))
	clock := fmt.Sprintf("t=%s/%s", fmtDur(sn.Now), fmtDur(sn.End))
	run := m.style().Foreground(t.Accent).Render(fmt.Sprintf("%s %gx", state, m.src.Speed()))
	// Candidates from the fullest to the barest: drop the backend, the
	// downlink, the queue, the loss, then the speed until the line fits.
	link := func(q, l, d bool) string {
		parts := []string{upLink}
		if q {
			parts = append(parts, queue)
		}
		if l && loss != "" {
			parts = append(parts, loss)
		}
		if d {
			parts = append(parts, downLink)
		}
		return strings.Join(parts, "  ")
	}
	state2 := m.style().Foreground(t.Accent).Render(state)
	candidates := []string{
		strings.Join([]string{title, sn.Backend, link(true, true, true), clock, run}, sep),
		strings.Join([]string{title, link(true, true, true), clock, run}, sep),
		strings.Join([]string{title, link(true, true, false), clock, run}, sep),
		strings.Join([]string{title, link(false, true, false), clock, run}, sep),
		strings.Join([]string{title, link(false, false, false), clock, run}, sep),
		strings.Join([]string{title, link(false, false, false), clock, state2}, sep),
	}
	left := candidates[len(candidates)-1]
	for _, c := range candidates {
		if lipgloss.Width(c) <= w {
			left = c
			break
		}
	}
	var tabs []string
	for i, n := range viewNames()[:ViewHelp] {
		label := fmt.Sprintf("%d %s", i+1, n)
		if View(i) == m.view {
			tabs = append(tabs, m.style().Bold(true).Foreground(t.Accent).Render(label))
		} else {
			tabs = append(tabs, muted.Render(label))
		}
	}
	right := strings.Join(tabs, " ")
	if lw, rw := lipgloss.Width(left), lipgloss.Width(right); lw+rw+2 <= w {
		return left + strings.Repeat(" ", w-lw-rw) + right
	}
	return fit(left, w)
}

// footer: the command line, a status message, or the keys of this view.
func (m *Model) footer(w int) string {
	t := m.theme
	if m.cmdActive {
		line := ":" + string(m.edit.text[:m.edit.cursor]) + m.style().Reverse(true).Render(cursorChar(m.edit)) + string(m.edit.text[min(m.edit.cursor+1, len(m.edit.text)):])
		if len(m.matches) > 0 {
			line += "   " + m.style().Foreground(t.Muted).Render(strings.Join(m.matches, " "))
		}
		return fit(line, w)
	}
	if m.status != "" && m.now().Before(m.statusUntil) {
		c := t.Good
		if m.statusErr {
			c = t.Error
		}
		return fit(m.style().Foreground(c).Render(m.status), w)
	}
	return fit(m.style().Foreground(t.Muted).Render(m.keyHelp()), w)
}

func cursorChar(e lineEdit) string {
	if e.cursor < len(e.text) {
		return string(e.text[e.cursor])
	}
	return " "
}
