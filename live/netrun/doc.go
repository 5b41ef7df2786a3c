// Package netrun owns the netns backend's engine: an experiment run with
// real packets in real time. It builds the two namespaces and their TUN
// devices (emu/netns), drives the experiment's links with the forwarder,
// runs the flows — kernel TCP (kernel:CC, live/tcpflow), the userspace
// transport over UDP (native schemes, manual, CCP; live/netflow) and any
// command in the sender's namespace — taps every packet at each link's
// ingress and egress for the summary, the series, mahimahi logs and pcap
// files (capture), and implements live.Engine so the runner, the
// workbench and sessions drive it like the sim.
//
// Flows of the experiment are told apart by port: kernel flow ID talks to
// port 15000+ID on the receiver, a userspace flow to UDP port 16000+ID.
// Every other packet (a command's) is a flow of its own by 5-tuple,
// numbered after the experiment's flows as it appears.
package netrun
