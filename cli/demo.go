package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ccscope/ccscope/capture"
	"github.com/ccscope/ccscope/emu"
	"github.com/spf13/cobra"
)

func newDemoCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "run a short headless demo of the link emulator",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), env)
		},
	}
}

// runDemo overloads a 24 Mbit/s droptail link with 30 Mbit/s of CBR for
// 10 s of virtual time, halves the link at 5 s, and analyses the log the
// way mm-throughput-graph would.
func runDemo(ctx context.Context, env *Env) error {
	w := env.Stdout
	q, err := emu.ParseQueue("droptail", "packets=100")
	if err != nil {
		return err
	}
	cfg := emu.Config{Capacity: emu.RateCapacity(24e6), Queue: q, Delay: 20 * time.Millisecond, Seed: 1}
	link, err := emu.NewLink(cfg, nil)
	if err != nil {
		return err
	}
	change, err := emu.ParseTimedCommand("5s bw 12mbit", nil)
	if err != nil {
		return err
	}
	if err := link.Schedule(change.Change); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "ccscope-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	logPath := filepath.Join(dir, "uplink.log")
	ol, err := createLog(logPath, capture.LogHeader{Link: "Uplink", TracePath: cfg.Capacity.String(),
		LogPath: logPath, CommandLine: []string{"ccscope", "demo"}, Queue: q.String()})
	if err != nil {
		return err
	}
	defer ol.abort()
	link.SetTap(ol.w)
	const end = 10 * time.Second
	fmt.Fprintf(w, "ccscope demo: 30 Mbit/s of constant-bit-rate traffic into a %s link (%s, %v one-way delay)\n", cfg.Capacity, q, cfg.Delay)
	fmt.Fprintf(w, "for %v of virtual time; at 5s the link drops to 12mbit.\n\n", end)
	start := time.Now()
	if err := emu.RunLinks(ctx, []emu.Drive{{Link: link, Source: &emu.CBR{Rate: 30e6, Size: 1500}}}, end); err != nil {
		return err
	}
	elapsed := time.Since(start)
	if err := ol.commit(); err != nil {
		return err
	}
	f, err := os.Open(logPath)
	if err != nil {
		return err
	}
	defer f.Close()
	a, err := capture.Analyze(f, logPath, capture.AnalyzeOptions{MsPerBin: 1000})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "ccscope analyze (mm-throughput-graph's numbers):")
	fmt.Fprint(w, a.MahimahiSummary())
	fmt.Fprintln(w, "\nper second (Mbit/s):")
	if err := writeBins(w, a); err != nil {
		return err
	}
	s := link.Stats()
	fmt.Fprintf(w, "\n%d packets in, %d out, %d dropped by the queue; simulated in %v.\n",
		s.Arrivals, s.Departures, s.DropsByReason[emu.DropQueue], elapsed.Round(time.Millisecond))
	fmt.Fprintln(w, "Try: ccscope link --help, ccscope trace --help, ccscope analyze --help")
	return nil
}
