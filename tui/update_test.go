package tui

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live"
)

func upRate(m *Model) float64 { return m.snap.Uplink.Config.Capacity.Rate }

// TestKeys checks what every key of the workbench does.
func TestKeys(t *testing.T) {
	m, src := testModel(t, 120, 40)

	press(m, "2")
	if m.view != ViewMeter {
		t.Fatal("2 does not open the meter")
	}
	press(m, "3")
	if m.view != ViewFlows {
		t.Fatal("3: flows")
	}
	press(m, "4")
	if m.view != ViewEvents {
		t.Fatal("4: events")
	}
	press(m, "1")
	if m.view != ViewOverview {
		t.Fatal("1: overview")
	}
	press(m, "tab")
	if m.view != ViewMeter {
		t.Fatal("tab")
	}
	press(m, "shift+tab", "shift+tab")
	if m.view != ViewCCP {
		t.Fatalf("shift+tab twice from meter: %v", m.view)
	}
	press(m, "5")
	if m.view != ViewCCP || !strings.Contains(plain(m), "No flow uses CCP") {
		t.Fatal("5 does not show the CCP view")
	}
	press(m, "?")
	if m.view != ViewHelp || !strings.Contains(plain(m), "bandwidth ÷1.25") {
		t.Fatal("? does not show the help")
	}
	press(m, "x") // any key closes the help
	if m.view != ViewOverview {
		t.Fatal("a key does not close the help")
	}

	// Pause, step, speed.
	press(m, "space")
	if !src.Paused() {
		t.Fatal("space does not pause")
	}
	before := m.snap.Now
	press(m, ".")
	if m.snap.Now != before+10*time.Millisecond {
		t.Fatalf(". stepped %v → %v", before, m.snap.Now)
	}
	press(m, "space")
	if src.Paused() {
		t.Fatal("space does not resume")
	}
	press(m, ">")
	if src.Speed() != 2 {
		t.Fatalf("> gives speed %v", src.Speed())
	}
	press(m, "<", "<")
	if src.Speed() != 0.5 {
		t.Fatalf("<< gives speed %v", src.Speed())
	}
	for range 10 {
		press(m, "<")
	}
	if src.Speed() != live.MinSpeed {
		t.Fatalf("speed bottoms out at %v", src.Speed())
	}

	// Link keys.
	press(m, "b")
	if r := upRate(m); r != 19.2e6 {
		t.Fatalf("b: %v bit/s, want 24e6/1.25 = 19.2e6", r)
	}
	press(m, "B", "B")
	if r := upRate(m); r != 30e6 {
		t.Fatalf("bB: %v, want 30e6", r)
	}
	press(m, "D")
	if d := m.snap.Uplink.Config.Delay; d != 25*time.Millisecond || m.snap.Downlink.Config.Delay != d {
		t.Fatalf("D: delay %v (down %v), want 25ms both ways", d, m.snap.Downlink.Config.Delay)
	}
	press(m, "d")
	if d := m.snap.Uplink.Config.Delay; d != 20*time.Millisecond {
		t.Fatalf("d: %v", d)
	}
	press(m, "L", "L")
	if l := m.snap.Uplink.Config.Loss; l.Kind != emu.LossIID || l.P != 0.01 {
		t.Fatalf("LL: %+v, want 1%%", l)
	}
	press(m, "l", "l", "l")
	if l := m.snap.Uplink.Config.Loss; l.Kind != emu.LossNone {
		t.Fatalf("lll: %+v, want none", l)
	}
	if !strings.Contains(m.status, "loss 0%") || m.statusErr {
		t.Fatalf("status after a change: %q", m.status)
	}

	// Zoom and pan.
	press(m, "z")
	if m.window != 20*time.Second {
		t.Fatalf("z: window %v", m.window)
	}
	press(m, "Z", "Z")
	if m.window != 45*time.Second {
		t.Fatalf("zZZ: window %v", m.window)
	}
	src.Step(50 * time.Second) // now 60 s, the end
	m.snap = src.Snapshot()
	press(m, "z", "z") // 45 s → 30 s → 20 s
	press(m, "pgup")
	if from, to := m.visible(); m.follow || to != m.snap.Now-m.window/2 || from != to-m.window {
		t.Fatalf("pgup: follow %v, window %v..%v", m.follow, from, to)
	}
	press(m, "pgdown")
	if !m.follow {
		t.Fatal("pgdown back to the present does not follow again")
	}
	press(m, "pgup", "end")
	if !m.follow {
		t.Fatal("end does not follow")
	}

	// Themes cycle.
	first := m.theme.Name
	press(m, "t")
	if m.theme.Name == first {
		t.Fatal("t does not change the theme")
	}
	press(m, "q")
	if !m.quit {
		t.Fatal("q does not quit")
	}
}

