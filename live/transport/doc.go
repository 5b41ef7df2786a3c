// Package transport owns ccscope's userspace reliable transport: a sender
// and a receiver of a byte stream over packets, with SACK, RACK and
// duplicate-threshold loss detection, fast retransmit and recovery, RTO per
// RFC 6298 with backoff, cwnd enforced in bytes, pacing, and delivery-rate
// estimation per draft-cheng-iccrg-delivery-rate-estimation.
//
// Both ends are pure state machines over time, like emu.Link: they never
// read a clock or touch a network. The sim backend drives them in virtual
// time over emu links; the netns backend drives them in real time over UDP.
// Per ACK the sender computes the CCP datapath primitives
// (../shared/docs/ccp-protocol.md §6) and hands them to a Controller, which
// sets the congestion window and pacing rate.
package transport
