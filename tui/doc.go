// Package tui owns the bubbletea workbench: layout, views (overview,
// meter, flows, events, help), keys, the command line and mouse zoom and
// pan. It only renders what a Source holds — a live run's snapshot and
// series store — and sends typed commands back; a 10 Hz tick redraws the
// charts into a cache that View returns, so no I/O or simulation happens
// on the UI goroutine.
package tui
