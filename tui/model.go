package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/themes"
	"github.com/ccscope/ccscope/tui/chart"
)

// View names the screens of the workbench.
type View uint8

const (
	ViewOverview View = iota
	ViewMeter
	ViewFlows
	ViewEvents
	ViewCCP
	ViewHelp
)

// viewNames are the views as the command line and the tabs name them.
func viewNames() []string { return []string{"overview", "meter", "flows", "events", "ccp", "help"} }

func (v View) String() string {
	if int(v) < len(viewNames()) {
		return viewNames()[v]
	}
	return "?"
}

// Options configure a workbench.
type Options struct {
	// Theme is the starting palette.
	Theme themes.Theme
	// Tick is the redraw period (default 100 ms: 10 Hz).
	Tick time.Duration
	// Window is the time span the charts show at first (default 30 s).
	Window time.Duration
	// NoTick stops the model from scheduling its own ticks (tests send
	// tickMsg themselves).
	NoTick bool
	// Save, when set, saves the run as a session file at path; the
	// workbench calls it off the UI goroutine (s, or :save PATH).
	Save func(path string) error
	// DefaultSavePath proposes a file name for s.
	DefaultSavePath func() string
	// CanRerun offers R (re-run live) when set: the workbench then quits
	// with Outcome() == OutcomeRerun and the caller starts the re-run.
	CanRerun bool
}

// Outcomes of a workbench session, for its caller.
const (
	OutcomeQuit  = "quit"
	OutcomeRerun = "rerun"
)

// Model is the workbench. It is a bubbletea model: Update handles keys,
// mouse, ticks and resizes; View returns the frame cached by the last
// redraw.
type Model struct {
	src   Source
	opt   Options
	theme themes.Theme

	width, height int
	view          View
	snap          live.Snapshot

	// The command line.
	cmdActive bool
	edit      lineEdit
	matches   []string // completion candidates to show

	// The status line: the last message and when it expires.
	status      string
	statusErr   bool
	statusUntil time.Time

	// Chart time window: its length, and either following the present or
	// ending at `end`.
	window time.Duration
	follow bool
	end    time.Duration
	// Mouse drag to pan: where the drag started.
	dragging  bool
	dragX     int
	dragEnd   time.Duration
	selFlow   int // index into snap.Flows
	eventsTop int // first row shown in the events view

	layout  layout
	outcome string
	saving  bool
	pending tea.Cmd                 // work to run off the UI goroutine (a save)
	charts  map[string]*chart.Chart // one per pane, reused every frame
	frame   string                  // the cached screen
	quit    bool
	now     func() time.Time
}

// tickMsg asks for a redraw.
type tickMsg time.Time

// savedMsg reports a finished save.
type savedMsg struct {
	path string
	err  error
}

// Outcome says how the workbench ended: OutcomeQuit, or OutcomeRerun when
// the user asked to re-run a replay.
func (m *Model) Outcome() string {
	if m.outcome == "" {
		return OutcomeQuit
	}
	return m.outcome
}

// New makes a workbench over src.
func New(src Source, opt Options) *Model {
	if opt.Tick <= 0 {
		opt.Tick = 100 * time.Millisecond
	}
	if opt.Window <= 0 {
		opt.Window = 30 * time.Second
	}
	if opt.Theme.Name == "" {
		opt.Theme, _ = themes.ByName("dark")
	}
	m := &Model{src: src, opt: opt, theme: opt.Theme, window: opt.Window, follow: true,
		width: 80, height: 24, now: time.Now}
	m.snap = src.Snapshot()
	m.redraw()
	return m
}

// Init starts the redraw ticks.
func (m *Model) Init() tea.Cmd { return m.tick() }

func (m *Model) tick() tea.Cmd {
	if m.opt.NoTick {
		return nil
	}
	return tea.Tick(m.opt.Tick, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tickMsg:
		m.snap = m.src.Snapshot()
		m.redraw()
		return m, m.tick()
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case ccpLoadedMsg:
		m.ccpLoaded(msg)
		m.redraw()
		return m, nil
	case savedMsg:
		m.saving = false
		if msg.err != nil {
			m.setStatus("save failed: "+msg.err.Error(), true)
		} else {
			m.setStatus("saved "+msg.path, false)
		}
	case tea.KeyPressMsg:
		cmd = m.key(msg)
	case tea.MouseWheelMsg:
		m.wheel(msg.Mouse())
	case tea.MouseClickMsg:
		m.click(msg.Mouse())
	case tea.MouseMotionMsg:
		m.drag(msg.Mouse())
	case tea.MouseReleaseMsg:
		m.dragging = false
	}
	m.redraw()
	if m.pending != nil {
		cmd = tea.Batch(cmd, m.pending)
		m.pending = nil
	}
	if m.quit {
		return m, tea.Quit
	}
	return m, cmd
}

// View returns the cached frame.
func (m *Model) View() tea.View {
	v := tea.NewView(m.frame)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "ccscope"
	// The theme's colours become the terminal's defaults while the
	// workbench runs, so a light theme reads on a dark terminal.
	v.BackgroundColor = m.theme.Background
	v.ForegroundColor = m.theme.Foreground
	return v
}

// Frame is the current screen as text (for tests and goldens).
func (m *Model) Frame() string { return m.frame }

// setStatus shows a message in the status line for a few seconds.
func (m *Model) setStatus(msg string, isErr bool) {
	m.status, m.statusErr = msg, isErr
	m.statusUntil = m.now().Add(5 * time.Second)
}

// visible is the time window the charts show.
func (m *Model) visible() (from, to time.Duration) {
	to = m.end
	if m.follow {
		to = m.snap.Now
	}
	to = min(max(to, m.window), max(m.snap.End, m.window))
	from = max(to-m.window, 0)
	return from, to
}
