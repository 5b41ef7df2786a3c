// experiment_validate.go owns the checks of an Experiment and its
// translation into link configurations: FieldError (one problem, named by
// its field path in the TOML schema), Validate (every field, every error)
// and Links (the emu configs and the parsed, sorted timeline). Rates,
// traces, queues, loss, on/off and link commands are read with emu's own
// parsers, so an experiment accepts exactly what the link flags accept.
package live

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ccscope/ccscope/emu"
)

// FieldError is one problem with one field of an experiment. Validate,
// Links and ParseExperiment return them joined with errors.Join (one per
// line); FieldErrors lists them.
type FieldError struct {
	// File is the experiment file, "" when the experiment was not read
	// from one.
	File string
	// Line is the 1-based line of the field in File, 0 when unknown.
	Line int
	// Field is the field's path in the TOML schema: "duration",
	// "uplink.capacity", "flow[2].scheme", "event[0].do" (indices count
	// from 0). It is "" for a problem with the file itself: bad TOML
	// syntax, or a key the schema does not have.
	Field string
	// Err says what is wrong and what to do.
	Err error
}

// Error is "FILE line N: FIELD: problem", leaving out what is unknown.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, " line %d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap gives the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// FieldErrors lists the FieldErrors inside err, in order.
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(err error) {
		var fe *FieldError
		switch x := err.(type) {
		case nil:
		case *FieldError:
			out = append(out, x)
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				walk(e)
			}
		default:
			if errors.As(err, &fe) {
				out = append(out, fe)
			}
		}
	}
	walk(err)
	return out
}

// expErrors collects field errors.
type expErrors []*FieldError

func (c *expErrors) add(field string, err error) {
	*c = append(*c, &FieldError{Field: field, Err: err})
}

func (c *expErrors) addf(field, format string, args ...any) {
	c.add(field, fmt.Errorf(format, args...))
}

