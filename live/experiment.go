// experiment.go owns the description of one run: the Experiment, LinkSpec,
// FlowSpec and TimedChange types, the workbench's default experiment, the
// limits an experiment must respect, seed derivation, path resolution and
// Pantheon's multi-flow conveniences. Validation lives in
// experiment_validate.go, the TOML reader in experiment_toml.go and the
// writer in experiment_write.go; the schema is documented in
// examples/README.md.
package live

import (
	"fmt"
	"hash/fnv"
	"path/filepath"
	"strings"
	"time"
)

// Experiment describes one run: the link, the flows and the scripted
// timeline. It is plain data: ParseExperiment reads it from TOML,
// MarshalTOML writes it back, Validate checks it and Links builds the link
// configurations from it.
type Experiment struct {
	// Name is an optional title.
	Name string
	// Backend is "sim" (the default; virtual time, no root) or "netns"
	// (real packets through the emulated link in real time; Linux and
	// root). "" means sim.
	Backend string
	// Duration is how long the run lasts; required, above zero.
	Duration time.Duration
	// Seed seeds every random process of the run (default 1); see SeedFor.
	Seed uint64
	// SampleInterval is how often the samplers record flow and link state
	// (default 10ms; MinSampleInterval..MaxSampleInterval).
	SampleInterval time.Duration
	// Uplink is the data direction (sender → receiver), Downlink the ack
	// direction, as in mm-link.
	Uplink, Downlink LinkSpec
	// Flows are the flows to run; at least one.
	Flows []FlowSpec
	// Timeline holds scripted link changes, in any order (Links sorts them).
	Timeline []TimedChange
	// CCPAgent says where flows of scheme "ccp" or "ccp:ALG" find their
	// CCP agent: "" runs the built-in algorithm in process (deterministic);
	// "unix" or "unix:NAME" attaches an external agent listening on
	// /tmp/ccp/NAME (default portus), such as a portus agent started with
	// --ipc unix, and paces the run to the wall clock.
	CCPAgent string
	// CCPFallback is how long a CCP flow waits for an agent that stopped
	// answering before it falls back to native reno (default 1s).
	CCPFallback time.Duration
	// Command, with the netns backend, is a program run in the sender's
	// namespace (iperf3, a Pantheon scheme's sender) with the receiver's
	// address in CCSCOPE_BASE and MAHIMAHI_BASE; ReceiverCommand runs in
	// the receiver's namespace first (a server). The run lasts Duration or
	// until Command exits. Flows are then optional.
	Command, ReceiverCommand []string
	// BaseDir is the directory relative trace and log paths are relative
	// to: the TOML file's directory when parsed, "" for the current
	// directory. It is not written to TOML (it is where the file is).
	BaseDir string
}

// LinkSpec describes one direction of the emulated link in the syntax of
// ccscope's link flags (and mahimahi's where mahimahi has one).
type LinkSpec struct {
	// Capacity is a rate ("24mbit") or a mahimahi trace file; required.
	Capacity string
	// Once plays a trace once instead of looping (mm-link --once).
	Once bool
	// Queue and QueueArgs are mahimahi's --uplink-queue and
	// --uplink-queue-args ("droptail", "packets=80"); "" is infinite.
	Queue, QueueArgs string
	// Delay is the one-way propagation delay; Jitter adds uniform ±Jitter
	// to it; packets keep their order unless Reorder is set.
	Delay, Jitter time.Duration
	Reorder       bool
	// Loss is random loss: "1%", "0.01" or "gemodel 1% 30%"; "" is none.
	Loss string
	// OnOff is "onoff 5s 1s" (exponential, mm-onoff), "intermittent 5s 1s"
	// (fixed, mm-intermittent) or "" (always on).
	OnOff string
	// Log is the mahimahi log file to write for this direction, optional.
	Log string
}

