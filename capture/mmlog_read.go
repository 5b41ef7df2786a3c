package capture

// This file owns reading mahimahi and Pantheon logs: line framing over a large
// buffer, header lines and errors. Event lines are parsed in mmlog_parse.go.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// LogEvent is one event line of a mahimahi or Pantheon log.
type LogEvent struct {
	// Kind is '#' (delivery opportunity), '+' (arrival), '-' (departure) or
	// 'd' (drop).
	Kind byte
	// T is the line's timestamp in microseconds since init (the log's
	// milliseconds × 1000).
	T int64
	// Bytes is the size: of the opportunity, the packet, or the packets
	// dropped.
	Bytes int64
	// Delay is the departure's delay in microseconds ('-' only).
	Delay int64
	// Pkts is the number of packets dropped ('d' only).
	Pkts int64
	// Flow is the trailing flow id of a Pantheon-style "+" line with four
	// fields or "-" line with five, 0 otherwise.
	Flow int
}

// MaxLogLineBytes is the longest line a LogScanner accepts.
const MaxLogLineBytes = 64 << 10

// The LogScanner's read buffer starts small (short inputs stay cheap) and
// doubles up to logScanBufSize while reads keep filling it.
const (
	logScanBufStart = 2 * MaxLogLineBytes
	logScanBufSize  = 1 << 20
)

// LogError is a problem at one line of a log.
type LogError struct {
	// Name names the log, usually its path.
	Name string
	// Line is the 1-based line number.
	Line int
	// Err says what is wrong.
	Err error
}

func (e *LogError) Error() string {
	return fmt.Sprintf("log %s line %d: %v", e.Name, e.Line, e.Err)
}

func (e *LogError) Unwrap() error { return e.Err }

// LogScanner reads the events of a mahimahi mm-link log or a Pantheon
// datalink log, one line at a time, without allocating per line. Header
// lines are consumed as they are met; their values are available through the
// accessors once scanned past.
type LogScanner struct {
	r     io.Reader
	name  string
	buf   []byte
	start int // first unread byte in buf
	end   int // end of the data in buf
	eof   bool
	line  int
	ev    LogEvent
	err   error

	events   int64
	base     int64
	baseLine int
	init     int64
	hasInit  bool
	queue    string
	link     string
	config   string
}

// NewLogScanner returns a scanner over r; name (usually the path) is used in
// error messages.
func NewLogScanner(r io.Reader, name string) *LogScanner {
	return &LogScanner{r: r, name: name, buf: make([]byte, logScanBufStart)}
}

// Scan advances to the next event line, reading header lines on the way. It
// returns false at the end of the input or at the first error (see Err).
func (s *LogScanner) Scan() bool {
	if s.err != nil {
		return false
	}
	for {
		line, ok := s.nextLine()
		if !ok {
			return false
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			s.fail(errors.New(`line ends with a carriage return (CRLF line endings); convert the log to Unix line endings, e.g. with dos2unix`))
			return false
		}
		if len(line) > 0 && line[0] == '#' {
			if err := s.header(line); err != nil {
				s.fail(err)
				return false
			}
			continue
		}
		if isBlank(line) {
			continue
		}
		if err := parseEvent(line, &s.ev); err != nil {
			s.fail(err)
			return false
		}
		s.events++
		return true
	}
}

// Event returns the event Scan found.
func (s *LogScanner) Event() LogEvent { return s.ev }

// Err returns the first error met, nil at a clean end of input. It is a
// *LogError naming the log and line.
func (s *LogScanner) Err() error { return s.err }

// Line returns the number of the line last read.
func (s *LogScanner) Line() int { return s.line }

// BaseTimestamp returns the "# base timestamp:" value in microseconds since
// init, and whether the log had one. Pantheon datalink logs have none.
func (s *LogScanner) BaseTimestamp() (us int64, ok bool) { return s.base, s.baseLine > 0 }

// InitTimestamp returns the "# init timestamp:" value in microseconds since
// the Unix epoch (Pantheon writes it with three decimals), and whether the
// log had one.
func (s *LogScanner) InitTimestamp() (us int64, ok bool) { return s.init, s.hasInit }

// Queue returns the "# queue:" header value, "" when absent.
func (s *LogScanner) Queue() string { return s.queue }

