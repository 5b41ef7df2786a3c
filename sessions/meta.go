// meta.go owns session.toml, the entry that says what a session file is:
// its format version, the ccscope version that wrote it, when, the title
// and notes, the seed, how far the run got, and the list of the other
// entries. Writing is by hand (fixed key order, a comment); reading goes
// through the TOML library and checks every key's type, naming its line.
package sessions

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live"
)

// sessionMeta is the content of session.toml.
type sessionMeta struct {
	Format     int64
	Version    string
	Created    time.Time
	Title      string
	Notes      string
	Seed       uint64
	Reached    time.Duration
	Experiment string
	Entries    []string
}

// encode writes session.toml.
func (m *sessionMeta) encode() ([]byte, error) {
	var b strings.Builder
	var err error
	str := func(key, v string) {
		q, e := tomlString(v)
		if e != nil && err == nil {
			err = fmt.Errorf("%s: %w", key, e)
		}
		fmt.Fprintf(&b, "%s = %s\n", key, q)
	}
	b.WriteString("# A ccscope session. README.txt describes every entry of this zip.\n")
	fmt.Fprintf(&b, "format = %d\n", m.Format)
	str("ccscope", m.Version)
	fmt.Fprintf(&b, "created = %s\n", m.Created.UTC().Format(time.RFC3339Nano))
	str("title", m.Title)
	str("notes", m.Notes)
	if m.Seed <= math.MaxInt64 {
		fmt.Fprintf(&b, "seed = %d\n", m.Seed)
	} else {
		str("seed", strconv.FormatUint(m.Seed, 10))
	}
	str("reached", live.FormatDuration(m.Reached))
	str("experiment", m.Experiment)
	b.WriteString("entries = [\n")
	for _, e := range m.Entries {
		q, e2 := tomlString(e)
		if e2 != nil && err == nil {
			err = fmt.Errorf("entries: %w", e2)
		}
		fmt.Fprintf(&b, "  %s,\n", q)
	}
	b.WriteString("]\n")
	return []byte(b.String()), err
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) (string, error) {
	if !utf8.ValidString(s) {
		return `""`, fmt.Errorf("%q is not valid UTF-8", s)
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
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

// errNewer is returned for a file of a format newer than FormatVersion.
type errNewer struct{ format int64 }

func (e errNewer) Error() string {
	return fmt.Sprintf("made by a newer ccscope (format %d); this one reads format %d: upgrade ccscope", e.format, FormatVersion)
}

// decodeMeta reads session.toml. The format is checked first, so that a
// newer file is reported as such whatever else it holds.
func decodeMeta(data []byte) (*sessionMeta, error) {
	src := strings.TrimPrefix(string(data), "\ufeff")
	var root map[string]any
	if _, err := toml.Decode(src, &root); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("line %d: not valid TOML: %s", pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("not valid TOML: %w", err)
	}
	d := metaDecoder{src: src, root: root}
	m := &sessionMeta{}
	switch v := root["format"].(type) {
	case nil:
		return nil, fmt.Errorf("no format key: not a ccscope session")
	case int64:
		if v < 1 {
			return nil, d.errf("format", "format %d: want a positive whole number", v)
		}
		if v > FormatVersion {
			return nil, errNewer{v}
		}
		m.Format = v
	default:
		return nil, d.errf("format", "want a whole number, e.g. format = 1")
	}
	m.Version = d.str("ccscope", false)
	m.Title = d.str("title", false)
	m.Notes = d.str("notes", false)
	m.Experiment = d.str("experiment", true)
	switch v := root["created"].(type) {
	case nil:
	case time.Time:
		m.Created = v.UTC()
	default:
		d.fail("created", "want an RFC 3339 date and time, e.g. created = 2025-01-02T15:04:05Z")
	}
	switch v := root["seed"].(type) {
	case nil:
	case int64:
		if v >= 0 {
			m.Seed = uint64(v)
		} else {
			d.fail("seed", "%d: must not be negative", v)
		}
	case string:
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			d.fail("seed", "%q: want a whole number", v)
		}
		m.Seed = n
	default:
		d.fail("seed", "want a whole number")
	}
	if s := d.str("reached", true); s != "" {
		r, err := emu.ParseDuration("reached", s)
		if err != nil {
			d.fail("reached", "%v", err)
		}
		m.Reached = r
	}
	switch v := root["entries"].(type) {
	case nil:
	case []any:
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				d.fail("entries", "element %d: want a string", i)
				continue
			}
			m.Entries = append(m.Entries, s)
		}
	default:
		d.fail("entries", `want a list of entry names, e.g. entries = ["experiment.toml"]`)
	}
	if d.err != nil {
		return nil, d.err
	}
	return m, nil
}

// metaDecoder reads typed keys from the parsed session.toml, keeping the
// first error.
type metaDecoder struct {
	src  string
	root map[string]any
	err  error
}

func (d *metaDecoder) str(key string, required bool) string {
	switch v := d.root[key].(type) {
	case string:
		return v
	case nil:
		if required {
			d.fail(key, "missing")
		}
	default:
		d.fail(key, "want a string in quotes")
	}
	return ""
}

func (d *metaDecoder) fail(key, format string, args ...any) {
	if d.err == nil {
		d.err = d.errf(key, format, args...)
	}
}

func (d *metaDecoder) errf(key, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if n := keyLine(d.src, key); n > 0 {
		return fmt.Errorf("line %d: %s: %s", n, key, msg)
	}
	return fmt.Errorf("%s: %s", key, msg)
}

// keyLine finds the line of a top-level key written "key = …" (session.toml
// has no tables), or 0.
func keyLine(src, key string) int {
	for i, line := range strings.Split(src, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimLeft(line, " \t"), key)
		if ok && strings.HasPrefix(strings.TrimLeft(rest, " \t"), "=") {
			return i + 1
		}
	}
	return 0
}