// FlowSpec describes one flow.
type FlowSpec struct {
	// Scheme is the congestion control, e.g. "cubic", "reno",
	// "cubic:beta=0.8"; a SchemeChecker decides what is valid.
	Scheme string
	// Start is when the flow starts, from the beginning of the run.
	Start time.Duration
	// Size is the number of bytes to send; 0 sends until the end (bulk).
	Size int64
}

// TimedChange is one scripted link change.
type TimedChange struct {
	// At is when the change applies, from the beginning of the run.
	At time.Duration
	// Command is a link command in emu.ParseCommand's syntax, e.g.
	// "bw 6mbit", "uplink loss 1%", "queue codel packets=100 target=5ms
	// interval=100ms".
	Command string
}

// SchemeChecker reports whether a scheme spec such as "cubic" or
// "cubic:beta=0.8" names a scheme the caller can run. It is injected so
// that this file does not depend on the schemes; nil skips the check.
type SchemeChecker func(spec string) error

// Backends.
const (
	BackendSim   = "sim"
	BackendNetns = "netns"
)

// Defaults and limits of an experiment.
const (
	DefaultSeed           = 1
	DefaultSampleInterval = 10 * time.Millisecond
	MinSampleInterval     = time.Millisecond
	MaxSampleInterval     = time.Second
	// MaxDuration bounds a run (30 days), far beyond any real use.
	MaxDuration = 30 * 24 * time.Hour
	// MaxFlows and MaxEvents bound the flows and the scripted changes.
	MaxFlows  = 1000
	MaxEvents = 100_000
	// DefaultCCPFallback, MinCCPFallback and MaxCCPFallback bound
	// CCPFallback.
	DefaultCCPFallback = time.Second
	MinCCPFallback     = time.Millisecond
	MaxCCPFallback     = time.Minute
)

// The default experiment's link: 24 Mbit/s each way and 20 ms one-way delay
// each way, so the RTT is 40 ms and the bandwidth-delay product is
// 24e6 bit/s × 0.040 s = 960 000 bits = 120 000 bytes = 80 packets of
// 1500 bytes. The uplink (data) queue is a droptail queue of one BDP.
const (
	defaultRate       = "24mbit"
	defaultRateBits   = 24_000_000
	defaultOneWay     = 20 * time.Millisecond
	defaultBDPBytes   = defaultRateBits / 8 * int64(2*defaultOneWay) / int64(time.Second) // 120 000
	defaultBDPPackets = defaultBDPBytes / 1500                                            // 80
	defaultDuration   = 60 * time.Second
)

// DefaultExperiment is the workbench's default: the sim backend, a constant
// 24 Mbit/s link both ways with 20 ms one-way delay each way (40 ms RTT), a
// droptail queue of one bandwidth-delay product on the uplink (120 000
// bytes = packets=80 of 1500 B), one cubic flow, 60 s, seed 1.
func DefaultExperiment() Experiment {
	return Experiment{
		Name:           "cubic on a 24 Mbit/s link",
		Backend:        BackendSim,
		Duration:       defaultDuration,
		Seed:           DefaultSeed,
		SampleInterval: DefaultSampleInterval,
		Uplink: LinkSpec{
			Capacity:  defaultRate,
			Queue:     "droptail",
			QueueArgs: fmt.Sprintf("packets=%d", defaultBDPPackets),
			Delay:     defaultOneWay,
		},
		Downlink: LinkSpec{
			Capacity: defaultRate,
			Delay:    defaultOneWay,
		},
		Flows: []FlowSpec{{Scheme: "cubic"}},
	}
}

// Resolve gives the path to open for a trace or log path written in the
// experiment: p itself when absolute (or when BaseDir is empty), else p
// relative to BaseDir.
func (e Experiment) Resolve(p string) string {
	if p == "" || filepath.IsAbs(p) || e.BaseDir == "" {
		return p
	}
	return filepath.Join(e.BaseDir, p)
}

// downlinkSeedOffset separates the downlink's seed from the uplink's (the
// 64-bit golden ratio, as the CLI's link flags have always used, so a run
// described by flags or by an experiment draws the same numbers).
const downlinkSeedOffset = 0x9e3779b97f4a7c15

