package tui

import (
	"fmt"
	"math"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/themes"
)

// keyHelp is the footer's one-line help per view.
func (m *Model) keyHelp() string {
	v := m.view
	if _, replay := m.src.(Seeker); replay && (v == ViewOverview || v == ViewMeter) {
		rerun := ""
		if m.opt.CanRerun {
			rerun = " · R re-run"
		}
		return "space play/pause · [/] seek · home start · </> speed · z/Z zoom" + rerun + " · : command · ? help · q quit"
	}
	if m.realTime() && (v == ViewOverview || v == ViewMeter) {
		return "real time · b/B bw · d/D delay · l/L loss · z/Z zoom · s save · 1-5 views · : command · ? help · q quit"
	}
	switch v {
	case ViewFlows:
		return "←/→ flow · ↑/↓ manual cwnd · 1-5 views · : command · ? help · q quit"
	case ViewEvents:
		return "↑/↓ scroll · 1-5 views · : command · ? help · q quit"
	case ViewCCP:
		return "←/→ flow · :ccp install N PROGRAM · :ccp load N FILE · :ccp agent N · 1-5 views · ? help · q quit"
	}
	return "space pause · </> speed · b/B bw · d/D delay · l/L loss · z/Z zoom · s save · : command · ? help · q quit"
}

// Steps of the link keys: bandwidth ×1.25, delay ±25% (at least 1 ms),
// loss ±0.5 percentage points.
const (
	bwStep     = 1.25
	delayStep  = 1.25
	lossStep   = 0.005
	zoomStep   = 1.5
	minWindow  = time.Second
	maxSpeed   = live.MaxSpeed
	manualStep = 1.25
)

// key handles a key press.
func (m *Model) key(k tea.KeyPressMsg) tea.Cmd {
	s := k.String()
	if m.cmdActive {
		return m.cmdKey(k)
	}
	if m.view == ViewHelp && s != "ctrl+c" && s != "q" {
		m.view = ViewOverview
		return nil
	}
	switch s {
	case "q", "ctrl+c":
		m.quit = true
	case ":":
		m.cmdActive = true
		m.edit.reset()
		m.matches = nil
	case "?":
		m.view = ViewHelp
	case "1":
		m.view = ViewOverview
	case "2":
		m.view = ViewMeter
	case "3":
		m.view = ViewFlows
	case "4":
		m.view = ViewEvents
	case "5":
		m.view = ViewCCP
	case "tab":
		m.view = (m.view + 1) % ViewHelp
	case "shift+tab":
		m.view = (m.view + ViewHelp - 1) % ViewHelp
	case "space", ".", ">", "<":
		if m.realTime() {
			m.setStatus("the netns backend runs in real time: real packets cannot be paused, stepped or sped up", true)
			break
		}
		switch s {
		case "space":
			m.src.SetPaused(!m.src.Paused())
		case ".":
			m.src.Step(0)
			m.snap = m.src.Snapshot()
		case ">":
			m.setSpeed(m.src.Speed() * 2)
		case "<":
			m.setSpeed(m.src.Speed() / 2)
		}
	case "b":
		m.stepBandwidth(1 / bwStep)
	case "B":
		m.stepBandwidth(bwStep)
	case "d":
		m.stepDelay(1 / delayStep)
	case "D":
		m.stepDelay(delayStep)
	case "l":
		m.stepLoss(-lossStep)
	case "L":
		m.stepLoss(lossStep)
	case "z":
		m.zoom(1 / zoomStep)
	case "Z":
		m.zoom(zoomStep)
	case "f", "end":
		m.follow = true
	case "pgup":
		m.pan(-m.window / 2)
	case "pgdown":
		m.pan(m.window / 2)
	case "t":
		m.theme, _ = themes.ByName(themes.Next(m.theme.Name))
		m.setStatus("theme "+m.theme.Name, false)
	case "[":
		m.seekBy(-m.seekStep())
	case "]":
		m.seekBy(m.seekStep())
	case "home":
		m.seekTo(0)
	case "s":
		if m.opt.Save == nil {
			m.setStatus("nothing to save here", true)
			break
		}
		m.cmdActive = true
		m.edit.reset()
		path := "session.zip"
		if m.opt.DefaultSavePath != nil {
			path = m.opt.DefaultSavePath()
		}
		m.edit.set("save " + path)
	case "R":
		if m.opt.CanRerun {
			m.outcome, m.quit = OutcomeRerun, true
		}
	case "left", "h":
		m.selectFlow(-1)
	case "right":
		m.selectFlow(1)
	case "up", "k":
		if m.view == ViewEvents {
			m.eventsTop = max(m.eventsTop-1, 0)
		} else {
			m.stepManual(manualStep)
		}
	case "down", "j":
		if m.view == ViewEvents {
			m.eventsTop++
		} else {
			m.stepManual(1 / manualStep)
		}
	}
	return nil
}

