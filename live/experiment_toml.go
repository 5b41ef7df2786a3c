// experiment_toml.go owns reading an experiment from TOML: LoadExperiment
// and ParseExperiment. The TOML library parses the syntax into a generic
// tree; this file walks it against the schema (examples/README.md) with
// exact key names, so that every unknown key, wrong type and missing key
// is reported with its line, then runs Validate and merges its errors
// (remapped to the file's own [[flow]] numbering and located too).
package live

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/ccscope/ccscope/emu"
)

// MaxExperimentBytes bounds an experiment file.
const MaxExperimentBytes = 16 << 20

// LoadExperiment reads and validates the experiment file at path. Trace
// and log paths in it are relative to the file's directory.
func LoadExperiment(path string, check SchemeChecker) (Experiment, error) {
	f, err := os.Open(path)
	if err != nil {
		return Experiment{}, fmt.Errorf("experiment %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxExperimentBytes+1))
	if err != nil {
		return Experiment{}, fmt.Errorf("experiment %s: %w", path, err)
	}
	if len(data) > MaxExperimentBytes {
		return Experiment{}, fmt.Errorf("experiment %s: larger than %d bytes; is it really an experiment file?", path, MaxExperimentBytes)
	}
	return ParseExperiment(path, data, filepath.Dir(path), check)
}

// ParseExperiment reads an experiment from TOML (the schema is documented
// in examples/README.md) and validates it. name is the file name used in
// messages; trace and log paths are relative to baseDir unless absolute
// (it becomes the experiment's BaseDir). Absent keys take their defaults:
// backend "sim", seed 1, sample-interval 10ms. On error it returns every
// problem found (errors.Join of *FieldError, one per line, in file order),
// each naming the file, the line, the field and what to do.
func ParseExperiment(name string, data []byte, baseDir string, check SchemeChecker) (Experiment, error) {
	e, d, err := decodeExperiment(name, data, baseDir)
	if err != nil {
		return Experiment{}, err
	}
	errs := d.errs
	seen := map[string]bool{}
	for _, fe := range errs {
		seen[fe.Field+"\x00"+fe.Err.Error()] = true
	}
	for _, fe := range FieldErrors(e.Validate(check)) {
		fe.Field = d.remapFlow(fe.Field)
		k := fe.Field + "\x00" + fe.Err.Error()
		if d.suppressed(fe.Field) || seen[k] {
			continue
		}
		seen[k] = true
		errs = append(errs, fe)
	}
	if len(errs) == 0 {
		return e, nil
	}
	for _, fe := range errs {
		fe.File = name
		if fe.Line == 0 && fe.Field != "" {
			fe.Line = d.lines.line(fe.Field)
		}
	}
	slices.SortStableFunc(errs, func(a, b *FieldError) int {
		return expLineOrder(a.Line) - expLineOrder(b.Line)
	})
	return Experiment{}, errs.join()
}

// expLineOrder sorts unknown lines (0) last.
func expLineOrder(line int) int {
	if line <= 0 {
		return 1 << 30
	}
	return line
}

// expDecoder walks a parsed TOML tree into an Experiment.
type expDecoder struct {
	lines      expLines
	errs       expErrors
	bad        map[string]bool // fields with a decoding error
	flowOrigin []int           // index in Flows → index of its [[flow]] table
	groups     []expFlowGroup  // [[flow]] tables with count > 1
}

// expFlowGroup is a [[flow]] table that stands for several flows.
type expFlowGroup struct {
	path            string
	n               int
	start, interval time.Duration
}

// decodeExperiment parses the TOML and maps it onto an Experiment without
// validating the values; d.errs holds what does not fit the schema. err is
// set only when the TOML syntax itself is wrong.
func decodeExperiment(name string, data []byte, baseDir string) (Experiment, *expDecoder, error) {
	var root map[string]any
	src := strings.TrimPrefix(string(data), "\ufeff") // the TOML library skips it too
	if _, err := toml.Decode(src, &root); err != nil {
		fe := &FieldError{File: name, Err: err}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			fe.Err = fmt.Errorf("not valid TOML: %s", pe.Message)
			// The library counts an error at a line's end as the next
			// line; the offset is exact.
			fe.Line = pe.Position.Line
			if s := pe.Position.Start; s >= 0 && s <= len(src) {
				fe.Line = strings.Count(src[:s], "\n") + 1
			}
		}
		return Experiment{}, nil, fe
	}
	d := &expDecoder{
		lines: locateKeys(src),
		bad:   map[string]bool{},
	}
	e := Experiment{
		Backend:        BackendSim,
		Seed:           DefaultSeed,
		SampleInterval: DefaultSampleInterval,
		BaseDir:        baseDir,
	}
	d.table(root, "", "at the top level", []expField{
		{"name", func(p string, v any) { d.str(p, v, `"my experiment"`, &e.Name) }},
		{"backend", func(p string, v any) { d.str(p, v, `"sim"`, &e.Backend) }},
		{"duration", func(p string, v any) { d.duration(p, v, "30s", &e.Duration) }},
		{"seed", func(p string, v any) { d.seed(p, v, &e.Seed) }},
		{"sample-interval", func(p string, v any) { d.duration(p, v, "10ms", &e.SampleInterval) }},
		{"uplink", func(p string, v any) { d.link(p, v, &e.Uplink) }},
		{"downlink", func(p string, v any) { d.link(p, v, &e.Downlink) }},
		{"flow", func(p string, v any) { d.flows(p, v, &e) }},
		{"event", func(p string, v any) { d.events(p, v, &e) }},
		{"ccp-agent", func(p string, v any) { d.str(p, v, `"unix:portus"`, &e.CCPAgent) }},
		{"ccp-fallback", func(p string, v any) { d.duration(p, v, "1s", &e.CCPFallback) }},
		{"command", func(p string, v any) { d.strings(p, v, `["iperf3", "-c", "$CCSCOPE_BASE"]`, &e.Command) }},
		{"receiver-command", func(p string, v any) { d.strings(p, v, `["iperf3", "-s"]`, &e.ReceiverCommand) }},
	})
	if e.Backend == "" {
		e.Backend = BackendSim // backend = "" is the default too
	}
	for _, k := range []string{"duration", "uplink", "downlink"} {
		if _, ok := root[k]; ok {
			continue
		}
		switch k {
		case "duration":
			d.fail(k, `missing; write e.g. duration = "30s"`)
		default:
			d.fail(k, `missing; add a [%s] table with e.g. capacity = "24mbit" (or a trace file) and delay = "20ms"`, k)
		}
	}
	for _, g := range d.groups {
		if d.bad["duration"] || e.Duration <= 0 {
			break
		}
		if err := pantheonCheck(g.n, g.start, g.interval, e.Duration); err != nil {
			d.fail(g.path+".interval", "%v", err)
			d.bad[g.path+".start"] = true
		}
	}
	return e, d, nil
}

// pantheonCheck is ValidatePantheon for flows starting at start.
func pantheonCheck(n int, start, interval, runtime time.Duration) error {
	last := expStartOf(n-1, start, interval)
	if last <= runtime {
		return nil
	}
	from := ""
	if start > 0 {
		from = " from " + FormatDuration(start)
	}
	return fmt.Errorf("%d flows %s apart%s: the last would start at %s, after the end of the run (duration %s); Pantheon requires (flows−1)·interval ≤ runtime, so shorten the interval, use fewer flows or lengthen the run",
		n, FormatDuration(interval), from, FormatDuration(last), FormatDuration(runtime))
}

// expField is one key of a table and what to do with its value.
type expField struct {
	key string
	set func(path string, v any)
}

func (d *expDecoder) fail(field, format string, args ...any) {
	d.errs.addf(field, format, args...)
	d.bad[field] = true
}

// table decodes the known keys of m and reports the unknown ones, in
// file order. where names the table in messages.
func (d *expDecoder) table(m map[string]any, prefix, where string, fields []expField) {
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
		if v, ok := m[f.key]; ok {
			f.set(expPath(prefix, f.key), v)
		}
	}
	var unknown []string
	for k := range m {
		if !slices.Contains(keys, k) {
			unknown = append(unknown, k)
		}
	}
	slices.SortFunc(unknown, func(a, b string) int {
		if la, lb := d.lines.line(expPath(prefix, a)), d.lines.line(expPath(prefix, b)); la != lb {
			return la - lb
		}
		return strings.Compare(a, b)
	})
	for _, k := range unknown {
		var msg string
		_, isTable := m[k].(map[string]any)
		switch {
		case isTable && prefix == "":
			msg = fmt.Sprintf("unknown table [%s]", k)
			if s := suggestKey(k, keys); s != "" {
				msg += fmt.Sprintf(" (did you mean [%s]?)", s)
			} else {
				msg += " (known: [uplink], [downlink], [[flow]], [[event]])"
			}
		default:
			msg = fmt.Sprintf("unknown key %q %s", k, where)
			if s := suggestKey(k, keys); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (known keys: " + strings.Join(keys, ", ") + ")"
			}
		}
		d.errs = append(d.errs, &FieldError{Line: d.lines.line(expPath(prefix, k)), Err: errors.New(msg)})
	}
}

