package capture

// This file owns parsing one event line of a mahimahi or Pantheon log: a
// hand-written byte parser, no allocation unless the line is bad.

import (
	"errors"
	"fmt"
)

const (
	// maxTimeDigits bounds the integer digits of a timestamp or delay
	// (< 10^15 ms, about 31,000 years), so microseconds fit an int64 with
	// room for sums and differences.
	maxTimeDigits = 15
	// maxCountDigits bounds byte counts, packet counts and flow ids
	// (< 10^9), so sums over billions of lines cannot overflow.
	maxCountDigits = 9
	// maxLogFields is how many fields of a line the parser keeps.
	maxLogFields = 6
)

// numCode says whether a number parsed and, if not, why.
type numCode uint8

const (
	numOK numCode = iota
	numBad
	numNegative
	numTooLarge
	numTooPrecise
)

// parseEvent parses an event line (not a comment, not blank) into ev.
//
// Fields are separated by runs of spaces or tabs. The forms are
//
//	<t> # <bytes>
//	<t> + <bytes> [<flow>]
//	<t> - <bytes> <delay> [<flow>]
//	<t> d <npkts> <nbytes>
//
// Timestamps and delays are milliseconds, whole (mahimahi) or with up to
// three decimals (Pantheon). Like Pantheon's tunnel_graph.py, a flow id is
// taken only from a "+" line of exactly four fields or a "-" line of exactly
// five; other extra fields are ignored, as both mahimahi's and Pantheon's
// scripts ignore them.
func parseEvent(line []byte, ev *LogEvent) error {
	var f [maxLogFields][]byte
	n := 0
	for i := 0; i < len(line); {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			break
		}
		j := i
		for j < len(line) && !isSpace(line[j]) {
			j++
		}
		if n < maxLogFields {
			f[n] = line[i:j]
		}
		n++
		i = j
	}

	t, code := parseMillis(f[0])
	if code != numOK {
		return timeError("timestamp", f[0], code)
	}
	if n < 2 {
		return errors.New(`missing fields: an event line is "<t> <type> <bytes> ..."`)
	}
	if len(f[1]) != 1 {
		return unknownType(f[1])
	}
	*ev = LogEvent{Kind: f[1][0], T: t}
	switch ev.Kind {
	case '#':
		if n < 3 {
			return errors.New(`missing fields: an opportunity is "<t> # <bytes>"`)
		}
		if ev.Bytes, code = parseUint(f[2], maxCountDigits); code != numOK {
			return countError("byte count", f[2], code)
		}
	case '+':
		if n < 3 {
			return errors.New(`missing fields: an arrival is "<t> + <bytes> [<flow>]"`)
		}
		if ev.Bytes, code = parseUint(f[2], maxCountDigits); code != numOK {
			return countError("byte count", f[2], code)
		}
		if n == 4 {
			flow, code := parseUint(f[3], maxCountDigits)
			if code != numOK {
				return countError("flow id", f[3], code)
			}
			ev.Flow = int(flow)
		}
	case '-':
		if n < 4 {
			return errors.New(`missing fields: a departure is "<t> - <bytes> <delay> [<flow>]"`)
		}
		if ev.Bytes, code = parseUint(f[2], maxCountDigits); code != numOK {
			return countError("byte count", f[2], code)
		}
		if ev.Delay, code = parseMillis(f[3]); code != numOK {
			return timeError("delay", f[3], code)
		}
		if n == 5 {
			flow, code := parseUint(f[4], maxCountDigits)
			if code != numOK {
				return countError("flow id", f[4], code)
			}
			ev.Flow = int(flow)
		}
	case 'd':
		if n < 4 {
			return errors.New(`missing fields: a drop is "<t> d <packets> <bytes>"`)
		}
		if ev.Pkts, code = parseUint(f[2], maxCountDigits); code != numOK {
			return countError("packet count", f[2], code)
		}
		if ev.Bytes, code = parseUint(f[3], maxCountDigits); code != numOK {
			return countError("byte count", f[3], code)
		}
	default:
		return unknownType(f[1])
	}
	return nil
}

// parseMillis parses milliseconds, whole or with up to three decimals, into
// microseconds.
func parseMillis(b []byte) (int64, numCode) {
	if len(b) == 0 {
		return 0, numBad
	}
	if b[0] == '-' {
		if len(b) > 1 && b[1]-'0' <= 9 {
			return 0, numNegative
		}
		return 0, numBad
	}
	var v int64
	i := 0
	for ; i < len(b); i++ {
		c := b[i] - '0'
		if c > 9 {
			break
		}
		if i >= maxTimeDigits {
			return 0, numTooLarge
		}
		v = v*10 + int64(c)
	}
	if i == 0 {
		return 0, numBad
	}
	v *= 1000
	if i == len(b) {
		return v, numOK
	}
	if b[i] != '.' {
		return 0, numBad
	}
	scale := int64(100)
	code := numOK
	for i++; i < len(b); i++ {
		c := b[i] - '0'
		if c > 9 {
			return 0, numBad
		}
		if scale == 0 {
			code = numTooPrecise
			continue
		}
		v += int64(c) * scale
		scale /= 10
	}
	return v, code
}

// parseUint parses a non-negative decimal integer of at most maxDigits
// digits.
func parseUint(b []byte, maxDigits int) (int64, numCode) {
	if len(b) == 0 {
		return 0, numBad
	}
	if b[0] == '-' {
		if len(b) > 1 && b[1]-'0' <= 9 {
			return 0, numNegative
		}
		return 0, numBad
	}
	if len(b) > maxDigits {
		for _, c := range b {
			if c-'0' > 9 {
				return 0, numBad
			}
		}
		return 0, numTooLarge
	}
	var v int64
	for _, c := range b {
		c -= '0'
		if c > 9 {
			return 0, numBad
		}
		v = v*10 + int64(c)
	}
	return v, numOK
}

func timeError(what string, b []byte, code numCode) error {
	switch code {
	case numNegative:
		return fmt.Errorf("negative %s %s", what, quoteField(b))
	case numTooLarge:
		return fmt.Errorf("%s %s is too large (want at most %d digits of milliseconds)", what, quoteField(b), maxTimeDigits)
	case numTooPrecise:
		return fmt.Errorf("%s %s has more than 3 decimals (want milliseconds to the microsecond)", what, quoteField(b))
	}
	if len(b) == 0 {
		return fmt.Errorf("missing %s", what)
	}
	return fmt.Errorf("bad %s %s (want milliseconds)", what, quoteField(b))
}

func countError(what string, b []byte, code numCode) error {
	switch code {
	case numNegative:
		return fmt.Errorf("negative %s %s", what, quoteField(b))
	case numTooLarge:
		return fmt.Errorf("%s %s is too large (want at most %d digits)", what, quoteField(b), maxCountDigits)
	}
	return fmt.Errorf("bad %s %s (want a whole number)", what, quoteField(b))
}

func unknownType(b []byte) error {
	return fmt.Errorf("unknown event type %s (want #, +, - or d)", quoteField(b))
}
