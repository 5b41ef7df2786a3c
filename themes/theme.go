// theme.go owns the Theme type: its roles (one field each, documented
// here and in README.md), and the helpers the TUI needs to use it: Flow
// (the colour of the i-th flow), IsDark, TextOn and Validate.
package themes

import (
	"errors"
	"fmt"
	"image/color"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MinFlows is the least number of flow colours a theme has: the workbench
// tells up to MinFlows flows apart by colour, then repeats the colours in
// order (Flow wraps around).
const MinFlows = 8

// MaxFlows bounds the flow colours a theme file may give.
const MaxFlows = 64

// MaxNameLen bounds a theme's name, in characters.
const MaxNameLen = 64

// Theme is a palette for the workbench: one colour per role. Every role
// is set in a valid theme (see Validate). The TOML key of each role is
// given in brackets; README.md documents them for users.
type Theme struct {
	// Name is the theme's name as shown and as given to --theme for
	// built-ins ("dark"); for a file, its `name` key or the file's name
	// without ".toml".
	Name string

	// Background [background] is painted behind every pane.
	Background color.Color
	// Foreground [foreground] is body text: values, table cells, input.
	Foreground color.Color
	// Muted [muted] is secondary text: units, labels, hints, help
	// descriptions, disabled items.
	Muted color.Color
	// Border [border] draws the borders and separators of unfocused panes.
	Border color.Color
	// Title [title] is pane titles and headings.
	Title color.Color
	// Accent [accent] marks focus: the focused pane's border and title,
	// the cursor, key names in the help bar, the command-line prompt.
	Accent color.Color
	// SelectionBackground [selection-background] fills the selected row
	// or item (list cursor, chosen menu entry, selected flow).
	SelectionBackground color.Color
	// SelectionForeground [selection-foreground] is text on
	// SelectionBackground.
	SelectionForeground color.Color
	// Good [good] is a healthy state: running, connected, a passed check.
	Good color.Color
	// Warning [warning] asks for attention: paused, queue filling,
	// approaching a limit, stale data.
	Warning color.Color
	// Error [error] is a failure: errors, invalid input, a dead flow.
	Error color.Color
	// StatusBarBackground [status-bar-background] fills the status bar
	// (the bottom line: run state, clock, messages).
	StatusBarBackground color.Color
	// StatusBarForeground [status-bar-foreground] is text on the status
	// bar.
	StatusBarForeground color.Color

	// Axis [axis] draws chart axes, tick labels and legend frames.
	Axis color.Color
	// Grid [grid] draws chart gridlines: faint, behind the data.
	Grid color.Color
	// Capacity [capacity] is the link's limit: the capacity line and its
	// fill on throughput charts, the propagation-delay floor on delay
	// charts.
	Capacity color.Color
	// Total [total] is the sum over flows: total throughput, total
	// in-flight bytes.
	Total color.Color
	// P95 [p95] draws percentile lines (the 95th-percentile delay) and
	// other summary statistics over a series.
	P95 color.Color
	// Marker [marker] marks control events on the time axis: a bandwidth
	// or delay change, a flow added or stopped, pause and resume.
	Marker color.Color
	// Uplink [uplink] is the uplink direction (data, sender → receiver)
	// in the meter view and link panes.
	Uplink color.Color
	// Downlink [downlink] is the downlink direction (ACKs, receiver →
	// sender) in the meter view and link panes.
	Downlink color.Color
	// Queue [queue] draws queue occupancy and sojourn time.
	Queue color.Color
	// Drop [drop] marks dropped and lost packets on charts and counters.
	Drop color.Color

	// Flows [flows] are the series colours of flows in order: flow i
	// (from 0) is Flow(i). At least MinFlows.
	Flows []color.Color
}

// Flow is the colour of the i-th flow (from 0), wrapping around after the
// last of Flows. It gives Foreground if the theme has no flow colours.
func (t Theme) Flow(i int) color.Color {
	if len(t.Flows) == 0 {
		return t.Foreground
	}
	i %= len(t.Flows)
	if i < 0 {
		i += len(t.Flows)
	}
	return t.Flows[i]
}

// IsDark reports whether the background is dark: white text contrasts
// with it more than black text does.
func (t Theme) IsDark() bool {
	if t.Background == nil {
		return true
	}
	white := color.RGBA{0xff, 0xff, 0xff, 0xff}
	black := color.RGBA{0, 0, 0, 0xff}
	return Contrast(white, t.Background) >= Contrast(black, t.Background)
}

// TextOn is the theme's Foreground or Background, whichever reads better
// on bg: use it for labels drawn on a coloured fill (a flow's bar in the
// meter view, a capacity band).
func (t Theme) TextOn(bg color.Color) color.Color {
	if t.Foreground == nil || t.Background == nil || bg == nil {
		return t.Foreground
	}
	if Contrast(t.Foreground, bg) >= Contrast(t.Background, bg) {
		return t.Foreground
	}
	return t.Background
}

// Validate checks that the theme is complete: a usable name, every role
// set, between MinFlows and MaxFlows flow colours, none of them nil. It
// returns every problem, joined.
func (t Theme) Validate() error {
	var errs []error
	if err := checkName(t.Name); err != nil {
		errs = append(errs, err)
	}
	for _, r := range Roles() {
		if c, _ := t.Color(r.Key); c == nil {
			errs = append(errs, fmt.Errorf("role %q is not set", r.Key))
		}
	}
	switch n := len(t.Flows); {
	case n < MinFlows:
		errs = append(errs, fmt.Errorf("flows has %d colours; a theme needs at least %d", n, MinFlows))
	case n > MaxFlows:
		errs = append(errs, fmt.Errorf("flows has %d colours; at most %d are used", n, MaxFlows))
	}
	for i, c := range t.Flows {
		if c == nil {
			errs = append(errs, fmt.Errorf("flows[%d] is not set", i))
		}
	}
	return errors.Join(errs...)
}

// checkName says what is wrong with a theme name, if anything.
func checkName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return errors.New("the name is empty")
	case !utf8.ValidString(name):
		return errors.New("the name is not valid UTF-8")
	case utf8.RuneCountInString(name) > MaxNameLen:
		return fmt.Errorf("the name is longer than %d characters", MaxNameLen)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("the name has the unprintable character %q", r)
		}
	}
	return nil
}