// realTime reports whether the source runs in real time.
func (m *Model) realTime() bool {
	rt, ok := m.src.(realTimer)
	return ok && rt.RealTime()
}

// seekStep is how far [ and ] move a replay: a quarter of the charts'
// window (zoom out to move faster), at least 5 s.
func (m *Model) seekStep() time.Duration { return max(m.window/4, 5*time.Second) }

// seekBy and seekTo move a replay; live runs cannot seek.
func (m *Model) seekBy(d time.Duration) { m.seekTo(m.snap.Now + d) }

func (m *Model) seekTo(t time.Duration) {
	sk, ok := m.src.(Seeker)
	if !ok {
		m.setStatus("seeking works in replays of saved sessions; a live run only goes forward", true)
		return
	}
	sk.Seek(t)
	m.snap = m.src.Snapshot()
	m.follow = true
	m.setStatus("at "+fmtDur(m.snap.Now), false)
}

func (m *Model) setSpeed(x float64) {
	x = min(max(x, live.MinSpeed), maxSpeed)
	if err := m.src.SetSpeed(x); err != nil {
		m.setStatus(err.Error(), true)
		return
	}
	m.setStatus(fmt.Sprintf("speed %gx", x), false)
}

// apply runs a command and reports it in the status line.
func (m *Model) apply(c live.Command) {
	if err := m.src.Apply(c); err != nil {
		m.setStatus(err.Error(), true)
		return
	}
	m.snap = m.src.Snapshot()
	m.setStatus(c.String(), false)
}

func (m *Model) stepBandwidth(f float64) {
	cfg := m.snap.Uplink.Config
	rate := cfg.Capacity.MeanRate()
	if math.IsNaN(rate) || rate <= 0 {
		return
	}
	r := math.Round(rate*f/1e3) * 1e3 // whole kbit/s
	r = min(max(r, 10e3), emu.MaxRate)
	m.apply(live.LinkCommand{Command: emu.Command{Dir: emu.Uplink,
		Change: emu.Change{Param: emu.ParamCapacity, Capacity: emu.RateCapacity(r)}}})
}

func (m *Model) stepDelay(f float64) {
	d := m.snap.Uplink.Config.Delay
	nd := time.Duration(float64(d) * f).Round(time.Millisecond)
	switch {
	case f > 1 && nd <= d:
		nd = d + time.Millisecond
	case f < 1 && nd >= d:
		nd = max(d-time.Millisecond, 0)
	}
	m.apply(live.LinkCommand{Command: emu.Command{Dir: emu.Both,
		Change: emu.Change{Param: emu.ParamDelay, Duration: nd}}})
}

func (m *Model) stepLoss(delta float64) {
	cur := m.snap.Uplink.Config.Loss
	p := 0.0
	if cur.Kind == emu.LossIID {
		p = cur.P
	}
	p = min(max(math.Round((p+delta)*1e4)/1e4, 0), 1)
	spec := emu.LossSpec{}
	if p > 0 {
		spec = emu.LossSpec{Kind: emu.LossIID, P: p}
	}
	m.apply(live.LinkCommand{Command: emu.Command{Dir: emu.Uplink,
		Change: emu.Change{Param: emu.ParamLoss, Loss: spec}}})
}

// zoom scales the visible window (f < 1 zooms in).
func (m *Model) zoom(f float64) {
	w := time.Duration(float64(m.window) * f)
	w = min(max(w, minWindow), max(m.snap.End, minWindow))
	m.window = w.Round(100 * time.Millisecond)
	m.setStatus(fmt.Sprintf("window %v", m.window), false)
}

// pan moves the window by d and stops following the present.
func (m *Model) pan(d time.Duration) {
	_, to := m.visible()
	to += d
	if to >= m.snap.Now {
		m.follow = true
		return
	}
	m.follow = false
	m.end = max(to, m.window)
}

func (m *Model) selectFlow(d int) {
	if n := len(m.snap.Flows); n > 0 {
		m.selFlow = ((m.selFlow+d)%n + n) % n
	}
}

// stepManual scales the selected flow's window if it is a manual flow.
func (m *Model) stepManual(f float64) {
	if m.selFlow >= len(m.snap.Flows) {
		return
	}
	fl := m.snap.Flows[m.selFlow]
	if !fl.Manual {
		if m.view == ViewFlows {
			m.setStatus(fmt.Sprintf("flow %d runs %s: ↑/↓ set the window of manual flows (flow add manual)", fl.ID, fl.Scheme), true)
		}
		return
	}
	w := max(fl.Cwnd/1448, 1)
	nw := int(math.Round(float64(w) * f))
	if nw == w {
		nw = w + 1
		if f < 1 {
			nw = w - 1
		}
	}
	m.apply(live.FlowSet{ID: fl.ID, What: "cwnd", Value: float64(max(nw, 1))})
}