// TestManualKeys: ↑/↓ change the selected manual flow's window; ←/→
// select flows; other flows refuse politely.
func TestManualKeys(t *testing.T) {
	m, _ := testModel(t, 120, 40)
	typeText(m, ":flow add manual")
	press(m, "enter", ".") // add it, then step so that it starts
	if len(m.snap.Flows) != 2 || !m.snap.Flows[1].Manual || !m.snap.Flows[1].Started {
		t.Fatalf("flows %+v", m.snap.Flows)
	}
	press(m, "3", "right")
	if m.selFlow != 1 {
		t.Fatal("right does not select flow 2")
	}
	press(m, "up", "up")
	if c := m.snap.Flows[1].Cwnd / 1448; c != 16 { // 10 → 12.5≈13 → 16.25≈16
		t.Fatalf("↑↑ from 10 packets: %d", c)
	}
	press(m, "down")
	if c := m.snap.Flows[1].Cwnd / 1448; c != 13 {
		t.Fatalf("↓: %d", c)
	}
	press(m, "left", "up")
	if !m.statusErr || !strings.Contains(m.status, "runs cubic") {
		t.Fatalf("↑ on cubic: %q", m.status)
	}
	press(m, "left")
	if m.selFlow != 1 {
		t.Fatal("left wraps around")
	}
	// Events view: ↑/↓ scroll when the timeline is longer than the screen.
	for _, c := range []string{"bw 20mbit", "bw 10mbit", "delay 30ms", "loss 1%"} {
		typeText(m, ":"+c)
		press(m, "enter")
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 6})
	press(m, "4", "down", "down", "up")
	tl := m.snap.Timeline
	if m.eventsTop != 1 || !strings.Contains(plain(m), tl[1].Text) || strings.Contains(plain(m), tl[0].Text) {
		t.Fatalf("events scrolled to %d:\n%s", m.eventsTop, plain(m))
	}
}

