package netns

// This file owns what the forwarder shares on every system: its
// configuration, the packet buffers and the delivery-error histogram.

import (
	"time"

	"github.com/ccscope/ccscope/emu"
)

// Device is one end of the forwarder: a TUN device, or a test double.
// Read returns one packet; Close makes a blocked Read return an error.
type Device interface {
	Read(p []byte) (int, error)
	Write(p []byte) (int, error)
	Close() error
}

// ForwarderConfig is what a forwarder drives.
type ForwarderConfig struct {
	// Up carries packets read from SenderDev to ReceiverDev (data), Down
	// the other way (ACKs). The forwarder owns both links while it runs:
	// touch them only inside Do.
	Up, Down *emu.Link
	// SenderDev and ReceiverDev are the two namespaces' devices. The
	// forwarder closes them when it stops.
	SenderDev, ReceiverDev Device
	// Clock is experiment time: monotonic nanoseconds since the run
	// started. Required.
	Clock func() time.Duration
	// Classify returns the flow id of a packet (emu.Packet.Flow) read
	// from the sender's side (up) or the receiver's; nil gives 0. It runs
	// with the links locked.
	Classify func(up bool, pkt []byte) int
	// OnExit, if set, sees every packet as it is written out, at time t,
	// with the links locked (a capture tap, the summary). PacketBytes
	// gives its bytes; they are only valid during the call.
	OnExit func(up bool, p *emu.Packet, t time.Duration)
	// TimerSlack is the scheduler thread's timer slack (default 1 µs):
	// how late the kernel may wake it.
	TimerSlack time.Duration
}

// MaxPacket is the largest packet the forwarder reads; larger ones are cut
// and the link drops them as oversized (the TUN MTU is 1500).
const MaxPacket = 2048

// buf holds one packet's bytes: emu.Packet.Payload is a *buf, so moving a
// packet through the link allocates nothing.
type buf struct {
	n int
	b [MaxPacket]byte
}

// PacketBytes returns the bytes of a packet the forwarder handles (nil for
// any other payload).
func PacketBytes(p *emu.Packet) []byte {
	if b, ok := p.Payload.(*buf); ok {
		return b.b[:b.n]
	}
	return nil
}

// ForwardStats are a forwarder's counters.
type ForwardStats struct {
	// Read and Written count packets per direction (0 up, 1 down).
	Read, Written [2]int64
	// WriteErrors counts packets a device refused.
	WriteErrors int64
	// Delivered is how many packets the delivery error covers; ErrorP50,
	// ErrorP99 and ErrorMax are how late packets were written against
	// their exit time in the link's schedule.
	Delivered                    int64
	ErrorP50, ErrorP99, ErrorMax time.Duration
	// SchedulerCPU is the CPU time the scheduler thread used.
	SchedulerCPU time.Duration
	// RealTime reports whether the scheduler thread got real-time
	// priority (SCHED_FIFO; needs root or CAP_SYS_NICE).
	RealTime bool
}

// errHist is a histogram of delivery errors: 1-µs buckets up to 10 ms,
// then one overflow bucket.
type errHist struct {
	n       int64
	max     time.Duration
	buckets [10001]int64
}

func (h *errHist) add(d time.Duration) {
	d = max(d, 0)
	h.n++
	h.max = max(h.max, d)
	h.buckets[min(int(d/time.Microsecond), len(h.buckets)-1)]++
}

// quantile is the upper edge of the bucket holding quantile q (the
// overflow bucket reports the maximum).
func (h *errHist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := int64(q*float64(h.n-1)) + 1
	var c int64
	for i, v := range h.buckets {
		c += v
		if c >= rank {
			if i == len(h.buckets)-1 {
				return h.max
			}
			return min(time.Duration(i+1)*time.Microsecond, h.max)
		}
	}
	return h.max
}