// Link returns "Uplink" or "Downlink" from the "# mahimahi mm-link (...)"
// header line, "" when absent.
func (s *LogScanner) Link() string { return s.link }

// Config returns the "# mahimahi config:" header value, "" when absent.
func (s *LogScanner) Config() string { return s.config }

func (s *LogScanner) fail(err error) {
	s.err = &LogError{Name: s.name, Line: s.line, Err: err}
}

// nextLine returns the next line without its '\n'. The slice is valid until
// the next call.
func (s *LogScanner) nextLine() ([]byte, bool) {
	emptyReads := 0
	for {
		if i := bytes.IndexByte(s.buf[s.start:s.end], '\n'); i >= 0 {
			line := s.buf[s.start : s.start+i]
			s.start += i + 1
			s.line++
			if len(line) > MaxLogLineBytes {
				s.fail(fmt.Errorf("line is %d bytes long; the limit is %d (is this a mahimahi log?)", len(line), MaxLogLineBytes))
				return nil, false
			}
			return line, true
		}
		if s.end-s.start > MaxLogLineBytes {
			s.line++
			s.fail(fmt.Errorf("line is longer than %d bytes (is this a mahimahi log?)", MaxLogLineBytes))
			return nil, false
		}
		if s.eof {
			if s.start == s.end {
				return nil, false
			}
			line := s.buf[s.start:s.end]
			s.start = s.end
			s.line++
			return line, true
		}
		if s.start > 0 {
			s.end = copy(s.buf, s.buf[s.start:s.end])
			s.start = 0
		}
		n, err := s.r.Read(s.buf[s.end:])
		if n < 0 || n > len(s.buf)-s.end {
			n = 0
			err = errors.New("reader returned an invalid count")
		}
		if n > len(s.buf)/2 && len(s.buf) < logScanBufSize {
			b := make([]byte, 2*len(s.buf))
			s.end = copy(b, s.buf[:s.end+n])
			s.buf = b
		} else {
			s.end += n
		}
		switch {
		case err == io.EOF:
			s.eof = true
		case err != nil:
			s.fail(fmt.Errorf("read: %w", err))
			return nil, false
		case n == 0:
			emptyReads++
			if emptyReads >= 100 {
				s.fail(fmt.Errorf("read: %w", io.ErrNoProgress))
				return nil, false
			}
		}
	}
}

// header reads the header values of a line that starts with '#'. Unknown
// comment lines are ignored, as mahimahi's and Pantheon's scripts do.
func (s *LogScanner) header(line []byte) error {
	switch {
	case bytes.HasPrefix(line, []byte("# base timestamp:")):
		if s.baseLine > 0 {
			return fmt.Errorf("base timestamp given twice (first at line %d); mahimahi's scripts refuse such a log", s.baseLine)
		}
		if s.events > 0 {
			return errors.New("base timestamp after the first event; it must come before the events")
		}
		v := trimSpace(line[len("# base timestamp:"):])
		ms, code := parseUint(v, maxTimeDigits)
		if code != numOK {
			return fmt.Errorf("bad base timestamp %s (want whole milliseconds since init)", quoteField(v))
		}
		s.base = ms * 1000
		s.baseLine = s.line
	case bytes.HasPrefix(line, []byte("# init timestamp:")):
		v := trimSpace(line[len("# init timestamp:"):])
		us, code := parseMillis(v)
		if code != numOK {
			return fmt.Errorf("bad init timestamp %s (want milliseconds since the Unix epoch)", quoteField(v))
		}
		if !s.hasInit {
			s.init, s.hasInit = us, true
		}
	case bytes.HasPrefix(line, []byte("# queue:")):
		s.queue = string(trimSpace(line[len("# queue:"):]))
	case bytes.HasPrefix(line, []byte("# mahimahi config:")):
		s.config = string(trimSpace(line[len("# mahimahi config:"):]))
	case bytes.HasPrefix(line, []byte("# mahimahi mm-link (")):
		rest := line[len("# mahimahi mm-link ("):]
		if i := bytes.IndexByte(rest, ')'); i >= 0 {
			s.link = string(rest[:i])
		}
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\v' || c == '\f' }

func isBlank(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// quoteField quotes a field for an error message, shortened when long.
func quoteField(b []byte) string {
	const max = 40
	if len(b) > max {
		return fmt.Sprintf("%q...", b[:max])
	}
	return fmt.Sprintf("%q", b)
}