// tomlType names a TOML value's type for messages.
func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "an array of tables"
	case []any:
		return "an array"
	}
	return "a date or time"
}

// lastKey is the last key of a path: "capacity" for "uplink.capacity".
func lastKey(path string) string {
	return path[strings.LastIndexByte(path, '.')+1:]
}

func (d *expDecoder) str(path string, v any, example string, dst *string) {
	s, ok := v.(string)
	if !ok {
		d.fail(path, "want a string in quotes, e.g. %s = %s (got %s)", lastKey(path), example, tomlType(v))
		return
	}
	*dst = s
}

func (d *expDecoder) boolean(path string, v any, dst *bool) {
	switch x := v.(type) {
	case bool:
		*dst = x
	case string:
		if x == "true" || x == "false" {
			d.fail(path, "write %s = %s, without quotes", lastKey(path), x)
		} else {
			d.fail(path, "want true or false (got the string %q)", x)
		}
	default:
		d.fail(path, "want true or false (got %s)", tomlType(v))
	}
}

// duration reads a duration written as a string with a unit; example (such
// as "30s") shows the unit usual for the key.
// strings reads an array of strings (a command line).
func (d *expDecoder) strings(path string, v any, example string, dst *[]string) {
	arr, ok := v.([]any)
	if !ok {
		d.fail(path, "want an array of strings, e.g. %s = %s (got %s)", path, example, tomlType(v))
		return
	}
	out := make([]string, 0, len(arr))
	for i, x := range arr {
		s, ok := x.(string)
		if !ok {
			d.fail(path, "element %d: want a string (got %s)", i, tomlType(x))
			return
		}
		out = append(out, s)
	}
	*dst = out
}

