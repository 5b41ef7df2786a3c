// experiment_write.go owns writing an experiment back as TOML in the schema
// ParseExperiment reads, so that ParseExperiment(WriteTOML(e)) == e for
// every valid experiment (BaseDir aside, which is where the file lives).
// Sessions save experiments this way.
//
// The method is deliberately not called MarshalTOML: that name is the TOML
// library's Marshaler interface, which expects a single value, so a struct
// holding an Experiment would then be encoded wrongly.
package live

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// WriteTOML writes the experiment as TOML: run-wide keys, [uplink],
// [downlink], then one [[flow]] and one [[event]] per flow and change.
// Durations are written like "20ms" or "1.5s", sizes like "10MB" (exact
// either way). Keys at their zero value are left out where that reads back
// the same. It fails only for text TOML cannot hold (invalid UTF-8).
func (e Experiment) WriteTOML(w io.Writer) error {
	b, err := e.EncodeTOML()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// EncodeTOML is WriteTOML into a byte slice.
func (e Experiment) EncodeTOML() ([]byte, error) {
	t := &expWriter{}
	t.comment("ccscope experiment; the schema is described in examples/README.md")
	t.optString("name", e.Name)
	t.optString("backend", e.Backend)
	t.duration("duration", e.Duration)
	if e.Seed <= math.MaxInt64 {
		t.kv("seed", strconv.FormatUint(e.Seed, 10))
	} else {
		t.str("seed", strconv.FormatUint(e.Seed, 10))
	}
	t.duration("sample-interval", e.SampleInterval)
	t.optString("ccp-agent", e.CCPAgent)
	t.optDuration("ccp-fallback", e.CCPFallback)
	t.optStrings("command", e.Command)
	t.optStrings("receiver-command", e.ReceiverCommand)
	for _, l := range []struct {
		name string
		s    LinkSpec
	}{{"uplink", e.Uplink}, {"downlink", e.Downlink}} {
		t.header("[" + l.name + "]")
		t.optString("capacity", l.s.Capacity)
		t.optBool("once", l.s.Once)
		t.optString("queue", l.s.Queue)
		t.optString("queue-args", l.s.QueueArgs)
		t.optDuration("delay", l.s.Delay)
		t.optDuration("jitter", l.s.Jitter)
		t.optBool("reorder", l.s.Reorder)
		t.optString("loss", l.s.Loss)
		t.optString("onoff", l.s.OnOff)
		t.optString("log", l.s.Log)
	}
	for _, f := range e.Flows {
		t.header("[[flow]]")
		t.str("scheme", f.Scheme)
		t.duration("start", f.Start)
		if f.Size != 0 {
			if f.Size > 0 {
				t.str("size", FormatSize(f.Size))
			} else {
				t.kv("size", strconv.FormatInt(f.Size, 10))
			}
		}
	}
	for _, c := range e.Timeline {
		t.header("[[event]]")
		t.duration("at", c.At)
		t.str("do", c.Command)
	}
	if t.err != nil {
		return nil, t.err
	}
	return t.buf.Bytes(), nil
}

// expWriter accumulates TOML text and the first error.
type expWriter struct {
	buf bytes.Buffer
	err error
	key string // the table being written, for messages
}

func (t *expWriter) comment(s string) { fmt.Fprintf(&t.buf, "# %s\n", s) }

func (t *expWriter) header(h string) {
	t.key = h
	fmt.Fprintf(&t.buf, "\n%s\n", h)
}

func (t *expWriter) kv(key, value string) { fmt.Fprintf(&t.buf, "%s = %s\n", key, value) }

func (t *expWriter) str(key, s string) {
	q, err := quoteTOML(s)
	if err != nil && t.err == nil {
		where := key
		if t.key != "" {
			where = t.key + " " + key
		}
		t.err = fmt.Errorf("writing experiment: %s: %w", where, err)
	}
	t.kv(key, q)
}

func (t *expWriter) optString(key, s string) {
	if s != "" {
		t.str(key, s)
	}
}

func (t *expWriter) optStrings(key string, ss []string) {
	if len(ss) == 0 {
		return
	}
	parts := make([]string, len(ss))
	for i, s := range ss {
		q, err := quoteTOML(s)
		if err != nil && t.err == nil {
			t.err = fmt.Errorf("writing experiment: %s: %w", key, err)
		}
		parts[i] = q
	}
	t.kv(key, "["+strings.Join(parts, ", ")+"]")
}

func (t *expWriter) optBool(key string, v bool) {
	if v {
		t.kv(key, "true")
	}
}

func (t *expWriter) duration(key string, d time.Duration) { t.str(key, FormatDuration(d)) }

func (t *expWriter) optDuration(key string, d time.Duration) {
	if d != 0 {
		t.duration(key, d)
	}
}

// quoteTOML writes s as a TOML basic string.
func quoteTOML(s string) (string, error) {
	if !utf8.ValidString(s) {
		return strconv.Quote(s), fmt.Errorf("%q is not valid UTF-8, which TOML cannot hold", s)
	}
	var b bytes.Buffer
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}
