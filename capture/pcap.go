package capture

// This file owns pcap files: writing the raw IPv4 packets the taps see, in
// the classic libpcap format that Wireshark and tshark open, and reading
// them (and other tools' captures) back.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"syscall"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

const (
	// DefaultSnaplen is the snap length of a PcapWriter made with a snap
	// length ≤ 0: the largest IPv4 packet, so nothing is cut.
	DefaultSnaplen = 65535
	// MaxSnaplen is the largest snap length a PcapWriter uses and the
	// largest record ReadPcap accepts (256 KiB, libpcap's own limit).
	MaxSnaplen = 262144
)

// pcapFileHeaderLen and pcapRecordHeaderLen are the sizes of the pcap file
// header and of each packet record's header.
const (
	pcapFileHeaderLen   = 24
	pcapRecordHeaderLen = 16
)

// PcapWriter writes a nanosecond-resolution pcap file of raw IPv4 packets
// (LINKTYPE_RAW, 101; no link header), as the TUN devices hand them over,
// which Wireshark and tshark open.
//
// A PcapWriter is not safe for concurrent use: call it from one goroutine
// (the tap's), or serialize the calls. Writing allocates nothing. After a
// failed write, the file may end inside a record and every later write
// returns the same error.
type PcapWriter struct {
	w       *pcapgo.Writer
	snaplen int
	n       int64
	name    string // the file's path in errors, or ""
	err     error  // sticky: the first write error
}

// NewPcapWriter writes a pcap file header to w and returns a writer of
// packet records. A snap length ≤ 0 means DefaultSnaplen; one above
// MaxSnaplen is lowered to it.
func NewPcapWriter(w io.Writer, snaplen int) (*PcapWriter, error) {
	return newPcapWriter(w, snaplen, "")
}

func newPcapWriter(w io.Writer, snaplen int, name string) (*PcapWriter, error) {
	if snaplen <= 0 {
		snaplen = DefaultSnaplen
	}
	snaplen = min(snaplen, MaxSnaplen)
	pw := &PcapWriter{w: pcapgo.NewWriterNanos(w), snaplen: snaplen, name: name}
	if err := pw.w.WriteFileHeader(uint32(snaplen), layers.LinkTypeRaw); err != nil {
		return nil, fmt.Errorf("%s: file header: %w", pw.prefix(), err)
	}
	return pw, nil
}

// prefix is "pcap PATH" or "pcap", the start of every error message.
func (pw *PcapWriter) prefix() string {
	if pw.name == "" {
		return "pcap"
	}
	return "pcap " + pw.name
}

// WritePacket appends one packet captured at ts: its first min(len(data),
// snap length) bytes, and len(data) as its original length. The pcap
// format holds times from 1970 to 2106 only; a timestamp outside that
// range (the zero time included) is an error and nothing is written.
func (pw *PcapWriter) WritePacket(ts time.Time, data []byte) error {
	if pw.err != nil {
		return pw.err
	}
	if sec := ts.Unix(); sec < 0 || sec > math.MaxUint32 {
		return fmt.Errorf("%s: packet %d: timestamp %v outside the pcap range (1970 to 2106)", pw.prefix(), pw.n+1, ts)
	}
	if int64(len(data)) > math.MaxUint32 {
		return fmt.Errorf("%s: packet %d: %d bytes, too long for a pcap record", pw.prefix(), pw.n+1, len(data))
	}
	caplen := min(len(data), pw.snaplen)
	ci := gopacket.CaptureInfo{Timestamp: ts, CaptureLength: caplen, Length: len(data)}
	if err := pw.w.WritePacket(ci, data[:caplen]); err != nil {
		pw.err = fmt.Errorf("%s: packet %d: %w", pw.prefix(), pw.n+1, err)
		return pw.err
	}
	pw.n++
	return nil
}

// Packets is the number of packets written.
func (pw *PcapWriter) Packets() int64 { return pw.n }

// Snaplen is the snap length in the file header: packets are cut to it.
func (pw *PcapWriter) Snaplen() int { return pw.snaplen }

// PcapFile is a PcapWriter to a file of its own, buffered. Like the
// PcapWriter it is not safe for concurrent use.
type PcapFile struct {
	*PcapWriter
	f      *os.File
	bw     *bufio.Writer
	path   string
	closed bool
}

