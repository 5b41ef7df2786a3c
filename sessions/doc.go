// Package sessions owns session files: one shareable zip per recorded run
// (session.toml, the experiment, the timeline, the series as CSV, the
// summary, optional logs and traces), saved atomically and crash-safely,
// loaded with strict limits, and the autosave journal that lets an
// interrupted run be recovered. It does not import tui. README.md in this
// directory documents the format, every entry and every column.
package sessions
