package fidelity

import (
	"context"
	"fmt"
	"time"

	"github.com/ccscope/ccscope/live"
)

// Column is one link of the scheme × link table.
type Column struct {
	Title string
	// Exp builds the experiment for one scheme; ok is false when the
	// link cannot be built here (a missing trace).
	Exp func(env Env, scheme string) (e live.Experiment, ok bool)
}

// Cell is one scheme's result on one link.
type Cell struct {
	Throughput, DelayP95, Loss float64 // Mbit/s, ms, fraction
	Skipped                    bool
}

func (c Cell) String() string {
	if c.Skipped {
		return "—"
	}
	return fmt.Sprintf("%.1f Mbit/s, %.0f ms", c.Throughput, c.DelayP95)
}

// MatrixSchemes are the rows of the table.
func MatrixSchemes() []string { return []string{"reno", "cubic", "bbr", "vegas", "copa", "ledbat"} }

// Columns are the links of the table: a 30-s run of one flow each.
func Columns() []Column {
	const dur = 30 * time.Second
	bdp := bdpPackets(24e6, 40*time.Millisecond) // 80 packets
	return []Column{
		{Title: "24 Mbit/s, 40 ms RTT, 1-BDP buffer", Exp: func(_ Env, s string) (live.Experiment, bool) {
			return link("24mbit", 20*time.Millisecond, bdp, dur, flows(s)...), true
		}},
		{Title: "24 Mbit/s, 40 ms RTT, 5-BDP buffer", Exp: func(_ Env, s string) (live.Experiment, bool) {
			return link("24mbit", 20*time.Millisecond, 5*bdp, dur, flows(s)...), true
		}},
		{Title: "Verizon LTE trace, 40 ms RTT, 200-packet buffer", Exp: func(env Env, s string) (live.Experiment, bool) {
			if env.TracesDir == "" {
				return live.Experiment{}, false
			}
			e := link(env.TracesDir+"/Verizon-LTE-short.down", 20*time.Millisecond, 200, dur, flows(s)...)
			e.Downlink.Capacity = env.TracesDir + "/Verizon-LTE-short.up"
			return e, true
		}},
		{Title: "100 Mbit/s, 40 ms RTT, 1% loss, 1-BDP buffer", Exp: func(_ Env, s string) (live.Experiment, bool) {
			e := link("100mbit", 20*time.Millisecond, bdpPackets(100e6, 40*time.Millisecond), dur, flows(s)...)
			e.Uplink.Loss = "1%"
			return e, true
		}},
	}
}

// Matrix runs every scheme on every link.
func Matrix(ctx context.Context, env Env, schemes []string) ([][]Cell, error) {
	cols := Columns()
	out := make([][]Cell, len(schemes))
	for i, s := range schemes {
		out[i] = make([]Cell, len(cols))
		for j, c := range cols {
			e, ok := c.Exp(env, s)
			if !ok {
				out[i][j].Skipped = true
				continue
			}
			r, err := simulate(ctx, e)
			if err != nil {
				return nil, fmt.Errorf("%s on %s: %w", s, c.Title, err)
			}
			sum := r.sim.Summary()
			out[i][j] = Cell{Throughput: sum.Throughput, DelayP95: sum.DelayP95, Loss: sum.Loss}
		}
	}
	return out, nil
}
