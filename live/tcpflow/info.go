package tcpflow

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Info is one TCP_INFO sample of a Client's socket, converted to ccscope's
// units: durations, bytes and bit/s.
type Info struct {
	// At is when the sample was taken, as monotonic time since Dial started.
	At time.Duration

	State   uint8 // tcpi_state (1 = ESTABLISHED, 7 = CLOSE, ...)
	CAState uint8 // tcpi_ca_state (0 Open, 1 Disorder, 2 CWR, 3 Recovery, 4 Loss)

	MSS         int // tcpi_snd_mss, bytes
	Cwnd        int // congestion window in bytes: snd_cwnd * snd_mss
	CwndPackets int // tcpi_snd_cwnd, segments
	Ssthresh    int // slow-start threshold in bytes; 0 while infinite (0x7fffffff)

	SRTT   time.Duration // smoothed RTT (tcpi_rtt)
	RTTVar time.Duration // tcpi_rttvar
	MinRTT time.Duration // tcpi_min_rtt; 0 before the first RTT sample

	PacingRate   float64 // bit/s; 0 when the kernel reports no pacing limit (~0)
	DeliveryRate float64 // bit/s, the kernel's most recent delivery-rate sample

	BytesAcked   int64 // payload bytes cumulatively acked (tcpi_bytes_acked less the SYN)
	BytesSent    int64 // tcpi_bytes_sent: payload bytes sent, retransmissions included
	BytesRetrans int64 // tcpi_bytes_retrans
	TotalRetrans int64 // tcpi_total_retrans: segments retransmitted over the connection's life
	Lost         int   // tcpi_lost: segments currently marked lost
	Retransmits  int   // tcpi_retrans: retransmitted segments currently unacked (retrans_out)
	InFlight     int   // bytes in flight: (unacked - sacked - lost + retrans) * mss

	// AppLimited is tcpi_delivery_rate_app_limited: the last delivery-rate
	// sample was limited by the sender having nothing to send.
	AppLimited bool
}

const (
	infiniteSsthresh = 0x7fffffff
	noMinRTT         = ^uint32(0)
	noPacingLimit    = ^uint64(0)
)

// appLimitedOffset is the byte of struct tcp_info holding the bitfield
// tcpi_delivery_rate_app_limited:1 (right after tcpi_snd_wscale/rcv_wscale).
// x/sys/unix.TCPInfo leaves those two bytes as padding before Rto, and
// getsockopt fills them in place.
const appLimitedOffset = 7

// The padding trick above only holds while Rto sits at offset 8.
var _ = [1]struct{}{}[unsafe.Offsetof(unix.TCPInfo{}.Rto)-8]

func usec(v uint32) time.Duration { return time.Duration(v) * time.Microsecond }

// convertInfo maps a raw TCP_INFO (as filled by getsockopt, padding intact)
// to Info.
func convertInfo(ti *unix.TCPInfo, at time.Duration) Info {
	mss := int(ti.Snd_mss)
	in := Info{
		At:           at,
		State:        ti.State,
		CAState:      ti.Ca_state,
		MSS:          mss,
		Cwnd:         int(ti.Snd_cwnd) * mss,
		CwndPackets:  int(ti.Snd_cwnd),
		SRTT:         usec(ti.Rtt),
		RTTVar:       usec(ti.Rttvar),
		DeliveryRate: float64(ti.Delivery_rate) * 8,
		BytesAcked:   int64(ti.Bytes_acked),
		BytesSent:    int64(ti.Bytes_sent),
		BytesRetrans: int64(ti.Bytes_retrans),
		TotalRetrans: int64(ti.Total_retrans),
		Lost:         int(ti.Lost),
		Retransmits:  int(ti.Retrans),
		InFlight:     (int(ti.Unacked) - int(ti.Sacked) - int(ti.Lost) + int(ti.Retrans)) * mss,
	}
	// The kernel counts every sequence number acked, so an established
	// active opener's tcpi_bytes_acked includes its SYN. (Clients never send
	// a FIN while they can still be sampled.)
	if in.BytesAcked > 0 {
		in.BytesAcked--
	}
	if ti.Snd_ssthresh < infiniteSsthresh {
		in.Ssthresh = int(ti.Snd_ssthresh) * mss
	}
	if ti.Min_rtt != noMinRTT {
		in.MinRTT = usec(ti.Min_rtt)
	}
	if ti.Pacing_rate != noPacingLimit {
		in.PacingRate = float64(ti.Pacing_rate) * 8
	}
	raw := (*[unsafe.Sizeof(unix.TCPInfo{})]byte)(unsafe.Pointer(ti))
	in.AppLimited = raw[appLimitedOffset]&1 != 0
	return in
}