func (d *expDecoder) duration(path string, v any, example string, dst *time.Duration) {
	key := lastKey(path)
	unit := strings.TrimLeft(example, "0123456789.")
	var num string
	switch x := v.(type) {
	case string:
		t, err := emu.ParseDuration("duration", x)
		if err != nil {
			d.errs.add(path, err)
			d.bad[path] = true
			return
		}
		*dst = t
		return
	case int64:
		num = strconv.FormatInt(x, 10)
	case float64:
		num = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		d.fail(path, "want a duration in quotes, e.g. %s = %q (got %s)", key, example, tomlType(v))
		return
	}
	if strings.HasPrefix(num, "-") {
		d.fail(path, "%s: must not be negative", num)
		return
	}
	d.fail(path, "needs a unit: write %s = \"%s%s\"", key, num, unit)
}

func (d *expDecoder) seed(path string, v any, dst *uint64) {
	switch x := v.(type) {
	case int64:
		if x < 0 {
			d.fail(path, "%d: must not be negative", x)
			return
		}
		*dst = uint64(x)
	case string:
		n, err := strconv.ParseUint(strings.TrimSpace(x), 10, 64)
		if err != nil {
			d.fail(path, "%q: want a whole number from 0 to %d, e.g. seed = 1", x, uint64(1<<64-1))
			return
		}
		*dst = n
	default:
		d.fail(path, "want a whole number, e.g. seed = 1 (got %s)", tomlType(v))
	}
}

func (d *expDecoder) size(path string, v any, dst *int64) {
	switch x := v.(type) {
	case int64:
		if x < 0 {
			d.fail(path, "%d: must not be negative (0 sends until the end of the run)", x)
			return
		}
		*dst = x
	case string:
		if x == "bulk" {
			*dst = 0
			return
		}
		n, err := ParseSize(x)
		if err != nil {
			d.errs.add(path, err)
			d.bad[path] = true
			return
		}
		*dst = n
	default:
		d.fail(path, `want bytes as a whole number or a string such as "10MB", "500kB" or "bulk" (got %s)`, tomlType(v))
	}
}

func (d *expDecoder) count(path string, v any, dst *int) {
	x, ok := v.(int64)
	if !ok {
		d.fail(path, "want a whole number of flows, e.g. count = 3 (got %s)", tomlType(v))
		return
	}
	if x < 1 || x > MaxFlows {
		d.fail(path, "%d: want 1 to %d flows", x, MaxFlows)
		return
	}
	*dst = int(x)
}

