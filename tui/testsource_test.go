package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
	"github.com/ccscope/ccscope/live/store"
	"github.com/ccscope/ccscope/themes"
)

// testSource is a live sim that only moves when the test steps it: the
// frames it gives are deterministic.
func testSource(t testing.TB, exp live.Experiment, until time.Duration) LiveSource {
	t.Helper()
	st := store.NewStore()
	sim, err := live.NewSim(exp, live.SimOptions{NewController: cc.New, Recorder: live.StoreRecorder(st)})
	if err != nil {
		t.Fatal(err)
	}
	r := live.NewRunner(sim)
	r.Step(until)
	return LiveSource{Runner: r, Series: st}
}

// testModel is a workbench of w×h over the default experiment run to 10 s,
// with a fixed clock and no ticks.
func testModel(t testing.TB, w, h int) (*Model, LiveSource) {
	t.Helper()
	src := testSource(t, live.DefaultExperiment(), 10*time.Second)
	dark, _ := themes.ByName("dark")
	m := New(src, Options{Theme: dark, NoTick: true})
	fixed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return fixed }
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m, src
}

// press sends keys: single characters, or key names like "enter".
func press(m *Model, keys ...string) {
	for _, k := range keys {
		m.Update(keyMsg(k))
	}
}

// typeText sends each character of s.
func typeText(m *Model, s string) {
	for _, r := range s {
		if r == ' ' {
			m.Update(keyMsg("space"))
			continue
		}
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// plain is the frame without colours.
func plain(m *Model) string { return ansi.Strip(m.Frame()) }
