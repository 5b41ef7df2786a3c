package capture

// This file owns writing mahimahi mm-link logs: the header and one line per
// link event, as an emu.Tap.

import (
	"bufio"
	"io"
	"strconv"
	"time"

	"github.com/ccscope/ccscope/emu"
)

// LogHeader describes the link whose events a LogWriter records. Its fields
// fill mahimahi's log header (link_queue.cc).
type LogHeader struct {
	// Link is "Uplink" or "Downlink".
	Link string
	// TracePath is the trace file, or a description such as "12mbit".
	TracePath string
	// LogPath is where the log is written.
	LogPath string
	// CommandLine is the argv of the run; each element is shell-quoted.
	CommandLine []string
	// Queue is the queue description, emu's QueueSpec.String(), for example
	// "droptail [packets=100]".
	Queue string
	// InitTimestamp is the ms since the Unix epoch when the process started.
	InitTimestamp int64
	// BaseTimestamp is the ms since init when the link started; experiment
	// time 0 is logged as BaseTimestamp.
	BaseTimestamp int64
	// Config is written as a "# mahimahi config:" line when not empty.
	Config string
	// FlowIDs appends the packet's flow id to "+" and "-" lines, the way
	// Pantheon's merged datalink logs carry it.
	FlowIDs bool
}

// logWriterBufSize is the size of the LogWriter's output buffer.
const logWriterBufSize = 256 << 10

// LogWriter writes a link's events as a mahimahi log. It implements emu.Tap.
// Writes are buffered: call Flush when the run ends. The first write error is
// kept (Err) and stops further writing.
type LogWriter struct {
	w       *bufio.Writer
	base    int64
	flowIDs bool
	line    []byte
	err     error
}

var _ emu.Tap = (*LogWriter)(nil)

// NewLogWriter writes h as a mahimahi log header to w and returns the writer
// for the events that follow.
func NewLogWriter(w io.Writer, h LogHeader) *LogWriter {
	l := &LogWriter{
		w:       bufio.NewWriterSize(w, logWriterBufSize),
		base:    h.BaseTimestamp,
		flowIDs: h.FlowIDs,
		line:    make([]byte, 0, 128),
	}
	l.write(appendLogHeader(nil, h))
	return l
}

// appendLogHeader appends the header lines mahimahi's LinkQueue writes.
func appendLogHeader(b []byte, h LogHeader) []byte {
	b = append(b, "# mahimahi mm-link ("...)
	b = append(b, h.Link...)
	b = append(b, ") ["...)
	b = append(b, h.TracePath...)
	b = append(b, "] > "...)
	b = append(b, h.LogPath...)
	b = append(b, "\n# command line: "...)
	for i, arg := range h.CommandLine {
		if i > 0 {
			b = append(b, ' ')
		}
		b = appendShellQuote(b, arg)
	}
	b = append(b, "\n# queue: "...)
	b = append(b, h.Queue...)
	b = append(b, "\n# init timestamp: "...)
	b = strconv.AppendInt(b, h.InitTimestamp, 10)
	b = append(b, "\n# base timestamp: "...)
	b = strconv.AppendInt(b, h.BaseTimestamp, 10)
	b = append(b, '\n')
	if h.Config != "" {
		b = append(b, "# mahimahi config: "...)
		b = append(b, h.Config...)
		b = append(b, '\n')
	}
	return b
}

// appendShellQuote appends arg in single quotes, each ' written as '\” —
// the quoting mahimahi's shell_quote uses for the command-line header.
func appendShellQuote(b []byte, arg string) []byte {
	b = append(b, '\'')
	for i := 0; i < len(arg); i++ {
		if arg[i] == '\'' {
			b = append(b, `'\''`...)
		} else {
			b = append(b, arg[i])
		}
	}
	return append(b, '\'')
}

// floorMs is the whole milliseconds in t, rounded toward minus infinity.
func floorMs(t time.Duration) int64 {
	ns := int64(t)
	ms := ns / int64(time.Millisecond)
	if ns%int64(time.Millisecond) < 0 {
		ms--
	}
	return ms
}

// stamp starts a line with the log timestamp of t: ms since init.
func (l *LogWriter) stamp(t time.Duration) []byte {
	return strconv.AppendInt(l.line[:0], l.base+floorMs(t), 10)
}

// Opportunity logs "<t> # 1504".
func (l *LogWriter) Opportunity(t time.Duration) {
	b := l.stamp(t)
	b = append(b, " # "...)
	b = strconv.AppendInt(b, emu.OpportunityBytes, 10)
	l.finish(b)
}

// Arrival logs "<t> + <size>" (and " <flow>" with FlowIDs).
func (l *LogWriter) Arrival(t time.Duration, p *emu.Packet) {
	b := l.stamp(t)
	b = append(b, " + "...)
	b = strconv.AppendInt(b, int64(p.Size), 10)
	if l.flowIDs {
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(p.Flow), 10)
	}
	l.finish(b)
}

// Departure logs "<t> - <size> <delay>" (and " <flow>" with FlowIDs). The
// delay is the difference of the logged departure and arrival milliseconds,
// so that every line agrees with the "+" line of the same packet.
func (l *LogWriter) Departure(t time.Duration, p *emu.Packet) {
	b := l.stamp(t)
	b = append(b, " - "...)
	b = strconv.AppendInt(b, int64(p.Size), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, floorMs(t)-floorMs(p.Arrival), 10)
	if l.flowIDs {
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(p.Flow), 10)
	}
	l.finish(b)
}

// Drop logs "<t> d <npkts> <nbytes>" for the packets of one drop decision.
//
// mahimahi logs only drops that happen when a packet is enqueued (a full
// droptail queue, drophead evictions, PIE); CoDel's dequeue drops, mm-loss and
// mm-onoff drops never appear in its logs. This writer logs every drop the
// link reports, whatever its reason, so a ccscope log can hold more d lines
// than mahimahi's would for the same run.
func (l *LogWriter) Drop(t time.Duration, _ emu.DropReason, pkts []emu.Packet) {
	if len(pkts) == 0 {
		return
	}
	var bytes int64
	for i := range pkts {
		bytes += int64(pkts[i].Size)
	}
	b := l.stamp(t)
	b = append(b, " d "...)
	b = strconv.AppendInt(b, int64(len(pkts)), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, bytes, 10)
	l.finish(b)
}

// finish ends the line in b and writes it.
func (l *LogWriter) finish(b []byte) {
	b = append(b, '\n')
	l.line = b[:0]
	l.write(b)
}

func (l *LogWriter) write(b []byte) {
	if l.err != nil {
		return
	}
	if _, err := l.w.Write(b); err != nil {
		l.err = err
	}
}

// Flush writes any buffered lines and returns the first write error.
func (l *LogWriter) Flush() error {
	if l.err != nil {
		return l.err
	}
	if err := l.w.Flush(); err != nil {
		l.err = err
	}
	return l.err
}

// Err returns the first write error, if any. Errors are sticky: after one,
// nothing more is written.
func (l *LogWriter) Err() error {
	return l.err
}
