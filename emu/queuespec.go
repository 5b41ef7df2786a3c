// queuespec.go owns the configuration of the bottleneck queue: QueueKind,
// QueueSpec, the parser for mahimahi's --uplink-queue=KIND and
// --uplink-queue-args="NAME=NUM[, NAME=NUM]" syntax, the "# queue:" header
// text (String), the canonical argument text (Args), and NewQueue, which
// builds a discipline from a spec. See ../shared/docs/mahimahi-pantheon.md
// §1.3 and mahimahi's src/frontend/linkshell.cc and
// src/packet/dropping_packet_queue.cc.
package emu

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Bounds on queue arguments. They are far beyond anything useful and keep
// every byte, packet and nanosecond computation inside int64.
const (
	MaxQueuePackets = 1_000_000_000
	MaxQueueBytes   = 1 << 40
	MaxQueueTime    = time.Hour
)

// QueueKind is a bottleneck queue discipline. The zero value is
// QueueInfinite, mahimahi's default.
type QueueKind uint8

const (
	QueueInfinite QueueKind = iota // unbounded FIFO
	QueueDropTail                  // FIFO that refuses arrivals over the limits
	QueueDropHead                  // FIFO that evicts its oldest packets over the limits
	QueueCoDel                     // CoDel (RFC 8289) over a droptail FIFO
	QueuePIE                       // PIE (draft-ietf-aqm-pie-09) over a droptail FIFO
	numQueueKinds
)

// String gives mahimahi's name for the kind.
func (k QueueKind) String() string {
	switch k {
	case QueueInfinite:
		return "infinite"
	case QueueDropTail:
		return "droptail"
	case QueueDropHead:
		return "drophead"
	case QueueCoDel:
		return "codel"
	case QueuePIE:
		return "pie"
	}
	return fmt.Sprintf("QueueKind(%d)", uint8(k))
}

// QueueSpec configures a bottleneck queue. Zero fields are unset. The zero
// QueueSpec is an infinite queue.
type QueueSpec struct {
	Kind QueueKind
	// Packets and Bytes limit the waiting packets (all kinds but infinite
	// need at least one; when both are set both apply).
	Packets, Bytes int
	// Target and Interval are CoDel's parameters.
	Target, Interval time.Duration
	// QdelayRef and MaxBurst are PIE's parameters.
	QdelayRef, MaxBurst time.Duration
}

// queueArg names one argument of --uplink-queue-args.
type queueArg uint8

const (
	argBytes queueArg = iota
	argPackets
	argTarget
	argInterval
	argQdelayRef
	argMaxBurst
	numQueueArgs
)

func (a queueArg) String() string {
	switch a {
	case argBytes:
		return "bytes"
	case argPackets:
		return "packets"
	case argTarget:
		return "target"
	case argInterval:
		return "interval"
	case argQdelayRef:
		return "qdelay_ref"
	case argMaxBurst:
		return "max_burst"
	}
	return fmt.Sprintf("queueArg(%d)", uint8(a))
}

func (a queueArg) isTime() bool { return a >= argTarget }

func lookupQueueArg(name string) (queueArg, bool) {
	for a := queueArg(0); a < numQueueArgs; a++ {
		if a.String() == name {
			return a, true
		}
	}
	return 0, false
}

// argMask is the set of arguments kind k takes, one bit per queueArg.
func (k QueueKind) argMask() uint8 {
	const limits = 1<<argBytes | 1<<argPackets
	switch k {
	case QueueDropTail, QueueDropHead:
		return limits
	case QueueCoDel:
		return limits | 1<<argTarget | 1<<argInterval
	case QueuePIE:
		return limits | 1<<argQdelayRef | 1<<argMaxBurst
	}
	return 0
}

// argList is "bytes, packets, target, interval" for codel.
func (k QueueKind) argList() string {
	var names []string
	for a := queueArg(0); a < numQueueArgs; a++ {
		if k.argMask()&(1<<a) != 0 {
			names = append(names, a.String())
		}
	}
	return strings.Join(names, ", ")
}

// notAnArgument is the error for an argument kind k does not take.
func (k QueueKind) notAnArgument(a queueArg) error {
	var owners []string
	for o := QueueKind(0); o < numQueueKinds; o++ {
		if o.argMask()&(1<<a) != 0 {
			owners = append(owners, o.String())
		}
	}
	return fmt.Errorf("queue %s: %s is not a %s argument (want %s; %s belongs to %s)",
		k, a, k, k.argList(), a, strings.Join(owners, ", "))
}

const queueKindList = "infinite, droptail, drophead, codel or pie"

