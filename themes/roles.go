// roles.go owns the role table: every colour role's TOML key, the Theme
// field behind it and one line on what the TUI draws with it. Parse,
// Format, Validate and Theme.Color all go through it, so a new role is
// added here, in Theme and in README.md (a test checks all three agree).
package themes

import "image/color"

// Role describes one colour role of a Theme.
type Role struct {
	// Key is the role's key in a theme file ("status-bar-background").
	Key string
	// Doc says what the workbench draws with it.
	Doc string
	// Group is "ui" for text and chrome, "chart" for charts and meters.
	Group string
}

// Roles lists the colour roles in the order of README.md and of Format.
// Flows (key "flows") is a list and not among them.
func Roles() []Role {
	return []Role{
		{"background", "painted behind every pane", "ui"},
		{"foreground", "body text: values, table cells, input", "ui"},
		{"muted", "secondary text: units, labels, hints, help descriptions, disabled items", "ui"},
		{"border", "borders and separators of unfocused panes", "ui"},
		{"title", "pane titles and headings", "ui"},
		{"accent", "focus: the focused pane's border and title, the cursor, key names in help, the prompt", "ui"},
		{"selection-background", "fill of the selected row or item", "ui"},
		{"selection-foreground", "text on selection-background", "ui"},
		{"good", "a healthy state: running, connected, a passed check", "ui"},
		{"warning", "needs attention: paused, queue filling, near a limit, stale data", "ui"},
		{"error", "a failure: errors, invalid input, a dead flow", "ui"},
		{"status-bar-background", "fill of the status bar (bottom line)", "ui"},
		{"status-bar-foreground", "text on the status bar", "ui"},
		{"axis", "chart axes, tick labels, legend frames", "chart"},
		{"grid", "chart gridlines, faint, behind the data", "chart"},
		{"capacity", "the link's limit: capacity line and fill; the propagation-delay floor on delay charts", "chart"},
		{"total", "sums over flows: total throughput, total in flight", "chart"},
		{"p95", "percentile lines (95th-percentile delay) and other summary statistics", "chart"},
		{"marker", "control events on the time axis: link changes, flows added or stopped, pause", "chart"},
		{"uplink", "the uplink (data, sender → receiver) in the meter view and link panes", "chart"},
		{"downlink", "the downlink (ACKs, receiver → sender) in the meter view and link panes", "chart"},
		{"queue", "queue occupancy and sojourn time", "chart"},
		{"drop", "dropped and lost packets on charts and counters", "chart"},
	}
}

// Color is the colour of the role with the given TOML key, and whether
// the key names a role.
func (t Theme) Color(key string) (color.Color, bool) {
	p := t.role(key)
	if p == nil {
		return nil, false
	}
	return *p, true
}

// role points at the field of the role with the given TOML key, or is nil.
func (t *Theme) role(key string) *color.Color {
	switch key {
	case "background":
		return &t.Background
	case "foreground":
		return &t.Foreground
	case "muted":
		return &t.Muted
	case "border":
		return &t.Border
	case "title":
		return &t.Title
	case "accent":
		return &t.Accent
	case "selection-background":
		return &t.SelectionBackground
	case "selection-foreground":
		return &t.SelectionForeground
	case "good":
		return &t.Good
	case "warning":
		return &t.Warning
	case "error":
		return &t.Error
	case "status-bar-background":
		return &t.StatusBarBackground
	case "status-bar-foreground":
		return &t.StatusBarForeground
	case "axis":
		return &t.Axis
	case "grid":
		return &t.Grid
	case "capacity":
		return &t.Capacity
	case "total":
		return &t.Total
	case "p95":
		return &t.P95
	case "marker":
		return &t.Marker
	case "uplink":
		return &t.Uplink
	case "downlink":
		return &t.Downlink
	case "queue":
		return &t.Queue
	case "drop":
		return &t.Drop
	}
	return nil
}

// keySynonyms maps words users may reach for to the key they mean, for
// did-you-mean suggestions.
func keySynonyms() map[string]string {
	return map[string]string{
		"bg": "background", "fg": "foreground", "text": "foreground",
		"secondary": "muted", "dim": "muted", "faint": "muted", "comment": "muted",
		"frame": "border", "heading": "title", "header": "title",
		"focus": "accent", "highlight": "accent", "primary": "accent", "cursor": "accent",
		"selection": "selection-background", "selected": "selection-background",
		"ok": "good", "success": "good", "warn": "warning", "caution": "warning",
		"danger": "error", "err": "error", "failure": "error", "fail": "error",
		"status": "status-bar-background", "statusbar": "status-bar-background",
		"status-bar": "status-bar-background", "status-background": "status-bar-background",
		"status-foreground": "status-bar-foreground",
		"axes":              "axis", "ticks": "axis", "gridlines": "grid",
		"link": "capacity", "bandwidth": "capacity", "limit": "capacity",
		"sum": "total", "throughput": "total", "aggregate": "total",
		"percentile": "p95", "p99": "p95", "p50": "p95", "median": "p95",
		"event": "marker", "events": "marker", "markers": "marker",
		"up": "uplink", "down": "downlink", "data": "uplink", "ack": "downlink", "acks": "downlink",
		"buffer": "queue", "sojourn": "queue",
		"drops": "drop", "loss": "drop", "losses": "drop",
		"flow": "flows", "series": "flows", "palette": "flows", "colors": "flows", "colours": "flows",
		"extends": "base", "inherit": "base", "inherits": "base", "parent": "base",
		"title-name": "name", "theme": "name",
	}
}
