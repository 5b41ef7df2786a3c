package tui

import "testing"

func TestKeyStrings(t *testing.T) {
	for _, k := range []string{"B", ">", "<", ":", "?", ".", "1", "space", "enter", "tab", "shift+tab", "pgup", "ctrl+c", "up", "backspace", "esc"} {
		if got := keyMsg(k).String(); got != k {
			t.Errorf("key %q reads as %q", k, got)
		}
	}
}
