package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
	"github.com/ccscope/ccscope/themes"
)

// cmdKey handles a key while the command line is open.
func (m *Model) cmdKey(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "esc", "ctrl+c", "ctrl+g":
		m.cmdActive = false
		m.matches = nil
	case "enter":
		line := strings.TrimSpace(m.edit.value())
		m.edit.remember(line)
		m.cmdActive = false
		m.matches = nil
		if line != "" {
			m.execute(line)
		}
	case "tab":
		m.matches = m.edit.complete(m.candidates)
	case "backspace", "ctrl+h":
		if len(m.edit.text) == 0 {
			m.cmdActive = false
		}
		m.edit.backspace()
	case "delete", "ctrl+d":
		m.edit.deleteForward()
	case "ctrl+w":
		m.edit.deleteWord()
	case "left", "ctrl+b":
		m.edit.left()
	case "right", "ctrl+f":
		m.edit.right()
	case "home", "ctrl+a":
		m.edit.cursor = 0
	case "end", "ctrl+e":
		m.edit.cursor = len(m.edit.text)
	case "up", "ctrl+p":
		m.edit.prev()
	case "down", "ctrl+n":
		m.edit.next()
	case "space":
		m.edit.insert(" ")
	default:
		if k.Text != "" {
			m.edit.insert(k.Text)
		}
	}
	return nil
}

// commandHelp lists the workbench's own commands (link and flow commands
// come from emu and live).
const commandHelp = `workbench commands:
  pause | resume | step [D] | speed X (e.g. speed 4x, 0.1x–100x)
  view overview|meter|flows|events|help   theme NAME   zoom D (e.g. zoom 10s)   follow   quit
  save FILE.zip (s proposes a name)   seek T (replays: also [ ] and home)
flow commands:
  flow add SCHEME [SIZE]   flow stop N   flow N cwnd PACKETS   flow N rate RATE (manual flows)
ccp commands (flows of scheme ccp:ALG):
  ccp install N PROGRAM   ccp load N FILE   (run your datapath program on flow N)   ccp agent N (back to the agent)
`

// execute runs one command line.
func (m *Model) execute(line string) {
	f := strings.Fields(line)
	switch strings.ToLower(f[0]) {
	case "pause", "resume", "play", "run", "step", "speed":
		if m.realTime() {
			m.setStatus("the netns backend runs in real time: real packets cannot be paused, stepped or sped up", true)
			return
		}
	}
	switch strings.ToLower(f[0]) {
	case "q", "quit", "exit":
		m.quit = true
	case "pause":
		m.src.SetPaused(true)
		m.setStatus("paused", false)
	case "resume", "play", "run":
		m.src.SetPaused(false)
		m.setStatus("running", false)
	case "step":
		d := time.Duration(0)
		if len(f) > 1 {
			var err error
			if d, err = emu.ParseDuration("step", f[1]); err != nil {
				m.setStatus(err.Error(), true)
				return
			}
		}
		m.src.Step(d)
		m.snap = m.src.Snapshot()
		m.setStatus(fmt.Sprintf("stepped to %v", m.snap.Now.Round(time.Millisecond)), false)
	case "speed":
		if len(f) != 2 {
			m.setStatus("speed: usage: speed X, e.g. speed 4x (0.1x to 100x)", true)
			return
		}
		x, err := strconv.ParseFloat(strings.TrimSuffix(strings.ToLower(f[1]), "x"), 64)
		if err != nil {
			m.setStatus(fmt.Sprintf("speed %q: want a factor like 4x or 0.5x", f[1]), true)
			return
		}
		if err := m.src.SetSpeed(x); err != nil {
			m.setStatus(err.Error(), true)
			return
		}
		m.setStatus(fmt.Sprintf("speed %gx", x), false)
	case "view":
		if len(f) != 2 {
			m.setStatus("view: usage: view overview|meter|flows|events|ccp|help", true)
			return
		}
		for i, n := range viewNames() {
			if n == f[1] {
				m.view = View(i)
				return
			}
		}
		m.setStatus(fmt.Sprintf("view %q: want one of %s", f[1], strings.Join(viewNames(), ", ")), true)
	case "theme":
		if len(f) != 2 {
			m.setStatus("theme: usage: theme NAME or theme FILE.toml ("+strings.Join(themes.Names(), ", ")+")", true)
			return
		}
		t, err := themes.Resolve(f[1])
		if err != nil {
			m.setStatus(err.Error(), true)
			return
		}
		m.theme = t
		m.setStatus("theme "+t.Name, false)
	case "zoom":
		if len(f) != 2 {
			m.setStatus("zoom: usage: zoom D, e.g. zoom 10s", true)
			return
		}
		d, err := emu.ParseDuration("zoom", f[1])
		if err != nil {
			m.setStatus(err.Error(), true)
			return
		}
		m.window = max(d, minWindow)
	case "follow":
		m.follow = true
	case "seek":
		if len(f) != 2 {
			m.setStatus("seek: usage: seek T, e.g. seek 30s (replays only)", true)
			return
		}
		d, err := emu.ParseDuration("seek", f[1])
		if err != nil {
			m.setStatus(err.Error(), true)
			return
		}
		m.seekTo(d)
	case "save":
		m.save(strings.TrimSpace(strings.TrimPrefix(line, f[0])))
	case "help":
		m.view = ViewHelp
	case "ccp":
		m.ccpCommand(line, f)
	default:
		c, err := live.ParseCommand(line, nil)
		if err != nil {
			// Keep the first line: the full help is on the help screen.
			msg, _, _ := strings.Cut(err.Error(), "\n")
			m.setStatus(msg+" (? for help)", true)
			return
		}
		m.apply(c)
	}
}

