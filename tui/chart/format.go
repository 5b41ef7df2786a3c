package chart

// format.go owns how tick values read: compact numbers with SI suffixes
// and experiment times in seconds, m:ss or h:mm:ss.

import (
	"math"
	"strconv"
)

// appendNum writes the tick value v of an axis with the given step and
// largest |tick|: values of 1000 and more get an SI suffix of their own
// magnitude (500, 1k, 1.5k), with as many decimals as the step needs and
// trailing zeros dropped; values the suffixes or six decimals cannot show
// fall back to %g with enough digits to tell ticks apart.
func appendNum(b []byte, v, step, maxAbs float64) []byte {
	a := math.Abs(v)
	if a < step*1e-6 {
		return append(b, '0')
	}
	if a >= 1e21 || maxAbs < 1e-6 {
		return appendG(b, v, step)
	}
	scale, suffix := 1.0, byte(0)
	if a >= 1000 {
		const suffixes = "kMGTPE"
		scale = 1e3
		i := 0
		for i < len(suffixes)-1 && a >= scale*1000 {
			scale *= 1000
			i++
		}
		suffix = suffixes[i]
	}
	d := decimals(step / scale)
	if d > 6 {
		return appendG(b, v, step)
	}
	b = appendTrimmed(b, v/scale, d)
	if suffix != 0 {
		b = append(b, suffix)
	}
	return b
}

// appendG writes v in %g form with enough digits for ticks step apart.
func appendG(b []byte, v, step float64) []byte {
	prec := int(math.Ceil(math.Log10(math.Abs(v)/step))) + 1
	prec = min(max(prec, 1), 17)
	return strconv.AppendFloat(b, v, 'g', prec, 64)
}

// appendTrimmed writes v with d decimals, trailing zeros (and a bare
// point) removed, and never "-0".
func appendTrimmed(b []byte, v float64, d int) []byte {
	start := len(b)
	b = strconv.AppendFloat(b, v, 'f', d, 64)
	if d > 0 {
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
		if b[len(b)-1] == '.' {
			b = b[:len(b)-1]
		}
	}
	if string(b[start:]) == "-0" {
		b = append(b[:start], '0')
	}
	return b
}

// decimals is how many decimals x (> 0) needs to be written exactly, up to
// a rounding error; 16 when it needs more than 15.
func decimals(x float64) int {
	for d := 0; d <= 15; d++ {
		y := x * math.Pow10(d)
		if r := math.Round(y); r >= 1 && math.Abs(y-r) <= 1e-6*y {
			return d
		}
	}
	return 16
}

// timeFmt is how the labels of one time axis are written.
type timeFmt struct {
	kind uint8 // tfSec, tfMSS, tfHMS, tfG
	dec  int   // decimals for tfSec
}

const (
	tfSec = iota // 12s, 0.25s, 120.5s
	tfMSS        // 1:40
	tfHMS        // 1:02:03
	tfG          // 1.5e+12s
)

// timeFormatFor picks the format for ticks step apart up to maxAbs seconds:
// plain seconds below 100 s or for sub-second steps, m:ss below an hour,
// h:mm:ss above.
func timeFormatFor(step, maxAbs float64) timeFmt {
	switch {
	case maxAbs >= 1e9:
		return timeFmt{kind: tfG}
	case step < 1:
		return timeFmt{kind: tfSec, dec: decimals(step)}
	case maxAbs < 100:
		return timeFmt{kind: tfSec}
	case maxAbs < 3600:
		return timeFmt{kind: tfMSS}
	}
	return timeFmt{kind: tfHMS}
}

// appendTime writes the time tick t (seconds) for an axis whose ticks are
// step apart.
func appendTime(b []byte, t, step float64, f timeFmt) []byte {
	switch f.kind {
	case tfG:
		b = appendG(b, t, step)
		return append(b, 's')
	case tfSec:
		if math.Abs(t) < step*1e-6 {
			t = 0
		}
		b = appendTrimmed(b, t, f.dec)
		return append(b, 's')
	}
	s := int64(math.Round(math.Abs(t)))
	if s != 0 && t < 0 {
		b = append(b, '-')
	}
	if f.kind == tfHMS {
		b = strconv.AppendInt(b, s/3600, 10)
		b = append(b, ':')
		b = append2(b, s/60%60)
	} else {
		b = strconv.AppendInt(b, s/60, 10)
	}
	b = append(b, ':')
	return append2(b, s%60)
}

// append2 writes 0 ≤ n < 100 as two digits.
func append2(b []byte, n int64) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}
