package cli

import (
	"fmt"
	"strings"

	"github.com/ccscope/ccscope/live"
	"github.com/ccscope/ccscope/live/cc"
	"github.com/ccscope/ccscope/live/netrun"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// backendFlags choose the backend and what only the netns backend does:
// a command run inside the link, and packet captures.
type backendFlags struct {
	backend, receiverCommand string
	pcap, receiverPcap       string
}

func addBackendFlags(fs *pflag.FlagSet) *backendFlags {
	f := &backendFlags{}
	fs.StringVar(&f.backend, "backend", "", `sim (virtual time, no root; the default) or netns (real packets through the emulated link in real time; Linux and root)`)
	fs.StringVar(&f.receiverCommand, "receiver-command", "", `netns: a program run first in the receiver's namespace, e.g. "iperf3 -s -1" (split at spaces)`)
	fs.StringVar(&f.pcap, "pcap", "", "netns: write the sender side's packets (uplink ingress, downlink egress) to a pcap file that Wireshark and tshark open")
	fs.StringVar(&f.receiverPcap, "receiver-pcap", "", "netns: write the receiver side's packets (uplink egress, downlink ingress) to a pcap file")
	return f
}

// apply sets the backend and the commands: args (what came after "--")
// are the sender's command (the netns backend is then implied, and the
// experiment's flows are dropped unless --scheme gave some).
func (f *backendFlags) apply(cmd *cobra.Command, exp *live.Experiment, args []string) error {
	fs := cmd.Flags()
	if fs.Changed("backend") {
		switch f.backend {
		case live.BackendSim, live.BackendNetns:
			exp.Backend = f.backend
		default:
			return usagef("--backend %q: want sim or netns", f.backend)
		}
	}
	if cmd.ArgsLenAtDash() >= 0 && len(args) == 0 {
		return usagef("nothing after --: give the command to run in the sender's namespace, e.g. -- sh -c 'iperf3 -c $CCSCOPE_BASE'")
	}
	if len(args) > 0 {
		if fs.Changed("backend") && f.backend != live.BackendNetns {
			return usagef("a command runs only in the netns backend (--backend netns)")
		}
		exp.Backend = live.BackendNetns
		exp.Command = append([]string(nil), args...)
		if !fs.Changed("scheme") {
			exp.Flows = nil
		}
	}
	if f.receiverCommand != "" {
		exp.ReceiverCommand = strings.Fields(f.receiverCommand)
	}
	if (f.pcap != "" || f.receiverPcap != "") && exp.Backend != live.BackendNetns {
		return usagef("--pcap and --receiver-pcap capture real packets: they need --backend netns")
	}
	return nil
}

// schemeCheckFor checks an experiment's schemes for its backend: the
// sim's, and kernel:CC in the netns backend.
func schemeCheckFor(exp live.Experiment) live.SchemeChecker {
	base := live.SchemeCheck(cc.Validate, exp.CCPAgent != "")
	return func(spec string) error {
		if kcc, ok := netrun.KernelCC(spec); ok {
			if exp.Backend != live.BackendNetns {
				return fmt.Errorf("%s is kernel TCP: it runs only in the netns backend (--backend netns)", spec)
			}
			return netrun.CheckKernelCC(kcc)
		}
		return base(spec)
	}
}

// newEngine builds the engine of exp's backend.
func newEngine(env *Env, exp live.Experiment, opt live.SimOptions, bf *backendFlags, commandOutput bool) (live.Engine, error) {
	if exp.Backend != live.BackendNetns {
		return live.NewSim(exp, opt)
	}
	no := netrun.Options{NewController: opt.NewController, Recorder: opt.Recorder,
		UplinkTap: opt.UplinkTap, DownlinkTap: opt.DownlinkTap, CCPDir: opt.CCPDir}
	if bf != nil {
		no.Pcap, no.ReceiverPcap = bf.pcap, bf.receiverPcap
	}
	if commandOutput {
		no.Stdout, no.Stderr = env.Stdout, env.Stderr
	}
	return netrun.New(exp, no)
}