// CreatePcap creates the pcap file path (truncating an existing one),
// writes its header and returns it for WritePacket; Close it to flush and
// sync it. The snap length is as in NewPcapWriter. Errors name the path.
func CreatePcap(path string, snaplen int) (*PcapFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("pcap %s: %w", path, err)
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	pw, err := newPcapWriter(bw, snaplen, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &PcapFile{PcapWriter: pw, f: f, bw: bw, path: path}, nil
}

// Path is the file's path.
func (pf *PcapFile) Path() string { return pf.path }

// Flush writes the buffered packets to the file (without syncing it), so
// that a reader of the file sees every packet written so far.
func (pf *PcapFile) Flush() error {
	if pf.closed {
		return fmt.Errorf("pcap %s: flush: %w", pf.path, os.ErrClosed)
	}
	if err := pf.bw.Flush(); err != nil {
		err = fmt.Errorf("pcap %s: %w", pf.path, err)
		if pf.PcapWriter.err == nil {
			pf.PcapWriter.err = err
		}
		return err
	}
	return nil
}

// Close flushes the buffered packets, syncs the file to disk and closes
// it. It returns the first error of the three (or of an earlier failed
// write); later writes fail, and closing again does nothing.
func (pf *PcapFile) Close() error {
	if pf.closed {
		return nil
	}
	pf.closed = true
	err := pf.PcapWriter.err
	if ferr := pf.bw.Flush(); ferr != nil && err == nil {
		err = fmt.Errorf("pcap %s: %w", pf.path, ferr)
	}
	// A file that cannot be synced (a device such as /dev/null, a pipe)
	// is not an error: there is nothing to make durable.
	if serr := pf.f.Sync(); serr != nil && err == nil &&
		!errors.Is(serr, syscall.EINVAL) && !errors.Is(serr, syscall.ENOTSUP) {
		err = fmt.Errorf("pcap %s: %w", pf.path, serr)
	}
	if cerr := pf.f.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("pcap %s: %w", pf.path, cerr)
	}
	pf.PcapWriter.err = fmt.Errorf("pcap %s: write after close: %w", pf.path, os.ErrClosed)
	return err
}

// ReadPcap reads a pcap file from r and calls fn for each IPv4 packet with
// its timestamp and captured bytes, in file order. The data is only valid
// during the call: ReadPcap reuses the buffer.
//
// It reads the classic libpcap format in either byte order, with
// microsecond or nanosecond timestamps, gzip-compressed or not, and these
// link types: LINKTYPE_RAW (101) and LINKTYPE_IPV4 (228), whose packets are
// handed over as they are; Ethernet (1) and Linux cooked (113), whose
// link headers are stripped and whose frames of other protocols than IPv4
// are skipped. It does not read pcapng.
//
// An error of fn stops the reading and is returned wrapped. A corrupt or
// truncated file is an error naming the packet (numbered from 1, as
// Wireshark does) and the byte offset of its record (in the uncompressed
// stream); a record longer than MaxSnaplen is rejected before anything is
// allocated for it.
func ReadPcap(r io.Reader, fn func(ts time.Time, data []byte) error) error {
	return readPcap(r, "pcap", fn)
}

// ReadPcapFile is ReadPcap of the file path; its errors name the path.
func ReadPcapFile(path string, fn func(ts time.Time, data []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("pcap %s: %w", path, err)
	}
	defer f.Close()
	return readPcap(f, "pcap "+path, fn)
}

// readPcap is ReadPcap with the prefix of its error messages.
func readPcap(r io.Reader, prefix string, fn func(ts time.Time, data []byte) error) error {
	pr, err := pcapgo.NewReader(r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF // a file without a whole header
		}
		return fmt.Errorf("%s: file header: %w", prefix, err)
	}
	// The link header to strip and the offset of its protocol field.
	var linkLen, protoAt int
	switch lt := pr.LinkType(); lt {
	case layers.LinkTypeRaw, layers.LinkTypeIPv4:
	case layers.LinkTypeEthernet:
		linkLen, protoAt = 14, 12
	case layers.LinkTypeLinuxSLL:
		linkLen, protoAt = 16, 14
	default:
		return fmt.Errorf("%s: unsupported link type %d (%v): want raw IP, Ethernet or Linux cooked", prefix, uint32(lt), lt)
	}
	// pcapgo accepts records up to the larger of the header's snap length
	// and MaxSnaplen: bound the first too, so no header can make it
	// allocate more.
	pr.SetSnaplen(min(pr.Snaplen(), MaxSnaplen))

	off := int64(pcapFileHeaderLen)
	for n := int64(1); ; n++ {
		data, ci, err := pr.ZeroCopyReadPacketData()
		if err != nil {
			// io.EOF with no record header read is the end of the file;
			// pcapgo gives a record header's time a nonzero value.
			if err == io.EOF && ci.Timestamp.IsZero() {
				return nil
			}
			switch {
			case ci.CaptureLength > MaxSnaplen:
				err = fmt.Errorf("record of %d bytes, above the limit of %d", ci.CaptureLength, MaxSnaplen)
			case errors.Is(err, io.EOF):
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("%s: packet %d at byte %d: %w", prefix, n, off, err)
		}
		if linkLen > 0 {
			if len(data) < linkLen || binary.BigEndian.Uint16(data[protoAt:]) != uint16(layers.EthernetTypeIPv4) {
				off += pcapRecordHeaderLen + int64(ci.CaptureLength)
				continue
			}
			data = data[linkLen:]
		}
		if err := fn(ci.Timestamp, data); err != nil {
			return fmt.Errorf("%s: packet %d at byte %d: %w", prefix, n, off, err)
		}
		off += pcapRecordHeaderLen + int64(ci.CaptureLength)
	}
}
