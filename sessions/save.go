// save.go owns Save: writing a session file atomically, so that a crash,
// a kill or a full disk during a save never damages the file already at
// the path — the new content goes to a temporary file in the same
// directory, is flushed to the disk, and replaces the old file by a rename.
package sessions

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Save writes the session to path atomically: into a temporary file
// ".NAME.tmp-*" in the same directory, flushed with fsync, then renamed
// over path, and the directory fsynced. On any error the temporary file is
// removed and a file already at path is left untouched. A path that is a
// symbolic link has its target replaced. The new file keeps the mode of
// the file it replaces (0644 for a new one).
func Save(path string, s *Session) (err error) {
	target := path
	if fi, e := os.Lstat(path); e == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if t, e := filepath.EvalSymlinks(path); e == nil {
			target = t
		}
	}
	mode := fs.FileMode(0o644)
	if fi, e := os.Stat(target); e == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("session %s: cannot save: it exists and is not a regular file", path)
		}
		mode = fi.Mode().Perm()
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("session %s: cannot save: creating a temporary file in %s: %w", path, dir, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw, s); err != nil {
		return fmt.Errorf("session %s: cannot save: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("session %s: cannot save: writing %s: %w", path, tmp, err)
	}
	if err := f.Chmod(mode); err != nil {
		return fmt.Errorf("session %s: cannot save: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("session %s: cannot save: flushing %s to disk: %w", path, tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("session %s: cannot save: closing %s: %w", path, tmp, err)
	}
	if err := os.Rename(tmp, target); err != nil {
		return fmt.Errorf("session %s: cannot save: renaming the temporary file over it: %w", path, err)
	}
	if err := syncDir(dir); err != nil {
		// The file is complete and in place; only its durability across
		// a power cut is in doubt. Say so, but the save happened.
		return fmt.Errorf("session %s: saved, but flushing directory %s failed: %w", path, dir, err)
	}
	return nil
}

// syncDir flushes a directory's entries (the rename) to the disk. Systems
// that cannot fsync a directory (Windows) are not an error.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}