// ParseQueueKind reads a queue type name. Names are case-sensitive, as in
// mahimahi.
func ParseQueueKind(kind string) (QueueKind, error) {
	for k := QueueKind(0); k < numQueueKinds; k++ {
		if k.String() == kind {
			return k, nil
		}
	}
	trimmed := strings.TrimSpace(kind)
	lower := strings.ToLower(trimmed)
	for k := QueueKind(0); k < numQueueKinds; k++ {
		switch k.String() {
		case trimmed:
			return 0, fmt.Errorf("unknown queue type %q (stray whitespace: use %q)", kind, trimmed)
		case lower:
			return 0, fmt.Errorf("unknown queue type %q (queue types are lower-case: use %q)", kind, lower)
		}
	}
	return 0, fmt.Errorf("unknown queue type %q (want %s)", kind, queueKindList)
}

// ParseQueue reads mahimahi's --uplink-queue=KIND and
// --uplink-queue-args=ARGS. ARGS is "NAME=NUM[, NAME=NUM]..." with NAME one
// of bytes, packets, target, interval, qdelay_ref, max_burst. As extensions,
// arguments may be separated by commas and/or whitespace, and the times
// (target, interval, qdelay_ref, max_burst) may carry a unit (ns, us, µs, ms,
// s) and a decimal fraction; a bare number is milliseconds, as in mahimahi.
// Unlike mahimahi, unknown, duplicate, zero and misplaced arguments are
// errors.
func ParseQueue(kind, args string) (QueueSpec, error) {
	k, err := ParseQueueKind(kind)
	if err != nil {
		return QueueSpec{}, err
	}
	s := QueueSpec{Kind: k}
	if k == QueueInfinite {
		if strings.TrimSpace(args) != "" {
			return QueueSpec{}, fmt.Errorf("queue infinite takes no arguments (got %q)", args)
		}
		return s, nil
	}
	items, err := splitQueueArgs(args)
	if err != nil {
		return QueueSpec{}, fmt.Errorf("queue %s: %w", k, err)
	}
	var seen uint8
	for _, it := range items {
		a, ok := lookupQueueArg(it.name)
		if !ok {
			if low, ok := lookupQueueArg(strings.ToLower(it.name)); ok && k.argMask()&(1<<low) != 0 {
				return QueueSpec{}, fmt.Errorf("queue %s: unknown argument %q (argument names are lower-case: use %q)", k, it.name, low.String())
			}
			return QueueSpec{}, fmt.Errorf("queue %s: unknown argument %q (want %s)", k, it.name, k.argList())
		}
		if k.argMask()&(1<<a) == 0 {
			return QueueSpec{}, k.notAnArgument(a)
		}
		if seen&(1<<a) != 0 {
			return QueueSpec{}, fmt.Errorf("queue %s: duplicate argument %s (give each argument once)", k, a)
		}
		seen |= 1 << a
		if a.isTime() {
			d, err := parseQueueTime(it.value)
			if err != nil {
				return QueueSpec{}, fmt.Errorf("queue %s: %s=%s: %w", k, a, printable(it.value), err)
			}
			*s.timeField(a) = d
		} else {
			n, err := parseQueueCount(a, it.value)
			if err != nil {
				return QueueSpec{}, fmt.Errorf("queue %s: %s=%s: %w", k, a, printable(it.value), err)
			}
			*s.countField(a) = n
		}
	}
	if err := s.Validate(); err != nil {
		return QueueSpec{}, err
	}
	return s, nil
}

func (s *QueueSpec) countField(a queueArg) *int {
	if a == argBytes {
		return &s.Bytes
	}
	return &s.Packets
}

func (s *QueueSpec) timeField(a queueArg) *time.Duration {
	switch a {
	case argTarget:
		return &s.Target
	case argInterval:
		return &s.Interval
	case argQdelayRef:
		return &s.QdelayRef
	}
	return &s.MaxBurst
}

// get returns argument a as an int64 (bytes, packets or nanoseconds).
func (s QueueSpec) get(a queueArg) int64 {
	if a.isTime() {
		return int64(*s.timeField(a))
	}
	return int64(*s.countField(a))
}

type queueItem struct{ name, value string }

func isQueueSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// splitQueueArgs splits "NAME=VALUE" items separated by a comma and/or
// whitespace. Whitespace around "=" is allowed.
func splitQueueArgs(args string) ([]queueItem, error) {
	var items []queueItem
	i := 0
	skip := func() {
		for i < len(args) && isQueueSpace(args[i]) {
			i++
		}
	}
	word := func(stop string) string {
		start := i
		for i < len(args) && !isQueueSpace(args[i]) && strings.IndexByte(stop, args[i]) < 0 {
			i++
		}
		return args[start:i]
	}
	skip()
	for i < len(args) {
		if args[i] == ',' {
			return nil, fmt.Errorf("empty argument at offset %d of %q (separate NAME=NUM arguments with one comma or with spaces)", i, args)
		}
		if args[i] == '=' {
			return nil, fmt.Errorf("missing argument name before %q in %q (want NAME=NUM)", args[i:], args)
		}
		name := word(",=")
		skip()
		if i >= len(args) || args[i] != '=' {
			if isQueueUnit(name) && len(items) > 0 {
				return nil, fmt.Errorf("stray %q in %q (write the unit without a space, e.g. target=5ms)", name, args)
			}
			return nil, fmt.Errorf("argument %q has no value (want %s=NUM)", name, name)
		}
		i++ // '='
		skip()
		value := word(",")
		if value == "" {
			return nil, fmt.Errorf("argument %q has no value (want %s=NUM)", name, name)
		}
		items = append(items, queueItem{name, value})
		skip()
		if i < len(args) && args[i] == ',' {
			i++
			skip()
			if i == len(args) {
				return nil, fmt.Errorf("trailing comma in %q", args)
			}
		}
	}
	return items, nil
}

// printable is v, or v quoted when it holds characters that would not
// show plainly in an error message.
func printable(v string) string {
	if q := strconv.Quote(v); q[1:len(q)-1] != v {
		return q
	}
	return v
}

func isQueueUnit(u string) bool {
	switch u {
	case "ns", "us", "µs", "ms", "s":
		return true
	}
	return false
}

// parseQueueCount reads a positive whole number for bytes or packets.
func parseQueueCount(a queueArg, v string) (int, error) {
	maxV := int64(MaxQueuePackets)
	if a == argBytes {
		maxV = MaxQueueBytes
	}
	digits := strings.TrimLeft(v, "+-")
	if len(v)-len(digits) > 1 || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, fmt.Errorf("not a whole number (want %s=N with N in 1..%d)", a, maxV)
	}
	if v[0] == '-' && strings.Trim(digits, "0") != "" {
		return 0, fmt.Errorf("must be positive (want %s=N with N in 1..%d)", a, maxV)
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > maxV {
		return 0, fmt.Errorf("too large (at most %d)", maxV)
	}
	if n == 0 {
		return 0, fmt.Errorf("must be positive (want %s=N with N in 1..%d; leave it out for no %s limit)", a, maxV, a)
	}
	return int(n), nil
}

