package emu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// OnOffKind selects how an on/off link switches.
type OnOffKind uint8

const (
	// OnOffNone is an always-on link.
	OnOffNone OnOffKind = iota
	// OnOffExponential draws on and off durations from exponential
	// distributions with the given means, like mm-onoff.
	OnOffExponential
	// OnOffPeriodic switches with fixed on and off durations, like
	// mm-intermittent.
	OnOffPeriodic
)

// maxSwitchDuration caps one on or off period, as mahimahi does (2^30 ms).
const maxSwitchDuration = (1 << 30) * time.Millisecond

// OnOffSpec configures outages: while a link is off, arriving packets are
// dropped (not buffered), as in mm-onoff and mm-intermittent. The link
// starts on.
type OnOffSpec struct {
	Kind    OnOffKind
	On, Off time.Duration
}

// ParseOnOff reads "onoff MEAN_ON MEAN_OFF" (exponential, like mm-onoff),
// "intermittent ON OFF" (fixed, like mm-intermittent) or "none". Durations
// carry units ("5s", "500ms").
func ParseOnOff(s string) (OnOffSpec, error) {
	f := strings.Fields(strings.ReplaceAll(s, ",", " "))
	if len(f) == 1 && (f[0] == "none" || f[0] == "off" || f[0] == "always-on") {
		return OnOffSpec{}, nil
	}
	if len(f) != 3 {
		return OnOffSpec{}, fmt.Errorf("on/off %q: want \"onoff MEAN_ON MEAN_OFF\", \"intermittent ON OFF\" or \"none\", e.g. \"onoff 5s 1s\"", s)
	}
	var spec OnOffSpec
	switch f[0] {
	case "onoff", "exponential":
		spec.Kind = OnOffExponential
	case "intermittent", "periodic", "fixed":
		spec.Kind = OnOffPeriodic
	default:
		return OnOffSpec{}, fmt.Errorf("on/off %q: unknown kind %q (want onoff, intermittent or none)", s, f[0])
	}
	var err error
	if spec.On, err = ParseDuration("on time", f[1]); err != nil {
		return OnOffSpec{}, fmt.Errorf("on/off %q: %w", s, err)
	}
	if spec.Off, err = ParseDuration("off time", f[2]); err != nil {
		return OnOffSpec{}, fmt.Errorf("on/off %q: %w", s, err)
	}
	if err := spec.validate(); err != nil {
		return OnOffSpec{}, err
	}
	return spec, nil
}

func (o OnOffSpec) validate() error {
	if o.Kind == OnOffNone {
		return nil
	}
	if o.On < 0 || o.Off < 0 {
		return fmt.Errorf("on/off %s: durations must not be negative", o)
	}
	if o.On == 0 && o.Off == 0 {
		return fmt.Errorf("on/off %s: on and off times cannot both be zero", o)
	}
	return nil
}

// String writes the spec in ParseOnOff's syntax.
func (o OnOffSpec) String() string {
	switch o.Kind {
	case OnOffExponential:
		return fmt.Sprintf("onoff %s %s", o.On, o.Off)
	case OnOffPeriodic:
		return fmt.Sprintf("intermittent %s %s", o.On, o.Off)
	}
	return "none"
}

// onOffProcess tracks whether the link is on. Like mahimahi it switches
// lazily when asked, truncates every period to whole milliseconds and caps
// it at 2^30 ms.
type onOffProcess struct {
	spec OnOffSpec
	on   bool
	next time.Duration // next switch
	rng  *rand.Rand
}

func newOnOff(spec OnOffSpec, start time.Duration, rng *rand.Rand) onOffProcess {
	p := onOffProcess{spec: spec, on: true, rng: rng}
	if spec.Kind != OnOffNone {
		p.next = start + p.period(true)
	}
	return p
}

// period draws the length of the next on (on=true) or off period.
func (p *onOffProcess) period(on bool) time.Duration {
	mean := p.spec.Off
	if on {
		mean = p.spec.On
	}
	d := float64(mean)
	if p.spec.Kind == OnOffExponential {
		d = p.rng.ExpFloat64() * float64(mean)
	}
	if d > float64(maxSwitchDuration) || math.IsInf(d, 0) {
		return maxSwitchDuration
	}
	return time.Duration(d).Truncate(time.Millisecond)
}

// isOn reports whether the link is on at now (now never goes backwards).
func (p *onOffProcess) isOn(now time.Duration) bool {
	if p.spec.Kind == OnOffNone {
		return true
	}
	for p.next <= now {
		p.on = !p.on
		p.next += p.period(p.on)
	}
	return p.on
}
