package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

func dirOf(path string) string { return filepath.Dir(path) }

// unwrapPathErr drops the *os.PathError wrapper whose text repeats a path
// the caller's message already names.
func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// or returns a, or b when a is empty.
func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