// parseQueueTime reads a positive time: a decimal number with an optional
// unit (ns, us, µs, ms, s); a bare number is milliseconds.
func parseQueueTime(v string) (time.Duration, error) {
	const want = "want a positive time like 5, 5ms, 500us or 0.1s; a bare number is milliseconds"
	num := strings.TrimRight(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZµ")
	unit := v[len(num):]
	if strings.Trim(num, "+-") == "" {
		return 0, fmt.Errorf("not a number (%s)", want)
	}
	if unit == "" {
		unit = "ms"
	} else if !isQueueUnit(unit) {
		return 0, fmt.Errorf("unknown unit %q (use ns, us, ms or s; a bare number is milliseconds)", unit)
	}
	body := strings.TrimLeft(num, "+-")
	sign := num[:len(num)-len(body)]
	intPart, frac, hasDot := strings.Cut(body, ".")
	if len(sign) > 1 || intPart == "" || (hasDot && frac == "") ||
		strings.Trim(intPart, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return 0, fmt.Errorf("not a number (%s)", want)
	}
	if sign == "-" && strings.Trim(intPart+frac, "0") != "" {
		return 0, fmt.Errorf("must be positive (%s)", want)
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 13 { // beyond any bound below in every unit
		return 0, fmt.Errorf("too large (at most %s)", formatQueueMs(MaxQueueTime)+"ms")
	}
	if len(frac) > 30 { // no unit resolves finer than 1e-9 s; keep the parse cheap
		frac = frac[:30]
	}
	s := "0" + intPart
	if frac != "" {
		s += "." + frac
	}
	d, err := time.ParseDuration(s + unit)
	if err != nil || d > MaxQueueTime {
		return 0, fmt.Errorf("too large (at most %sms)", formatQueueMs(MaxQueueTime))
	}
	if d <= 0 {
		return 0, fmt.Errorf("must be positive (%s)", want)
	}
	return d, nil
}

// formatQueueMs writes d in milliseconds, with a decimal fraction only when
// d is not a whole number of milliseconds: 5ms → "5", 500µs → "0.5".
func formatQueueMs(d time.Duration) string {
	ms, rem := int64(d/time.Millisecond), int64(d%time.Millisecond)
	if rem == 0 {
		return strconv.FormatInt(ms, 10)
	}
	neg := ""
	if d < 0 {
		neg, ms, rem = "-", -ms, -rem
	}
	return neg + strconv.FormatInt(ms, 10) + "." + strings.TrimRight(fmt.Sprintf("%06d", rem), "0")
}

// Validate checks a spec, hand-built or parsed: a known kind, only the
// arguments that kind takes, each within its bounds, and the required ones.
func (s QueueSpec) Validate() error {
	k := s.Kind
	if k >= numQueueKinds {
		return fmt.Errorf("unknown queue type %s (want %s)", k, queueKindList)
	}
	for a := queueArg(0); a < numQueueArgs; a++ {
		v := s.get(a)
		if v == 0 {
			continue
		}
		if k == QueueInfinite {
			return fmt.Errorf("queue infinite takes no arguments (got %q)", s.Args())
		}
		if k.argMask()&(1<<a) == 0 {
			return k.notAnArgument(a)
		}
		switch {
		case a.isTime() && (v < 0 || v > int64(MaxQueueTime)):
			return fmt.Errorf("queue %s: %s=%v out of range (want 0 < %s <= %v)", k, a, time.Duration(v), a, MaxQueueTime)
		case a == argBytes && (v < 0 || v > MaxQueueBytes):
			return fmt.Errorf("queue %s: bytes=%d out of range (want 1..%d)", k, v, int64(MaxQueueBytes))
		case a == argPackets && (v < 0 || v > MaxQueuePackets):
			return fmt.Errorf("queue %s: packets=%d out of range (want 1..%d)", k, v, MaxQueuePackets)
		}
	}
	if k == QueueInfinite {
		return nil
	}
	if s.Packets == 0 && s.Bytes == 0 {
		return fmt.Errorf("queue %s: needs a limit: packets=N and/or bytes=N", k)
	}
	switch k {
	case QueueCoDel:
		if s.Target == 0 || s.Interval == 0 {
			return fmt.Errorf(`queue codel: needs target and interval (e.g. "packets=100, target=5, interval=100")`)
		}
	case QueuePIE:
		if s.QdelayRef == 0 || s.MaxBurst == 0 {
			return fmt.Errorf(`queue pie: needs qdelay_ref and max_burst (e.g. "packets=1000, qdelay_ref=20, max_burst=100")`)
		}
	}
	return nil
}

// String is mahimahi's "# queue:" header text: the type and its limits,
// bytes first ("infinite", "droptail [packets=100]",
// "droptail [bytes=9000, packets=10]", "codel [packets=100]").
func (s QueueSpec) String() string {
	if s.Kind == QueueInfinite {
		return "infinite"
	}
	var b strings.Builder
	b.WriteString(s.Kind.String())
	b.WriteString(" [")
	if s.Bytes != 0 {
		b.WriteString("bytes=")
		b.WriteString(strconv.Itoa(s.Bytes))
	}
	if s.Packets != 0 {
		if s.Bytes != 0 {
			b.WriteString(", ")
		}
		b.WriteString("packets=")
		b.WriteString(strconv.Itoa(s.Packets))
	}
	b.WriteString("]")
	return b.String()
}

// Args is the spec's arguments in mahimahi's syntax, e.g.
// "packets=100, target=5, interval=100": every set field, bytes, packets,
// target, interval, qdelay_ref, max_burst in that order, times in
// milliseconds (with a decimal fraction only when not a whole millisecond).
// ParseQueue(s.Kind.String(), s.Args()) gives s back for any valid s.
func (s QueueSpec) Args() string {
	var parts []string
	for a := queueArg(0); a < numQueueArgs; a++ {
		v := s.get(a)
		if v == 0 {
			continue
		}
		if a.isTime() {
			parts = append(parts, a.String()+"="+formatQueueMs(time.Duration(v)))
		} else {
			parts = append(parts, a.String()+"="+strconv.FormatInt(v, 10))
		}
	}
	return strings.Join(parts, ", ")
}

// NewQueue builds the discipline s describes. rng feeds PIE's early-drop
// draws; the other kinds ignore it. A nil rng is allowed (PIE then uses a
// fixed-seed generator, so it stays deterministic), which lets callers
// build a queue only to validate a spec. An invalid spec gives an error.
func NewQueue(s QueueSpec, rng *rand.Rand) (Queue, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	lim := queueLimits{packets: s.Packets, bytes: s.Bytes}
	switch s.Kind {
	case QueueInfinite:
		return &InfiniteQueue{queueBase: queueBase{spec: s}}, nil
	case QueueDropTail:
		return &DropTailQueue{queueBase: queueBase{spec: s}, lim: lim}, nil
	case QueueDropHead:
		return &DropHeadQueue{queueBase: queueBase{spec: s}, lim: lim}, nil
	case QueueCoDel:
		return newCoDelQueue(s), nil
	case QueuePIE:
		if rng == nil {
			rng = rand.New(rand.NewPCG(0, 0))
		}
		return newPIEQueue(s, rng), nil
	}
	return nil, fmt.Errorf("unknown queue type %s (want %s)", s.Kind, queueKindList)
}
