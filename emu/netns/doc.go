// Package netns owns the plumbing of the netns backend: two unnamed network
// namespaces (sender and receiver), one TUN device in each, their addresses,
// and the processes started inside them.
//
// The picture is
//
//	sender ns                       ccscope (host ns)                  receiver ns
//	100.64.0.2/10 on ccs-snd ──TUN──► forwarder (emu.Link) ──TUN──► ccs-rcv 100.64.0.1/10
//
// Every packet a program in the sender namespace sends to an address in
// 100.64.0.0/10 comes out of [Pair.SenderTUN] as a raw IPv4 packet; whatever
// is written to [Pair.ReceiverTUN] is delivered in the receiver namespace,
// and the same holds the other way round. Moving packets between the two TUN
// devices (through the emulated link) is the forwarder's job, not this
// package's.
//
// Nothing outlives the process: namespaces are created with
// unshare(CLONE_NEWNET) and held only by open file descriptors (no bind
// mounts, nothing in /var/run/netns), TUN devices vanish with their
// namespaces, and commands started with [Namespace.Start] run as PID 1 of a
// fresh PID namespace with a parent-death signal, so they and all their
// descendants die with ccscope even when ccscope is killed with SIGKILL.
//
// Everything here needs Linux and root; [Check] says precisely what is
// missing. On other systems the package builds but every constructor returns
// an error.
package netns