// join is the collected errors as one error, or nil.
func (c expErrors) join() error {
	if len(c) == 0 {
		return nil
	}
	errs := make([]error, len(c))
	for i, e := range c {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// Validate checks every field of the experiment and reports every problem
// (errors.Join of *FieldError, one per line), each naming the field's path
// in the TOML schema and what to do. Trace files are loaded to check that
// they exist and parse; log directories must exist. check validates the
// flows' schemes (nil skips that check).
func (e Experiment) Validate(check SchemeChecker) error {
	var c expErrors
	e.checkRun(&c)
	e.compileLinks(&c)
	e.checkFlows(&c, check)
	return c.join()
}

// Links builds the two link configurations and the timeline of scripted
// changes, parsed and sorted by time (changes at the same time keep their
// order). The uplink's seed is Seed and the downlink's
// Seed+0x9e3779b97f4a7c15 (see LinkSeeds). Trace paths, in capacities and
// in "trace PATH" commands, are relative to BaseDir. It checks the link
// and timeline fields as Validate does (an event after Duration is an
// error only when Duration > 0) and returns their errors the same way.
func (e Experiment) Links() (up, down emu.Config, timeline []emu.Command, err error) {
	var c expErrors
	up, down, timeline = e.compileLinks(&c)
	if err := c.join(); err != nil {
		return emu.Config{}, emu.Config{}, nil, err
	}
	return up, down, timeline, nil
}

// checkRun checks the run-wide fields.
func (e Experiment) checkRun(c *expErrors) {
	if !utf8.ValidString(e.Name) || strings.IndexFunc(e.Name, unicode.IsControl) >= 0 {
		c.addf("name", "%q: must be one line of text, without control characters", e.Name)
	}
	switch e.Backend {
	case "", BackendSim:
		if len(e.Command) > 0 || len(e.ReceiverCommand) > 0 {
			c.addf("command", "commands run only with the netns backend (backend = \"netns\"): the sim has no real network for them")
		}
	case BackendNetns:
		if len(e.ReceiverCommand) > 0 && len(e.Command) == 0 {
			c.addf("receiver-command", "a receiver command needs a command on the sender's side too (command = [...])")
		}
	default:
		c.addf("backend", "unknown backend %q (want sim or netns)", e.Backend)
	}
	for _, cmd := range [][]string{e.Command, e.ReceiverCommand} {
		if len(cmd) > 0 && strings.TrimSpace(cmd[0]) == "" {
			c.addf("command", "the program name is empty")
		}
	}
	switch {
	case e.Duration <= 0:
		c.addf("duration", "must be above zero; write e.g. duration = \"30s\"")
	case e.Duration > MaxDuration:
		c.addf("duration", "%s is too long (at most %s)", FormatDuration(e.Duration), FormatDuration(MaxDuration))
	}
	if _, err := ParseCCPAgent(e.CCPAgent); err != nil {
		c.add("ccp-agent", err)
	}
	if e.CCPFallback != 0 && (e.CCPFallback < MinCCPFallback || e.CCPFallback > MaxCCPFallback) {
		c.addf("ccp-fallback", "%s is out of range; want %s to %s (default %s)",
			FormatDuration(e.CCPFallback), FormatDuration(MinCCPFallback), FormatDuration(MaxCCPFallback), FormatDuration(DefaultCCPFallback))
	}
	if e.SampleInterval < MinSampleInterval || e.SampleInterval > MaxSampleInterval {
		c.addf("sample-interval", "%s is out of range; want %s to %s (default %s)",
			FormatDuration(e.SampleInterval), FormatDuration(MinSampleInterval), FormatDuration(MaxSampleInterval), FormatDuration(DefaultSampleInterval))
	}
}

// checkFlows checks the flows.
func (e Experiment) checkFlows(c *expErrors, check SchemeChecker) {
	switch {
	case len(e.Flows) == 0 && len(e.Command) == 0:
		c.addf("flow", "at least one flow is needed; add a [[flow]] table with e.g. scheme = \"cubic\"")
	case len(e.Flows) > MaxFlows:
		c.addf("flow", "%d flows: at most %d", len(e.Flows), MaxFlows)
		return
	}
	for i, f := range e.Flows {
		p := fmt.Sprintf("flow[%d].", i)
		switch {
		case f.Scheme == "":
			c.addf(p+"scheme", "missing; write e.g. scheme = \"cubic\"")
		case check != nil:
			if err := check(f.Scheme); err != nil {
				c.add(p+"scheme", err)
			}
		}
		switch {
		case f.Start < 0:
			c.addf(p+"start", "%s: must not be negative", FormatDuration(f.Start))
		case e.Duration > 0 && f.Start > e.Duration:
			c.addf(p+"start", "%s is after the end of the run (duration %s); start it earlier or lengthen the run",
				FormatDuration(f.Start), FormatDuration(e.Duration))
		}
		if f.Size < 0 {
			c.addf(p+"size", "%d: must not be negative (0 sends until the end of the run)", f.Size)
		}
	}
}

// compileLinks checks the link and timeline fields and builds what they
// describe.
func (e Experiment) compileLinks(c *expErrors) (up, down emu.Config, timeline []emu.Command) {
	up.Seed, down.Seed = e.LinkSeeds()
	e.compileLink(c, "uplink", e.Uplink, &up)
	e.compileLink(c, "downlink", e.Downlink, &down)
	if e.Uplink.Log != "" && e.Downlink.Log != "" &&
		filepath.Clean(e.Resolve(e.Uplink.Log)) == filepath.Clean(e.Resolve(e.Downlink.Log)) {
		c.addf("downlink.log", "%q is the uplink's log file too; give each direction its own file", e.Downlink.Log)
	}
	if len(e.Timeline) > MaxEvents {
		c.addf("event", "%d events: at most %d", len(e.Timeline), MaxEvents)
		return up, down, nil
	}
	for i, tc := range e.Timeline {
		p := fmt.Sprintf("event[%d].", i)
		switch {
		case tc.At < 0:
			c.addf(p+"at", "%s: must not be negative", FormatDuration(tc.At))
			continue
		case e.Duration > 0 && tc.At > e.Duration:
			c.addf(p+"at", "%s is after the end of the run (duration %s)", FormatDuration(tc.At), FormatDuration(e.Duration))
			continue
		}
		cmd, err := ParseCommand(tc.Command, func(p string) (*emu.Trace, error) { return e.loadTrace(p, false) })
		if err != nil {
			c.add(p+"do", commandError(err))
			continue
		}
		if lc, ok := cmd.(LinkCommand); ok {
			lc.Change.At = tc.At
			timeline = append(timeline, lc.Command)
		}
	}
	slices.SortStableFunc(timeline, func(a, b emu.Command) int {
		return cmp.Compare(a.Change.At, b.Change.At)
	})
	return up, down, timeline
}

// TimedCommand is a command of an experiment's timeline, parsed.
type TimedCommand struct {
	At      time.Duration
	Command Command
}

// Commands parses the whole timeline — link changes and flow commands —
// sorted by time (commands at the same time keep their order).
func (e Experiment) Commands() ([]TimedCommand, error) {
	var c expErrors
	e.compileLinks(&c)
	if err := c.join(); err != nil {
		return nil, err
	}
	out := make([]TimedCommand, 0, len(e.Timeline))
	for _, tc := range e.Timeline {
		cmd, err := ParseCommand(tc.Command, func(p string) (*emu.Trace, error) { return e.loadTrace(p, false) })
		if err != nil {
			return nil, err // compileLinks reported it already
		}
		out = append(out, TimedCommand{At: tc.At, Command: cmd})
	}
	slices.SortStableFunc(out, func(a, b TimedCommand) int { return cmp.Compare(a.At, b.At) })
	return out, nil
}

// commandError keeps the first line of a link-command error (emu appends
// the whole command help to unknown commands) and adds a one-line hint.
func commandError(err error) error {
	msg := err.Error()
	if first, _, cut := strings.Cut(msg, "\n"); cut {
		return fmt.Errorf("%s (want bw, trace, delay, jitter, reorder, loss, queue, onoff or intermittent, optionally after uplink, downlink or both)", first)
	}
	return err
}

// compileLink checks one direction and fills cfg.
func (e Experiment) compileLink(c *expErrors, dir string, s LinkSpec, cfg *emu.Config) {
	p := dir + "."
	bad := len(*c)
	switch {
	case strings.TrimSpace(s.Capacity) == "":
		c.addf(p+"capacity", "missing; give a rate like capacity = \"24mbit\" or a mahimahi trace file")
	case emu.LooksLikeRate(s.Capacity):
		r, err := emu.ParseRate(s.Capacity)
		if err != nil {
			c.add(p+"capacity", err)
		} else {
			cfg.Capacity = emu.RateCapacity(r)
		}
	default:
		t, err := e.loadTrace(s.Capacity, true)
		if err != nil {
			c.add(p+"capacity", err)
		} else {
			cfg.Capacity = emu.TraceCapacity(t)
		}
	}
	cfg.Once = s.Once
	kind := s.Queue
	if kind == "" {
		kind = emu.QueueInfinite.String()
	}
	if _, err := emu.ParseQueueKind(kind); err != nil {
		c.add(p+"queue", err)
	} else if q, err := emu.ParseQueue(kind, s.QueueArgs); err != nil {
		c.add(p+"queue-args", err)
	} else {
		cfg.Queue = q
	}
	if s.Delay < 0 {
		c.addf(p+"delay", "%s: must not be negative", FormatDuration(s.Delay))
	}
	if s.Jitter < 0 {
		c.addf(p+"jitter", "%s: must not be negative", FormatDuration(s.Jitter))
	}
	cfg.Delay, cfg.Jitter, cfg.Reorder = s.Delay, s.Jitter, s.Reorder
	if s.Loss != "" {
		l, err := emu.ParseLoss(s.Loss)
		if err != nil {
			c.add(p+"loss", err)
		}
		cfg.Loss = l
	}
	if s.OnOff != "" {
		o, err := emu.ParseOnOff(s.OnOff)
		if err != nil {
			c.add(p+"onoff", err)
		}
		cfg.OnOff = o
	}
	if s.Log != "" {
		if err := checkLogDir(e.Resolve(s.Log)); err != nil {
			c.add(p+"log", err)
		}
	}
	if len(*c) == bad {
		if err := cfg.Validate(); err != nil {
			c.add(dir, err)
		}
	}
}

// loadTrace loads a trace file named in the experiment (relative to
// BaseDir), refusing what is not a regular file (a directory, a device, a
// pipe that would block). capacity says whether p could have been a rate.
func (e Experiment) loadTrace(p string, capacity bool) (*emu.Trace, error) {
	rp := e.Resolve(p)
	where := ""
	if rp != p {
		where = " (resolved to " + rp + ")"
	}
	fi, err := os.Stat(rp)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		hint := "give the path of a mahimahi trace file"
		if capacity {
			hint = "give a rate like 24mbit or the path of a mahimahi trace file"
		}
		if e.BaseDir != "" && !filepath.IsAbs(p) {
			hint += ", relative to the experiment file's directory"
		}
		if capacity && p != "" && p[0] >= '0' && p[0] <= '9' {
			hint = "it is not a rate either: write rates like 24mbit, 800kbit or 1.5gbit, without spaces"
		}
		return nil, fmt.Errorf("trace file %q not found%s; %s", p, where, hint)
	case err != nil:
		return nil, fmt.Errorf("trace file %q%s: %w", p, where, err)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("trace file %q%s is not a regular file; want a mahimahi trace", p, where)
	}
	t, err := emu.LoadTrace(rp)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// checkLogDir checks that a log file can be created where asked: its
// directory exists and the path is not a directory.
func checkLogDir(p string) error {
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return fmt.Errorf("%q is a directory; give a file name for the log", p)
	}
	dir := filepath.Dir(p)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %q of log %q does not exist; create it or fix the path", dir, p)
	case err != nil:
		return fmt.Errorf("log %q: %w", p, err)
	case !fi.IsDir():
		return fmt.Errorf("log %q: %q is not a directory", p, dir)
	}
	return nil
}
