package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
	"github.com/ccscope/ccscope/live/store"
	"github.com/spf13/cobra"
)

func newDemoCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "run a short headless demo: cubic and reno sharing a link that slows down",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), env)
		},
	}
}

// runDemo runs the workbench's default link with a cubic flow, a reno
// flow joining at 5 s and the bandwidth halving at 10 s, prints each
// second's throughput and the Pantheon-style summary.
func runDemo(ctx context.Context, env *Env) error {
	w := env.Stdout
	exp := live.DefaultExperiment()
	exp.Name = "demo"
	exp.Duration = 20 * time.Second
	exp.Flows = []live.FlowSpec{{Scheme: "cubic"}, {Scheme: "reno", Start: 5 * time.Second}}
	exp.Timeline = []live.TimedChange{{At: 10 * time.Second, Command: "bw 12mbit"}}
	st := store.NewStore()
	sim, err := live.NewSim(exp, live.SimOptions{NewController: cc.New, Recorder: live.StoreRecorder(st)})
	if err != nil {
		return err
	}
	defer sim.Close()
	fmt.Fprintf(w, "ccscope demo: a %s link, %v one-way delay each way, %s %s uplink queue.\n",
		exp.Uplink.Capacity, exp.Uplink.Delay, exp.Uplink.Queue, exp.Uplink.QueueArgs)
	fmt.Fprintf(w, "cubic starts at 0s, reno joins at 5s, the link drops to 12mbit at 10s; %v of virtual time.\n\n", exp.Duration)
	start := time.Now()
	if err := sim.Run(ctx, nil); err != nil {
		return err
	}
	elapsed := time.Since(start)

	fmt.Fprintf(w, "%6s %10s %10s %10s %10s %10s\n", "t (s)", "capacity", "cubic", "reno", "queue", "cwnd")
	fmt.Fprintf(w, "%6s %10s %10s %10s %10s %10s\n", "", "Mbit/s", "Mbit/s", "Mbit/s", "ms", "cubic, KB")
	mean := func(key string, from, to time.Duration) float64 {
		s := st.Lookup(key)
		if s == nil {
			return 0
		}
		a := s.Window(from, to-1, 1)
		if len(a) == 0 {
			return 0
		}
		return a[0].Mean
	}
	for sec := time.Duration(0); sec < exp.Duration; sec += time.Second {
		fmt.Fprintf(w, "%6d %10.2f %10.2f %10.2f %10.1f %10.1f\n", sec/time.Second,
			mean("link/uplink/capacity", sec, sec+time.Second)/1e6,
			mean("flow/1/throughput", sec, sec+time.Second)/1e6,
			mean("flow/2/throughput", sec, sec+time.Second)/1e6,
			mean("link/uplink/sojourn", sec, sec+time.Second),
			mean("flow/1/cwnd", sec, sec+time.Second)/1e3)
	}
	fmt.Fprintln(w)
	if err := sim.Summary().WriteText(w); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nsimulated %v in %v. Try: ccscope run --help, ccscope link --help, ccscope analyze --help\n",
		exp.Duration, elapsed.Round(time.Millisecond))
	return nil
}