// save writes the session in the background (never on the UI goroutine)
// and reports back with a savedMsg.
func (m *Model) save(path string) {
	switch {
	case m.opt.Save == nil:
		m.setStatus("nothing to save here", true)
		return
	case path == "":
		m.setStatus("save: usage: save FILE.zip", true)
		return
	case m.saving:
		m.setStatus("a save is already running", true)
		return
	}
	m.saving = true
	m.setStatus("saving "+path+"…", false)
	save := m.opt.Save
	m.pending = func() tea.Msg { return savedMsg{path: path, err: save(path)} }
}

// candidates completes the command line: command words first, then the
// arguments each command takes.
func (m *Model) candidates(words []string, partial string) []string {
	if len(words) == 0 {
		return []string{"bw", "delay", "jitter", "loss", "queue", "trace", "onoff", "intermittent", "reorder",
			"uplink", "downlink", "both", "flow", "pause", "resume", "step", "speed", "view", "theme", "zoom", "follow",
			"save", "seek", "ccp", "help", "quit"}
	}
	w := words
	if w[0] == "uplink" || w[0] == "downlink" || w[0] == "both" {
		w = w[1:]
		if len(w) == 0 {
			return []string{"bw", "delay", "jitter", "loss", "queue", "trace", "onoff", "intermittent", "reorder"}
		}
	}
	switch w[0] {
	case "flow":
		switch len(w) {
		case 1:
			out := []string{"add", "stop"}
			for _, f := range m.snap.Flows {
				out = append(out, strconv.Itoa(f.ID))
			}
			return out
		case 2:
			if w[1] == "add" {
				return cc.Names()
			}
			if w[1] != "stop" {
				return []string{"cwnd", "rate"}
			}
			var out []string
			for _, f := range m.snap.Flows {
				out = append(out, strconv.Itoa(f.ID))
			}
			return out
		}
	case "queue":
		if len(w) == 1 {
			return []string{"infinite", "droptail", "drophead", "codel", "pie"}
		}
		return []string{"packets=", "bytes=", "target=", "interval=", "qdelay_ref=", "max_burst="}
	case "view":
		return viewNames()
	case "theme":
		return themes.Names()
	case "reorder":
		return []string{"on", "off"}
	case "speed":
		return []string{"0.5x", "1x", "2x", "4x", "10x", "20x", "100x"}
	case "trace", "save":
		return pathCandidates(partial)
	}
	return nil
}

// pathCandidates completes a file path.
func pathCandidates(partial string) []string {
	dir := filepath.Dir(partial)
	if !strings.Contains(partial, string(filepath.Separator)) {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		p := e.Name()
		if dir != "." {
			p = filepath.Join(dir, e.Name())
		}
		if e.IsDir() {
			p += string(filepath.Separator)
		}
		out = append(out, p)
	}
	return out
}
