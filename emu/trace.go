package emu

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxTraceMs bounds trace timestamps (about 35 years), so that every
// opportunity time fits a time.Duration with room to loop.
const MaxTraceMs = 1 << 40

// maxTraceLine bounds one trace line; real lines are a few digits.
const maxTraceLine = 4096

// Trace is a parsed mahimahi trace: the millisecond offsets of delivery
// opportunities of OpportunityBytes each, non-decreasing, the last one > 0.
// Repeated values are several opportunities in the same millisecond. When
// it loops, the trace repeats with period Period() (the last timestamp), so
// a trace whose first line is 0 has a doubled opportunity at every wrap.
type Trace struct {
	// Name is where the trace came from (its path), for messages and logs.
	Name string
	// Ms holds the opportunity times in milliseconds from the trace start.
	Ms []int64
}

// Period is the loop period: the last timestamp, in milliseconds.
func (t *Trace) Period() int64 { return t.Ms[len(t.Ms)-1] }

// Opportunities is the number of opportunities in one pass.
func (t *Trace) Opportunities() int { return len(t.Ms) }

// LoadTrace reads a mahimahi trace file.
func LoadTrace(path string) (*Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("trace %s: %w", path, unwrapPathError(err))
	}
	defer f.Close()
	return ParseTrace(path, f)
}

// unwrapPathError drops the *os.PathError wrapper whose text repeats the
// path our own message already names.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// ParseTrace parses a mahimahi trace with mm-link's rules: one decimal
// integer per line (leading blanks allowed, as strtol allows them), no empty
// lines, no carriage returns or trailing characters, non-decreasing, not
// empty and not all zero. Errors name the trace, the line and the fix.
func ParseTrace(name string, r io.Reader) (*Trace, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	t := &Trace{Name: name}
	lineNo := 0
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("trace %s line %d: line longer than %d bytes; a trace line holds one millisecond timestamp", name, lineNo+1, maxTraceLine)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("trace %s line %d: %w", name, lineNo+1, err)
		}
		if len(line) == 0 && errors.Is(err, io.EOF) {
			break
		}
		lineNo++
		if len(line) > maxTraceLine {
			return nil, fmt.Errorf("trace %s line %d: line longer than %d bytes; a trace line holds one millisecond timestamp", name, lineNo, maxTraceLine)
		}
		line = bytes.TrimSuffix(line, []byte{'\n'})
		ms, perr := parseTraceLine(line)
		if perr != nil {
			return nil, fmt.Errorf("trace %s line %d: %w", name, lineNo, perr)
		}
		if n := len(t.Ms); n > 0 && ms < t.Ms[n-1] {
			return nil, fmt.Errorf("trace %s line %d: timestamp %d ms is before the previous line's %d ms; timestamps must be non-decreasing", name, lineNo, ms, t.Ms[n-1])
		}
		t.Ms = append(t.Ms, ms)
		if errors.Is(err, io.EOF) {
			break
		}
	}
	if len(t.Ms) == 0 {
		return nil, fmt.Errorf("trace %s: empty trace (no timestamps); a trace lists one millisecond timestamp per line, one line per 1504-byte delivery opportunity", name)
	}
	if t.Period() == 0 {
		return nil, fmt.Errorf("trace %s: zero-length trace: every timestamp is 0, but the trace must last a nonzero time (its last timestamp is the loop period)", name)
	}
	return t, nil
}

// parseTraceLine reads one line's timestamp the way mahimahi's myatoi does,
// but with errors that say what is wrong.
func parseTraceLine(line []byte) (int64, error) {
	if len(line) == 0 {
		return 0, errors.New("empty line; remove blank lines (every line must hold one timestamp)")
	}
	if i := bytes.IndexByte(line, '\r'); i >= 0 {
		return 0, errors.New("carriage return in line (CRLF line endings?); convert the file with dos2unix or tr -d '\\r'")
	}
	s := line
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\v' || s[0] == '\f') {
		s = s[1:]
	}
	if len(s) > 0 && s[0] == '+' {
		s = s[1:]
	}
	if len(s) > 0 && s[0] == '-' {
		return 0, fmt.Errorf("negative timestamp %q; timestamps are milliseconds from the trace start", line)
	}
	if len(s) == 0 {
		return 0, fmt.Errorf("not a number: %q; each line must hold one whole number of milliseconds", line)
	}
	var v int64
	for i, c := range s {
		if c < '0' || c > '9' {
			if c == ' ' || c == '\t' {
				return 0, fmt.Errorf("trailing whitespace after %q; each line must hold only a whole number of milliseconds", s[:i])
			}
			return 0, fmt.Errorf("not a number: %q; each line must hold one whole number of milliseconds", line)
		}
		v = v*10 + int64(c-'0')
		if v > MaxTraceMs {
			return 0, fmt.Errorf("timestamp %q too large (limit %d ms)", line, int64(MaxTraceMs))
		}
	}
	return v, nil
}