// link decodes an [uplink] or [downlink] table.
func (d *expDecoder) link(path string, v any, s *LinkSpec) {
	m, ok := v.(map[string]any)
	if !ok {
		d.fail(path, "want a table: write [%s] on its own line, then its keys (got %s)", path, tomlType(v))
		return
	}
	d.table(m, path, "in ["+path+"]", []expField{
		{"capacity", func(p string, v any) { d.str(p, v, `"24mbit"`, &s.Capacity) }},
		{"once", func(p string, v any) { d.boolean(p, v, &s.Once) }},
		{"queue", func(p string, v any) { d.str(p, v, `"droptail"`, &s.Queue) }},
		{"queue-args", func(p string, v any) { d.str(p, v, `"packets=100"`, &s.QueueArgs) }},
		{"delay", func(p string, v any) { d.duration(p, v, "20ms", &s.Delay) }},
		{"jitter", func(p string, v any) { d.duration(p, v, "5ms", &s.Jitter) }},
		{"reorder", func(p string, v any) { d.boolean(p, v, &s.Reorder) }},
		{"loss", func(p string, v any) { d.str(p, v, `"1%"`, &s.Loss) }},
		{"onoff", func(p string, v any) { d.str(p, v, `"onoff 5s 1s"`, &s.OnOff) }},
		{"log", func(p string, v any) { d.str(p, v, `"uplink.log"`, &s.Log) }},
	})
}

// tables gives the tables of an array of tables ([[flow]] or an inline
// array of inline tables); an element that is not a table is reported and
// given as nil, so that the others keep their indices.
func (d *expDecoder) tables(path string, v any, example string) []map[string]any {
	switch x := v.(type) {
	case []map[string]any:
		return x
	case []any:
		out := make([]map[string]any, len(x))
		for i, el := range x {
			m, ok := el.(map[string]any)
			if !ok {
				d.fail(expIndex(path, i), "want a table like { %s } (got %s)", example, tomlType(el))
				continue
			}
			out[i] = m
		}
		return out
	case map[string]any:
		d.fail(path, "write [[%s]] with double brackets: each [[%s]] table adds one", path, path)
	default:
		d.fail(path, "want [[%s]] tables, each with e.g. %s (got %s)", path, example, tomlType(v))
	}
	return nil
}

// flows decodes the [[flow]] tables. A table with count = N stands for N
// flows started interval apart (Pantheon's -f N --interval S).
func (d *expDecoder) flows(path string, v any, e *Experiment) {
	for i, m := range d.tables(path, v, `scheme = "cubic"`) {
		if m == nil {
			continue
		}
		p := expIndex(path, i)
		var f FlowSpec
		var params string
		n, interval, hasInterval := 1, time.Duration(0), false
		d.table(m, p, "in "+p, []expField{
			{"scheme", func(p string, v any) { d.str(p, v, `"cubic"`, &f.Scheme) }},
			{"params", func(p string, v any) { params = d.params(p, v) }},
			{"start", func(p string, v any) { d.duration(p, v, "5s", &f.Start) }},
			{"size", func(p string, v any) { d.size(p, v, &f.Size) }},
			{"count", func(p string, v any) { d.count(p, v, &n) }},
			{"interval", func(p string, v any) { hasInterval = true; d.duration(p, v, "10s", &interval) }},
		})
		if params != "" {
			// Parameters follow the scheme's name: "cubic:…", and for a
			// CCP scheme the algorithm's: "ccp:cubic:…".
			name := strings.TrimPrefix(f.Scheme, "ccp:")
			sep := ":"
			if strings.Contains(name, ":") {
				sep = ","
			}
			f.Scheme += sep + params
		}
		if hasInterval && n == 1 && !d.bad[p+".count"] {
			d.fail(p+".interval", "only applies with count > 1: the flows of a [[flow]] table start interval apart (Pantheon's --interval)")
		}
		if len(e.Flows)+n > MaxFlows {
			d.fail(p+".count", "%d flows in all: at most %d", len(e.Flows)+n, MaxFlows)
			return
		}
		if n > 1 {
			d.groups = append(d.groups, expFlowGroup{path: p, n: n, start: f.Start, interval: interval})
		}
		for j := range n {
			g := f
			g.Start = expStartOf(j, f.Start, interval)
			e.Flows = append(e.Flows, g)
			d.flowOrigin = append(d.flowOrigin, i)
		}
	}
}

