// Package tui owns the bubbletea workbench: layout, panes, keys, the
// command line and help. It only renders what live's store holds and sends
// typed control events back; it does no I/O on the UI goroutine. (Being
// built: see the workbench issue.)
package tui
