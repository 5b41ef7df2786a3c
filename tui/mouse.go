package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// chartAt is the chart under a mouse position.
func (m *Model) chartAt(x, y int) (rect, bool) {
	for _, r := range m.layout.charts {
		if r.contains(x, y) {
			return r, true
		}
	}
	return rect{}, false
}

// wheel zooms the time window of the charts.
func (m *Model) wheel(ev tea.Mouse) {
	if _, ok := m.chartAt(ev.X, ev.Y); !ok {
		return
	}
	switch ev.Button {
	case tea.MouseWheelUp:
		m.zoom(1 / zoomStep)
	case tea.MouseWheelDown:
		m.zoom(zoomStep)
	}
}

// click starts a drag that pans the charts.
func (m *Model) click(ev tea.Mouse) {
	if ev.Button != tea.MouseLeft {
		return
	}
	if _, ok := m.chartAt(ev.X, ev.Y); !ok {
		return
	}
	m.dragging, m.dragX = true, ev.X
	_, m.dragEnd = m.visible()
}

// drag pans by the distance dragged: a chart's width is the window.
func (m *Model) drag(ev tea.Mouse) {
	if !m.dragging {
		return
	}
	r, ok := m.chartAt(ev.X, ev.Y)
	if !ok || r.w == 0 {
		return
	}
	shift := time.Duration(float64(ev.X-m.dragX) / float64(r.w) * float64(m.window))
	end := m.dragEnd - shift
	if end >= m.snap.Now {
		m.follow = true
		return
	}
	m.follow, m.end = false, max(end, m.window)
}
