package tcpflow

import (
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

func TestConvertInfo(t *testing.T) {
	ti := &unix.TCPInfo{
		State: 1, Ca_state: 3, Snd_mss: 1448, Snd_cwnd: 10, Snd_ssthresh: 0x7fffffff,
		Rtt: 20500, Rttvar: 1000, Min_rtt: ^uint32(0),
		Pacing_rate: ^uint64(0), Delivery_rate: 1_250_000,
		Bytes_acked: 1 + 5000, Bytes_sent: 7000, Bytes_retrans: 1448, Total_retrans: 3,
		Unacked: 6, Sacked: 2, Lost: 1, Retrans: 1,
	}
	(*[unsafe.Sizeof(unix.TCPInfo{})]byte)(unsafe.Pointer(ti))[appLimitedOffset] = 1 | 2<<1 // app_limited + fastopen bits
	got := convertInfo(ti, 42*time.Millisecond)
	want := Info{
		At: 42 * time.Millisecond, State: 1, CAState: 3,
		MSS: 1448, Cwnd: 14480, CwndPackets: 10, Ssthresh: 0,
		SRTT: 20500 * time.Microsecond, RTTVar: time.Millisecond, MinRTT: 0,
		PacingRate: 0, DeliveryRate: 10e6,
		BytesAcked: 5000, BytesSent: 7000, BytesRetrans: 1448, TotalRetrans: 3,
		Lost: 1, Retransmits: 1, InFlight: 4 * 1448, AppLimited: true,
	}
	if got != want {
		t.Errorf("convertInfo =\n %+v\nwant\n %+v", got, want)
	}

	ti.Snd_ssthresh, ti.Min_rtt, ti.Pacing_rate = 7, 900, 1000
	(*[unsafe.Sizeof(unix.TCPInfo{})]byte)(unsafe.Pointer(ti))[appLimitedOffset] = 2 << 1
	got = convertInfo(ti, 0)
	if got.Ssthresh != 7*1448 || got.MinRTT != 900*time.Microsecond || got.PacingRate != 8000 || got.AppLimited {
		t.Errorf("finite ssthresh/min_rtt/pacing, not app-limited: %+v", got)
	}
}
