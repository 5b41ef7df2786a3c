package emu

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// LossKind selects a random-loss model.
type LossKind uint8

const (
	// LossNone loses nothing.
	LossNone LossKind = iota
	// LossIID loses each packet independently with probability P, like
	// mm-loss.
	LossIID
	// LossGE is the Gilbert-Elliott model, as tc-netem's "loss gemodel":
	// a good and a bad state with per-packet transitions.
	LossGE
)

// LossSpec configures random loss on a link, applied to packets as they
// enter it.
type LossSpec struct {
	Kind LossKind
	// P is the i.i.d. loss probability, or for Gilbert-Elliott the
	// per-packet probability of moving from the good to the bad state.
	P float64
	// R is the per-packet probability of moving from bad back to good
	// (Gilbert-Elliott; the mean burst length in packets is 1/R).
	R float64
	// BadLoss is the loss probability in the bad state (netem's 1-h).
	BadLoss float64
	// GoodLoss is the loss probability in the good state (netem's 1-k).
	GoodLoss float64
}

// ParseLoss reads a loss model: "0", "1%", "0.01" (i.i.d.), or netem's
// Gilbert-Elliott form "gemodel P [R [1-H [1-K]]]" with the same defaults
// as tc-netem (R = 100%, 1-H = 100%, 1-K = 0%), e.g. "gemodel 1% 30%".
// "none" and "off" mean no loss.
func ParseLoss(s string) (LossSpec, error) {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' })
	if len(f) == 0 {
		return LossSpec{}, fmt.Errorf("loss: empty; want e.g. 1%%, 0.01 or \"gemodel 1%% 30%%\"")
	}
	switch strings.ToLower(f[0]) {
	case "none", "off":
		if len(f) > 1 {
			return LossSpec{}, fmt.Errorf("loss %q: %q takes no arguments", s, f[0])
		}
		return LossSpec{}, nil
	case "gemodel", "ge", "gilbert", "gilbert-elliott":
		if len(f) < 2 || len(f) > 5 {
			return LossSpec{}, fmt.Errorf("loss %q: want gemodel P [R [1-H [1-K]]], e.g. \"gemodel 1%% 30%%\" (P: good→bad, R: bad→good, 1-H: loss when bad, 1-K: loss when good)", s)
		}
		vals := []float64{0, 1, 1, 0}
		names := []string{"gemodel P (good→bad)", "gemodel R (bad→good)", "gemodel 1-H (loss when bad)", "gemodel 1-K (loss when good)"}
		for i, a := range f[1:] {
			v, err := ParseProbability(names[i], a)
			if err != nil {
				return LossSpec{}, fmt.Errorf("loss %q: %w", s, err)
			}
			vals[i] = v
		}
		if vals[1] == 0 && vals[0] > 0 {
			return LossSpec{}, fmt.Errorf("loss %q: R (bad→good) is 0, so the link would stay in the bad state forever", s)
		}
		return LossSpec{Kind: LossGE, P: vals[0], R: vals[1], BadLoss: vals[2], GoodLoss: vals[3]}, nil
	}
	if len(f) != 1 {
		return LossSpec{}, fmt.Errorf("loss %q: want one probability like 1%% or 0.01, or \"gemodel P R\"", s)
	}
	p, err := ParseProbability("loss", f[0])
	if err != nil {
		return LossSpec{}, err
	}
	if p == 0 {
		return LossSpec{}, nil
	}
	return LossSpec{Kind: LossIID, P: p}, nil
}

// String writes the spec in ParseLoss's syntax.
func (l LossSpec) String() string {
	switch l.Kind {
	case LossIID:
		return FormatProbability(l.P)
	case LossGE:
		return fmt.Sprintf("gemodel %s %s %s %s", FormatProbability(l.P), FormatProbability(l.R),
			FormatProbability(l.BadLoss), FormatProbability(l.GoodLoss))
	}
	return "0%"
}

// Mean is the long-run fraction of packets lost. For Gilbert-Elliott the
// chain spends P/(P+R) of the packets in the bad state.
func (l LossSpec) Mean() float64 {
	switch l.Kind {
	case LossIID:
		return l.P
	case LossGE:
		if l.P+l.R == 0 {
			return l.GoodLoss
		}
		bad := l.P / (l.P + l.R)
		return bad*l.BadLoss + (1-bad)*l.GoodLoss
	}
	return 0
}

func (l LossSpec) validate() error {
	for _, v := range []float64{l.P, l.R, l.BadLoss, l.GoodLoss} {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("loss %s: probabilities must be in [0, 1]", l)
		}
	}
	return nil
}

// lossProcess draws loss decisions for one link from its own stream.
type lossProcess struct {
	spec LossSpec
	bad  bool
	rng  *rand.Rand
}

// drop decides the fate of the next packet. Gilbert-Elliott decides the
// loss in the current state, then moves the chain one packet forward.
func (l *lossProcess) drop() bool {
	switch l.spec.Kind {
	case LossIID:
		return l.rng.Float64() < l.spec.P
	case LossGE:
		var lost bool
		if l.bad {
			lost = l.spec.BadLoss > 0 && l.rng.Float64() < l.spec.BadLoss
			if l.rng.Float64() < l.spec.R {
				l.bad = false
			}
		} else {
			lost = l.spec.GoodLoss > 0 && l.rng.Float64() < l.spec.GoodLoss
			if l.rng.Float64() < l.spec.P {
				l.bad = true
			}
		}
		return lost
	}
	return false
}
