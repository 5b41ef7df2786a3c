// Package sessions owns session files: atomic, crash-safe save, load,
// replay and export of recorded experiments. It does not import tui.
// (Being built: see the sessions issue.)
package sessions