// params decodes a flow's [flow.params] table ({ delta = 0.1 }) into the
// scheme-spec form "delta=0.1", keys sorted so the result is stable. The
// scheme checker validates names and values.
func (d *expDecoder) params(path string, v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		d.fail(path, "want a table of scheme parameters, e.g. params = { delta = 0.1 } (got %s)", tomlType(v))
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		var val string
		switch x := m[k].(type) {
		case int64:
			val = strconv.FormatInt(x, 10)
		case float64:
			val = strconv.FormatFloat(x, 'g', -1, 64)
		case bool:
			val = "0"
			if x {
				val = "1"
			}
		case string:
			val = x
		default:
			d.fail(path+"."+k, "want a number, true/false or a string (got %s)", tomlType(x))
			continue
		}
		if strings.ContainsAny(k+val, ",;: =") {
			d.fail(path+"."+k, "%q = %q: names and values cannot contain , ; : = or spaces", k, val)
			continue
		}
		parts = append(parts, k+"="+val)
	}
	return strings.Join(parts, ",")
}

// events decodes the [[event]] tables.
func (d *expDecoder) events(path string, v any, e *Experiment) {
	for i, m := range d.tables(path, v, `at = "10s", do = "bw 6mbit"`) {
		if m == nil {
			continue
		}
		p := expIndex(path, i)
		var c TimedChange
		d.table(m, p, "in "+p, []expField{
			{"at", func(p string, v any) { d.duration(p, v, "10s", &c.At) }},
			{"do", func(p string, v any) { d.str(p, v, `"bw 6mbit"`, &c.Command) }},
		})
		if _, ok := m["at"]; !ok {
			d.fail(p+".at", `missing; write e.g. at = "10s"`)
		}
		if _, ok := m["do"]; !ok {
			d.fail(p+".do", `missing; write a link command, e.g. do = "bw 6mbit" or do = "uplink loss 1%%"`)
		}
		if len(e.Timeline) >= MaxEvents {
			d.fail(path, "more than %d events", MaxEvents)
			return
		}
		e.Timeline = append(e.Timeline, c)
	}
}

// remapFlow rewrites "flow[K]..." (K indexing Flows) to the index of the
// [[flow]] table flow K came from.
func (d *expDecoder) remapFlow(field string) string {
	rest, ok := strings.CutPrefix(field, "flow[")
	if !ok {
		return field
	}
	num, tail, ok := strings.Cut(rest, "]")
	k, err := strconv.Atoi(num)
	if !ok || err != nil || k < 0 || k >= len(d.flowOrigin) {
		return field
	}
	return expIndex("flow", d.flowOrigin[k]) + tail
}

// suppressed reports whether field, or a key enclosing it, already has a
// decoding error (a Validate error there would repeat it).
func (d *expDecoder) suppressed(field string) bool {
	for field != "" {
		if d.bad[field] {
			return true
		}
		i := strings.LastIndexAny(field, ".[")
		if i < 0 {
			return false
		}
		field = field[:i]
	}
	return false
}

// suggestKey finds the known key a mistyped one most likely meant: the
// same key in another spelling ("queue_args", "Capacity"), a usual synonym
// ("bandwidth", "timeline"), or one within two edits ("capacty").
func suggestKey(k string, keys []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(s))
	}
	for _, c := range keys {
		if norm(k) == norm(c) {
			return c
		}
	}
	if a := keyAlias(norm(k)); a != "" && slices.Contains(keys, a) {
		return a
	}
	if len(k) > 64 {
		return ""
	}
	best, bestD := "", 3
	if len(k) <= 4 {
		bestD = 2
	}
	for _, c := range keys {
		if dist := editDistance(strings.ToLower(k), c); dist < bestD {
			best, bestD = c, dist
		}
	}
	return best
}

// keyAlias maps usual synonyms (normalised: lower case, no - or _) to the
// schema's key.
func keyAlias(k string) string {
	switch k {
	case "bandwidth", "bw", "rate", "trace", "cap":
		return "capacity"
	case "timeline", "events", "changes", "change", "at":
		return "event"
	case "flows":
		return "flow"
	case "up", "data":
		return "uplink"
	case "down", "ack", "acks":
		return "downlink"
	case "runtime", "time", "length", "t":
		return "duration"
	case "interval", "sampleinterval", "sampling", "sample":
		return "sample-interval"
	case "cc", "algorithm", "alg", "congestioncontrol":
		return "scheme"
	case "bytes", "amount":
		return "size"
	case "command", "cmd", "action":
		return "do"
	case "when":
		return "at"
	case "buffer", "qdisc", "aqm":
		return "queue"
	case "args", "queueparams":
		return "queue-args"
	case "flowsnumber", "n", "f", "number":
		return "count"
	}
	return ""
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