// LinkSeeds are the seeds of the two link directions: the uplink uses Seed
// itself and the downlink Seed+0x9e3779b97f4a7c15. Each link splits its
// seed into one stream per random process (loss, jitter, on/off, PIE).
func (e Experiment) LinkSeeds() (up, down uint64) {
	return e.Seed, e.Seed + downlinkSeedOffset
}

// SeedFor derives the seed of any other random process of the run from
// Seed, a purpose (e.g. "flow", "scheme") and an index (e.g. the flow's):
// a splitmix64 finaliser over Seed, an FNV-1a hash of the purpose and the
// index. Different purposes or indices give unrelated seeds; the same
// arguments always give the same seed.
func (e Experiment) SeedFor(purpose string, index int) uint64 {
	h := fnv.New64a()
	h.Write([]byte(purpose))
	x := e.Seed ^ h.Sum64()
	x = expMix64(x + uint64(index)*downlinkSeedOffset)
	return expMix64(x)
}

func expMix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// PantheonFlows gives n flows of scheme, flow i starting at i·interval, as
// Pantheon's "-f N --interval S" does (Pantheon's interval is whole
// seconds; here it is any duration). It gives nil for n < 1. Pantheon
// requires (n−1)·interval ≤ runtime: check it with ValidatePantheon (a
// flow starting after the end also fails Validate). Start times that
// would overflow saturate at the largest duration.
func PantheonFlows(scheme string, n int, interval time.Duration) []FlowSpec {
	if n < 1 {
		return nil
	}
	flows := make([]FlowSpec, n)
	for i := range flows {
		flows[i] = FlowSpec{Scheme: scheme, Start: expStartOf(i, 0, interval)}
	}
	return flows
}

// expStartOf is start + i·interval, saturating instead of overflowing.
func expStartOf(i int, start, interval time.Duration) time.Duration {
	const maxD = time.Duration(1<<63 - 1)
	if i <= 0 || interval <= 0 {
		return start
	}
	if interval > (maxD-start)/time.Duration(i) {
		return maxD
	}
	return start + time.Duration(i)*interval
}

// ValidatePantheon checks Pantheon's rule for n flows started interval
// apart in a run of the given duration: n ≥ 1, interval ≥ 0 and
// (n−1)·interval ≤ runtime, so that every flow starts before the run ends.
func ValidatePantheon(n int, interval, runtime time.Duration) error {
	switch {
	case n < 1:
		return fmt.Errorf("%d flows: want at least 1", n)
	case n > MaxFlows:
		return fmt.Errorf("%d flows: at most %d", n, MaxFlows)
	case interval < 0:
		return fmt.Errorf("interval %v: must not be negative", interval)
	}
	if last := expStartOf(n-1, 0, interval); last > runtime {
		return fmt.Errorf("%d flows %s apart: the last starts at %s, after the end of the run (duration %s); Pantheon requires (flows−1)·interval ≤ runtime, so shorten the interval, use fewer flows or lengthen the run",
			n, FormatDuration(interval), FormatDuration(last), FormatDuration(runtime))
	}
	return nil
}

// ParseCCPAgent reads an Experiment's CCPAgent: "" (in process) gives "",
// "unix" gives "portus", "unix:NAME" gives NAME, the name of the agent's
// socket in /tmp/ccp.
func ParseCCPAgent(s string) (socket string, err error) {
	kind, name, _ := strings.Cut(s, ":")
	switch {
	case s == "":
		return "", nil
	case kind != "unix":
		return "", fmt.Errorf("%q: want unix or unix:NAME (an agent listening on /tmp/ccp/NAME, like portus with --ipc unix); leave it out to run the built-in algorithms in process", s)
	case name == "":
		return "portus", nil
	case strings.ContainsAny(name, "/\x00") || name == "." || name == ".." || len(name) > 64:
		return "", fmt.Errorf("%q: the agent's name must be a plain socket name like portus", s)
	}
	return name, nil
}
