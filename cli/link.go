package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ccscope/ccscope/capture"
	"github.com/ccscope/ccscope/emu"
	"github.com/ccscope/ccscope/live"
	"github.com/spf13/cobra"
)

func newLinkCmd(env *Env) *cobra.Command {
	var (
		duration, cbr, downCBR string
		cbrSize                int
		upLog, downLog         string
		initTS                 int64
	)
	var lf *linkFlags
	cmd := &cobra.Command{
		Use:   "link [UPLINK DOWNLINK] [flags]",
		Short: "run the emulated link in virtual time, idle or with constant-bit-rate traffic, and write mahimahi logs",
		Long: `Run the link model headless in virtual time, with no traffic or with a constant-bit-rate
source, and write mm-link logs (--uplink-log/--downlink-log) that "ccscope analyze" and
mahimahi's own scripts read. Capacities are rates (24mbit) or mahimahi trace files.

Traces loop unless --once is given; a run lasts --duration, or with --once until the
longest trace has played once. Timed changes (--at) apply at their instant.`,
		Example: `  ccscope link --uplink Verizon-LTE-short.up --downlink Verizon-LTE-short.down --once --uplink-log up.log
  ccscope link --uplink 12mbit --downlink 12mbit --cbr 12mbit --duration 10s --at "5s bw 6mbit" --uplink-log up.log
  ccscope link 12mbit 12mbit --uplink-queue droptail --uplink-queue-args packets=100 --cbr 20mbit --duration 30s`,
		RunE: func(cmd *cobra.Command, args []string) error {
			exp := live.Experiment{Seed: live.DefaultSeed}
			if err := lf.apply(&exp, args); err != nil {
				return err
			}
			upCfg, downCfg, timeline, err := linkConfigs(exp)
			if err != nil {
				return err
			}
			end, err := durationFlag(duration)
			if err != nil {
				return err
			}
			if lf.once {
				if onceEnd, ok := emu.OnceEnd(upCfg, downCfg); ok && (end == 0 || onceEnd < end) {
					end = onceEnd
				}
			}
			if end == 0 {
				return usagef("give --duration (e.g. --duration 30s), or --once to play traces once")
			}
			var sources [2]*emu.CBR
			for i, r := range []string{cbr, downCBR} {
				if r == "" {
					continue
				}
				rate, err := emu.ParseRate(r)
				if err != nil {
					return usagef("--cbr: %w", err)
				}
				sources[i] = &emu.CBR{Rate: rate, Size: cbrSize}
				if err := sources[i].Validate(); err != nil {
					return usageError{err}
				}
			}
			up, err := emu.NewLink(upCfg, nil)
			if err != nil {
				return fmt.Errorf("uplink: %w", err)
			}
			down, err := emu.NewLink(downCfg, nil)
			if err != nil {
				return fmt.Errorf("downlink: %w", err)
			}
			if err := schedule(up, down, timeline); err != nil {
				return err
			}
			var logs []*openLog
			for _, l := range []struct {
				path, name string
				link       *emu.Link
				cfg        emu.Config
			}{{upLog, "Uplink", up, upCfg}, {downLog, "Downlink", down, downCfg}} {
				if l.path == "" {
					continue
				}
				ol, err := createLog(l.path, capture.LogHeader{
					Link: l.name, TracePath: l.cfg.Capacity.String(), LogPath: l.path,
					CommandLine: env.Args, Queue: l.cfg.Queue.String(), InitTimestamp: initTS,
				})
				if err != nil {
					return err
				}
				defer ol.abort()
				l.link.SetTap(ol.w)
				logs = append(logs, ol)
			}
			if err := emu.RunLinks(cmd.Context(), []emu.Drive{{Link: up, Source: sources[0]}, {Link: down, Source: sources[1]}}, end); err != nil {
				return err
			}
			for _, ol := range logs {
				if err := ol.commit(); err != nil {
					return err
				}
			}
			printLinkSummary(env.Stdout, end, []string{"uplink", "downlink"}, []*emu.Link{up, down})
			return nil
		},
	}
	lf = addLinkFlags(cmd.Flags())
	fs := cmd.Flags()
	fs.StringVar(&duration, "duration", "", "virtual time to run (e.g. 30s); with --once, at most this long")
	fs.StringVar(&cbr, "cbr", "", "send constant-bit-rate traffic on the uplink (IP bits per second, e.g. 12mbit)")
	fs.StringVar(&downCBR, "downlink-cbr", "", "send constant-bit-rate traffic on the downlink")
	fs.IntVar(&cbrSize, "cbr-size", 1500, "IP size of CBR packets in bytes (the link charges 4 more, as mahimahi does)")
	fs.StringVar(&upLog, "uplink-log", "", "write the uplink's mahimahi log to FILE")
	fs.StringVar(&downLog, "downlink-log", "", "write the downlink's mahimahi log to FILE")
	fs.Int64Var(&initTS, "init-timestamp", 0, `the log's "# init timestamp" (ms since the epoch); 0 keeps virtual-time logs byte-identical across runs`)
	return cmd
}

