package netrun

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live/cc"
)

// BenchmarkKernelCubic runs kernel cubic through a constant-rate link
// with 10 ms one-way delay and a 1-BDP droptail queue at several rates,
// 15 s each (one run per iteration; use -benchtime 1x), and reports the
// utilization, the forwarder's delivery-time error against the link
// schedule, and CPU use: the forwarder's scheduler thread and the whole
// process (readers, TCP stacks' work done in our syscalls, sampling), as
// % of one core.
//
//	go test -run '^$' -bench KernelCubic -benchtime 1x ./live/netrun
func BenchmarkKernelCubic(b *testing.B) {
	needRoot(b)
	for _, mbit := range []int{100, 300, 600, 1000, 1500} {
		b.Run(fmt.Sprintf("%dmbit", mbit), func(b *testing.B) {
			for range b.N {
				exp := experiment(15*time.Second, fmt.Sprintf("%dmbit", mbit), "kernel:cubic")
				exp.Uplink.QueueArgs = fmt.Sprintf("bytes=%d", mbit*1_000_000/8*20/1000)
				var ru0, ru1 syscall.Rusage
				syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
				e, err := New(exp, Options{NewController: cc.New})
				if err != nil {
					b.Fatal(err)
				}
				if err := e.Run(context.Background(), nil); err != nil {
					b.Fatal(err)
				}
				syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
				sum, st := e.Summary(), e.ForwardStats()
				e.Close()
				wall := exp.Duration.Seconds()
				cpu := time.Duration(syscall.TimevalToNsec(ru1.Utime) - syscall.TimevalToNsec(ru0.Utime) +
					syscall.TimevalToNsec(ru1.Stime) - syscall.TimevalToNsec(ru0.Stime))
				b.ReportMetric(sum.Utilization, "util-%")
				b.ReportMetric(float64(st.ErrorP50.Microseconds()), "err-p50-µs")
				b.ReportMetric(float64(st.ErrorP99.Microseconds()), "err-p99-µs")
				b.ReportMetric(100*st.SchedulerCPU.Seconds()/wall, "sched-cpu-%")
				b.ReportMetric(100*cpu.Seconds()/wall, "proc-cpu-%")
			}
		})
	}
}