// TestCommands runs every command of the command line.
func TestCommands(t *testing.T) {
	m, src := testModel(t, 120, 40)
	run := func(line string) {
		t.Helper()
		press(m, ":")
		typeText(m, line)
		press(m, "enter")
		if m.cmdActive {
			t.Fatalf("%q: command line still open", line)
		}
	}
	ok := func(line, statusPart string, check func() bool) {
		t.Helper()
		run(line)
		if m.statusErr || !strings.Contains(m.status, statusPart) || (check != nil && !check()) {
			t.Fatalf("%q: status %q (error %v)", line, m.status, m.statusErr)
		}
	}
	bad := func(line, errPart string) {
		t.Helper()
		run(line)
		if !m.statusErr || !strings.Contains(m.status, errPart) {
			t.Fatalf("%q: status %q (error %v), want an error with %q", line, m.status, m.statusErr, errPart)
		}
	}
	ok("bw 6mbit", "uplink bw 6mbit", func() bool { return upRate(m) == 6e6 })
	ok("delay 40ms", "both delay 40ms", func() bool { return m.snap.Downlink.Config.Delay == 40*time.Millisecond })
	ok("jitter 5ms", "jitter 5ms", func() bool { return m.snap.Uplink.Config.Jitter == 5*time.Millisecond })
	ok("loss 1%", "loss 1%", func() bool { return m.snap.Uplink.Config.Loss.P == 0.01 })
	ok("queue codel packets=100 target=5 interval=100", "queue codel", func() bool { return m.snap.Uplink.Config.Queue.Kind == emu.QueueCoDel })
	ok("flow add bbr", "flow add bbr", func() bool { return len(m.snap.Flows) == 2 })
	ok("flow stop 2", "flow stop 2", nil)
	ok("pause", "paused", func() bool { return src.Paused() })
	now := m.snap.Now
	ok("step 1s", "stepped to", func() bool { return m.snap.Now == now+time.Second })
	ok("resume", "running", func() bool { return !src.Paused() })
	ok("speed 4x", "speed 4x", func() bool { return src.Speed() == 4 })
	ok("theme light", "theme light", func() bool { return m.theme.Name == "light" })
	run("view meter")
	if m.view != ViewMeter {
		t.Fatal("view meter")
	}
	run("zoom 10s")
	if m.window != 10*time.Second {
		t.Fatal("zoom 10s")
	}
	m.follow = false
	run("follow")
	if !m.follow {
		t.Fatal("follow")
	}
	run("help")
	if m.view != ViewHelp {
		t.Fatal("help")
	}
	press(m, "x")

	bad("bw 24", "missing unit")
	bad("bw 24mbps", "ambiguous unit")
	bad("delay -3ms", "must not be negative")
	bad("queue fifo", "unknown queue type")
	bad("queue droptail", "needs a limit")
	bad("trace /no/such/file", "no such file")
	bad("flow add cubci", `did you mean "cubic"`)
	bad("flow stop 9", "no flow 9")
	bad("flow 1 cwnd 20", "only manual flows")
	bad("speed 1000x", "want 0.1x to 100x")
	bad("speed fast", "want a factor")
	bad("view nope", "want one of")
	bad("theme nope", "unknown theme")
	bad("frobnicate", `unknown link command "frobnicate"`)
	// A command that fails changes nothing.
	if upRate(m) != 6e6 {
		t.Fatal("a failed command changed the link")
	}
	// The timeline records the changes.
	var changes []string
	for _, r := range m.snap.Timeline {
		if r.Kind == live.RecordChange {
			changes = append(changes, r.Text)
		}
	}
	if len(changes) != 7 || changes[0] != "uplink bw 6mbit" {
		t.Fatalf("timeline changes %q", changes)
	}
	run("quit")
	if !m.quit {
		t.Fatal("quit")
	}
}

// TestCommandLineEditing: completion, history, editing keys, escape.
func TestCommandLineEditing(t *testing.T) {
	m, _ := testModel(t, 120, 40)
	press(m, ":")
	typeText(m, "que")
	press(m, "tab")
	if v := m.edit.value(); v != "queue " {
		t.Fatalf("tab after que: %q", v)
	}
	typeText(m, "d")
	press(m, "tab")
	if v := m.edit.value(); v != "queue drop" || len(m.matches) != 2 {
		t.Fatalf("tab after queue d: %q, matches %v", v, m.matches)
	}
	if !strings.Contains(plain(m), "droptail drophead") {
		t.Fatal("the matches are not shown")
	}
	press(m, "esc")
	if m.cmdActive {
		t.Fatal("esc does not close the command line")
	}
	press(m, ":")
	typeText(m, "flow add c")
	press(m, "tab")
	if v := m.edit.value(); v != "flow add c" || strings.Join(m.matches, " ") != "copa cubic" {
		t.Fatalf("flow add c + tab: %q %v", v, m.matches)
	}
	press(m, "backspace")
	typeText(m, "bbr")
	press(m, "enter")
	if len(m.snap.Flows) != 2 {
		t.Fatal("flow add bbr after editing")
	}
	press(m, ":", "up")
	if v := m.edit.value(); v != "flow add bbr" {
		t.Fatalf("history: %q", v)
	}
	press(m, "down")
	if v := m.edit.value(); v != "" {
		t.Fatalf("history down: %q", v)
	}
	press(m, "backspace") // on an empty line closes it
	if m.cmdActive {
		t.Fatal("backspace on an empty line does not close it")
	}
	if !strings.HasPrefix(ansi.Strip(m.footer(120)), "flow add bbr") {
		t.Fatalf("the footer does not show the last command: %q", ansi.Strip(m.footer(120)))
	}
	later := m.now().Add(6 * time.Second)
	m.now = func() time.Time { return later }
	if !strings.HasPrefix(ansi.Strip(m.footer(120)), "space pause") {
		t.Fatalf("the status does not expire: %q", ansi.Strip(m.footer(120)))
	}
}