// openLog is a mahimahi log being written to a temp file beside its final
// path; commit flushes, syncs and renames it into place.
type openLog struct {
	path string
	f    *os.File
	buf  *bufio.Writer
	w    *capture.LogWriter
	done bool
}

func createLog(path string, h capture.LogHeader) (*openLog, error) {
	f, err := os.CreateTemp(dirOf(path), ".ccscope-log-*")
	if err != nil {
		return nil, fmt.Errorf("log %s: %w", path, err)
	}
	ol := &openLog{path: path, f: f, buf: bufio.NewWriterSize(f, 1<<20)}
	ol.w = capture.NewLogWriter(ol.buf, h)
	return ol, nil
}

func (ol *openLog) commit() error {
	err := ol.w.Flush()
	if err == nil {
		err = ol.buf.Flush()
	}
	if err == nil {
		err = ol.f.Sync()
	}
	if cerr := ol.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(ol.f.Name(), ol.path)
	}
	ol.done = true
	if err != nil {
		os.Remove(ol.f.Name())
		return fmt.Errorf("log %s: %w", ol.path, err)
	}
	return nil
}

// abort removes an uncommitted log's temp file.
func (ol *openLog) abort() {
	if !ol.done {
		ol.f.Close()
		os.Remove(ol.f.Name())
	}
}

func printLinkSummary(w io.Writer, end time.Duration, names []string, links []*emu.Link) {
	secs := end.Seconds()
	fmt.Fprintf(w, "ran %v of virtual time\n", end)
	for i, l := range links {
		s := l.Stats()
		cfg := l.Config()
		capMbps := float64(s.Opportunities) * emu.OpportunityBytes * 8 / secs / 1e6
		fmt.Fprintf(w, "%-8s %s, queue %s", names[i], cfg.Capacity, cfg.Queue)
		if cfg.Delay > 0 {
			fmt.Fprintf(w, ", delay %v", cfg.Delay)
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "  capacity    %.2f Mbit/s (%d opportunities)\n", capMbps, s.Opportunities)
		fmt.Fprintf(w, "  arrivals    %d packets, %.2f Mbit/s\n", s.Arrivals, float64(s.ArrivalBytes)*8/secs/1e6)
		fmt.Fprintf(w, "  departures  %d packets, %.2f Mbit/s\n", s.Departures, float64(s.DepartureBytes)*8/secs/1e6)
		if s.Drops > 0 {
			fmt.Fprintf(w, "  drops       %d packets (queue %d, loss %d, off %d, too big %d)\n", s.Drops,
				s.DropsByReason[emu.DropQueue], s.DropsByReason[emu.DropLoss], s.DropsByReason[emu.DropOff], s.DropsByReason[emu.DropTooBig])
		}
		if l.QueueLen() > 0 {
			fmt.Fprintf(w, "  queued      %d packets, %d bytes at the end\n", l.QueueLen(), l.QueueBytes())
		}
	}
}