// TestMouse: the wheel over a chart zooms; a drag pans.
func TestMouse(t *testing.T) {
	m, src := testModel(t, 120, 40)
	src.Step(50 * time.Second)
	m.Update(tickMsg(time.Time{}))
	r := m.layout.charts[0]
	m.Update(tea.MouseWheelMsg{X: r.x + 5, Y: r.y + 5, Button: tea.MouseWheelUp})
	if m.window != 20*time.Second {
		t.Fatalf("wheel up: window %v", m.window)
	}
	m.Update(tea.MouseWheelMsg{X: m.layout.side.x + 2, Y: 5, Button: tea.MouseWheelUp})
	if m.window != 20*time.Second {
		t.Fatal("the wheel outside the charts zoomed")
	}
	m.Update(tea.MouseClickMsg{X: r.x + r.w/2, Y: r.y + 2, Button: tea.MouseLeft})
	m.Update(tea.MouseMotionMsg{X: r.x + r.w/2 + r.w/4, Y: r.y + 2, Button: tea.MouseLeft})
	m.Update(tea.MouseReleaseMsg{X: r.x + r.w/2 + r.w/4, Y: r.y + 2})
	_, to := m.visible()
	if m.follow || to > 60*time.Second-4*time.Second || to < 60*time.Second-6*time.Second {
		t.Fatalf("dragging a quarter of the chart to the right: follow %v, window ends %v (want ≈55s)", m.follow, to)
	}
}

// TestResize: every size from 80×24 up renders exactly its size; the side
// panel appears only when there is room; tiny screens do not panic.
func TestResize(t *testing.T) {
	m, _ := testModel(t, 80, 24)
	for _, sz := range [][2]int{{80, 24}, {100, 30}, {120, 40}, {160, 50}, {200, 60}, {40, 10}, {10, 3}, {1, 1}} {
		for v := ViewOverview; v <= ViewHelp; v++ {
			m.view = v
			m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			lines := strings.Split(m.Frame(), "\n")
			if len(lines) != sz[1] {
				t.Fatalf("%v at %dx%d: %d lines", v, sz[0], sz[1], len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != sz[0] {
					t.Fatalf("%v at %dx%d: line %d is %d wide", v, sz[0], sz[1], i, w)
				}
			}
		}
		m.view = ViewOverview
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		if side := m.layout.side.w > 0; side != (sz[0] >= sideMinScreen) {
			t.Fatalf("%dx%d: side panel %v", sz[0], sz[1], side)
		}
		if sz[0] >= 80 && sz[1] >= 24 && len(m.layout.charts) != 4 {
			t.Fatalf("%dx%d: %d charts", sz[0], sz[1], len(m.layout.charts))
		}
	}
}

func TestKth(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		n := 1 + r.IntN(300)
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(r.IntN(20)) // many ties
		}
		s := slices.Clone(v)
		slices.Sort(s)
		k := r.IntN(n)
		if got := kth(slices.Clone(v), k); got != s[k] {
			t.Fatalf("kth(%v, %d) = %v, want %v", v, k, got, s[k])
		}
	}
}
