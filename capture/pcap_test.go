package capture

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// pcapRecord is one packet as the tests expect to read it back.
type pcapRecord struct {
	ts   time.Time
	data []byte
}

// readAll reads every packet of a pcap, copying the reused buffers.
func readAll(r io.Reader) ([]pcapRecord, error) {
	var out []pcapRecord
	err := ReadPcap(r, func(ts time.Time, data []byte) error {
		out = append(out, pcapRecord{ts, append([]byte(nil), data...)})
		return nil
	})
	return out, err
}

// rawRecord is a record as the file holds it, parsed independently of
// pcapgo from the libpcap format description.
type rawRecord struct {
	sec, frac, caplen, origlen uint32
	data                       []byte
}

// parseRawPcap parses a little-endian pcap file by hand.
func parseRawPcap(t *testing.T, b []byte) (magic, snaplen, linktype uint32, recs []rawRecord) {
	t.Helper()
	if len(b) < 24 {
		t.Fatalf("file of %d bytes", len(b))
	}
	le := binary.LittleEndian
	if v1, v2 := le.Uint16(b[4:]), le.Uint16(b[6:]); v1 != 2 || v2 != 4 {
		t.Fatalf("version %d.%d", v1, v2)
	}
	if thiszone, sigfigs := le.Uint32(b[8:]), le.Uint32(b[12:]); thiszone != 0 || sigfigs != 0 {
		t.Fatalf("thiszone %d sigfigs %d", thiszone, sigfigs)
	}
	magic, snaplen, linktype = le.Uint32(b), le.Uint32(b[16:]), le.Uint32(b[20:])
	for b = b[24:]; len(b) > 0; {
		if len(b) < 16 {
			t.Fatalf("%d bytes after the last record", len(b))
		}
		r := rawRecord{sec: le.Uint32(b), frac: le.Uint32(b[4:]), caplen: le.Uint32(b[8:]), origlen: le.Uint32(b[12:])}
		if int(r.caplen) > len(b)-16 {
			t.Fatalf("record of %d bytes in %d", r.caplen, len(b)-16)
		}
		r.data = b[16 : 16+r.caplen]
		recs = append(recs, r)
		b = b[16+r.caplen:]
	}
	return magic, snaplen, linktype, recs
}

func TestPcapRoundTrip(t *testing.T) {
	const snaplen = 1000
	rng := rand.New(rand.NewPCG(3, 4))
	var buf bytes.Buffer
	pw, err := NewPcapWriter(&buf, snaplen)
	if err != nil {
		t.Fatal(err)
	}
	if pw.Snaplen() != snaplen || pw.Packets() != 0 {
		t.Fatalf("Snaplen %d Packets %d", pw.Snaplen(), pw.Packets())
	}
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var want []pcapRecord
	var lens []int
	for i := range 500 {
		n := rng.IntN(1600)
		switch i {
		case 0:
			n = 0
		case 1:
			n = snaplen
		case 2:
			n = snaplen + 1
		}
		data := make([]byte, n)
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		// Nanosecond timestamps, in other zones and out of order too.
		ts := base.Add(time.Duration(rng.Int64N(int64(time.Hour))))
		if i%7 == 0 {
			ts = ts.In(time.FixedZone("X", 5*3600))
		}
		if i == 3 {
			ts = time.Unix(0, 1) // the earliest times the format holds
		}
		if i == 4 {
			ts = time.Unix(1<<32-1, 999999999)
		}
		if err := pw.WritePacket(ts, data); err != nil {
			t.Fatal(err)
		}
		want = append(want, pcapRecord{ts, data[:min(n, snaplen)]})
		lens = append(lens, n)
	}
	if pw.Packets() != 500 {
		t.Fatalf("Packets() = %d", pw.Packets())
	}

	// The bytes on disk, read without pcapgo.
	magic, sl, lt, recs := parseRawPcap(t, buf.Bytes())
	if magic != 0xa1b23c4d || sl != snaplen || lt != 101 || len(recs) != len(want) {
		t.Fatalf("magic %#x snaplen %d linktype %d records %d", magic, sl, lt, len(recs))
	}
	for i, r := range recs {
		ts := want[i].ts
		if int64(r.sec) != ts.Unix() || int(r.frac) != ts.Nanosecond() || int(r.caplen) != len(want[i].data) ||
			int(r.origlen) != lens[i] || !bytes.Equal(r.data, want[i].data) {
			t.Fatalf("record %d: sec %d frac %d caplen %d origlen %d; want %v, %d of %d bytes",
				i, r.sec, r.frac, r.caplen, r.origlen, ts, len(want[i].data), lens[i])
		}
	}

	got, err := readAll(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("read %d packets, wrote %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].ts.Equal(want[i].ts) || !bytes.Equal(got[i].data, want[i].data) {
			t.Fatalf("packet %d: read %v (%d bytes), wrote %v (%d bytes)", i+1, got[i].ts, len(got[i].data), want[i].ts, len(want[i].data))
		}
	}
}

func TestPcapWriterSnaplen(t *testing.T) {
	for _, tc := range []struct{ in, want int }{{0, 65535}, {-5, 65535}, {96, 96}, {MaxSnaplen, MaxSnaplen}, {1 << 30, MaxSnaplen}} {
		var buf bytes.Buffer
		pw, err := NewPcapWriter(&buf, tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := binary.LittleEndian.Uint32(buf.Bytes()[16:]); pw.Snaplen() != tc.want || got != uint32(tc.want) {
			t.Errorf("snaplen %d: Snaplen() %d, header %d; want %d", tc.in, pw.Snaplen(), got, tc.want)
		}
	}
}

func TestPcapWriterBadTimestamp(t *testing.T) {
	var buf bytes.Buffer
	pw, err := NewPcapWriter(&buf, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, ts := range []time.Time{{}, time.Unix(-1, 0), time.Unix(1<<32, 0)} {
		err := pw.WritePacket(ts, []byte{0x45})
		if err == nil || !strings.HasPrefix(err.Error(), "pcap: packet 1: timestamp") {
			t.Errorf("WritePacket(%v) = %v", ts, err)
		}
	}
	if buf.Len() != 24 || pw.Packets() != 0 {
		t.Fatalf("bad timestamps wrote %d bytes, %d packets", buf.Len()-24, pw.Packets())
	}
	// Not sticky: nothing was written.
	if err := pw.WritePacket(time.Unix(1, 0), []byte{0x45}); err != nil {
		t.Fatal(err)
	}
}

// pcapFailWriter accepts n bytes, then fails.
type pcapFailWriter struct{ n int }

var errPcapDiskFull = errors.New("disk full")

func (w *pcapFailWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errPcapDiskFull
	}
	w.n -= len(p)
	return len(p), nil
}

func TestPcapWriterErrors(t *testing.T) {
	if _, err := NewPcapWriter(&pcapFailWriter{n: 10}, 0); !errors.Is(err, errPcapDiskFull) || !strings.HasPrefix(err.Error(), "pcap: file header: ") {
		t.Fatalf("NewPcapWriter = %v", err)
	}
	pw, err := NewPcapWriter(&pcapFailWriter{n: 24 + 2*(16+100) + 20}, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkt := make([]byte, 100)
	ts := time.Unix(1700000000, 0)
	for i := range 2 {
		if err := pw.WritePacket(ts, pkt); err != nil {
			t.Fatalf("packet %d: %v", i+1, err)
		}
	}
	err = pw.WritePacket(ts, pkt)
	if !errors.Is(err, errPcapDiskFull) || !strings.HasPrefix(err.Error(), "pcap: packet 3: ") {
		t.Fatalf("third packet: %v", err)
	}
	if err2 := pw.WritePacket(ts, pkt); err2 != err || pw.Packets() != 2 {
		t.Fatalf("after a failure: %v, %d packets", err2, pw.Packets())
	}
}

func TestPcapWriteAllocs(t *testing.T) {
	pkt := hexPacket(t, goldenData, goldenDataPayload)
	ts := time.Unix(1700000000, 123456789)
	pw, err := NewPcapWriter(io.Discard, 96)
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(1000, func() {
		if err := pw.WritePacket(ts, pkt); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("WritePacket allocates %.1f times per packet", n)
	}
	pf, err := CreatePcap(filepath.Join(t.TempDir(), "a.pcap"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	if n := testing.AllocsPerRun(1000, func() {
		if err := pf.WritePacket(ts, pkt); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("PcapFile.WritePacket allocates %.1f times per packet", n)
	}
}

func BenchmarkPcapWrite(b *testing.B) {
	pkt := make([]byte, 1500)
	pkt[0] = 0x45
	pw, err := NewPcapWriter(io.Discard, 0)
	if err != nil {
		b.Fatal(err)
	}
	ts := time.Unix(1700000000, 0)
	b.ReportAllocs()
	b.SetBytes(int64(16 + len(pkt)))
	for b.Loop() {
		if err := pw.WritePacket(ts, pkt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
}

func BenchmarkPcapFileWrite(b *testing.B) {
	pkt := make([]byte, 96)
	pkt[0] = 0x45
	pf, err := CreatePcap(filepath.Join(b.TempDir(), "bench.pcap"), 96)
	if err != nil {
		b.Fatal(err)
	}
	ts := time.Unix(1700000000, 0)
	b.ReportAllocs()
	for b.Loop() {
		if err := pf.WritePacket(ts, pkt); err != nil {
			b.Fatal(err)
		}
	}
	if err := pf.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkts/s")
}

func BenchmarkReadPcap(b *testing.B) {
	var buf bytes.Buffer
	pw, err := NewPcapWriter(&buf, 0)
	if err != nil {
		b.Fatal(err)
	}
	pkt := make([]byte, 1500)
	for i := range 10000 {
		if err := pw.WritePacket(time.Unix(1700000000, int64(i)), pkt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		n := 0
		if err := ReadPcap(bytes.NewReader(buf.Bytes()), func(time.Time, []byte) error { n++; return nil }); err != nil || n != 10000 {
			b.Fatal(n, err)
		}
	}
}

func TestCreatePcap(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.pcap")
	if err := os.WriteFile(path, bytes.Repeat([]byte("old"), 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	pf, err := CreatePcap(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if pf.Path() != path {
		t.Fatalf("Path() = %q", pf.Path())
	}
	pkt := hexPacket(t, goldenSYN, 0)
	ts := time.Unix(1700000000, 42)
	for range 3 {
		if err := pf.WritePacket(ts, pkt); err != nil {
			t.Fatal(err)
		}
	}
	// Flush: another reader of the file sees the packets.
	if err := pf.Flush(); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := ReadPcapFile(path, func(got time.Time, data []byte) error {
		n++
		if !got.Equal(ts) || !bytes.Equal(data, pkt) {
			return fmt.Errorf("read %v %x", got, data)
		}
		return nil
	}); err != nil || n != 3 {
		t.Fatalf("after Flush: %d packets, %v", n, err)
	}
	if err := pf.WritePacket(ts, pkt); err != nil {
		t.Fatal(err)
	}
	if err := pf.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pf.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := pf.WritePacket(ts, pkt); !errors.Is(err, os.ErrClosed) || !strings.Contains(err.Error(), path) {
		t.Fatalf("WritePacket after Close = %v", err)
	}
	if err := pf.Flush(); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Flush after Close = %v", err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Size() != 24+4*(16+int64(len(pkt))) {
		t.Fatalf("file size %v, %v", st.Size(), err)
	}
	got, err := readAll(mustOpen(t, path))
	if err != nil || len(got) != 4 || pf.Packets() != 4 {
		t.Fatalf("read %d packets (%d written): %v", len(got), pf.Packets(), err)
	}

	bad := filepath.Join(dir, "missing", "x.pcap")
	if _, err := CreatePcap(bad, 0); err == nil || !strings.HasPrefix(err.Error(), "pcap "+bad+": ") {
		t.Fatalf("CreatePcap in a missing directory: %v", err)
	}
	if err := ReadPcapFile(bad, func(time.Time, []byte) error { return nil }); !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "pcap "+bad+": ") {
		t.Fatalf("ReadPcapFile of a missing file: %v", err)
	}
	// Devices cannot be synced; closing one is not an error.
	if pf, err := CreatePcap(os.DevNull, 0); err != nil {
		t.Fatal(err)
	} else if err := pf.WritePacket(ts, pkt); err != nil {
		t.Fatal(err)
	} else if err := pf.Close(); err != nil {
		t.Fatalf("Close of %s: %v", os.DevNull, err)
	}
}

func mustOpen(t *testing.T, path string) io.Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return bufio.NewReader(f)
}

// pcapFile builds a pcap file by hand: the header in the given byte order
// and magic, then the records.
type pcapFile struct {
	order interface {
		binary.ByteOrder
		binary.AppendByteOrder
	}
	magic    uint32
	snaplen  uint32
	linktype uint32
	buf      []byte
}

func newPcapFile(order interface {
	binary.ByteOrder
	binary.AppendByteOrder
}, magic, snaplen, linktype uint32) *pcapFile {
	f := &pcapFile{order: order, magic: magic, snaplen: snaplen, linktype: linktype}
	f.buf = order.AppendUint32(f.buf, magic)
	f.buf = order.AppendUint16(f.buf, 2)
	f.buf = order.AppendUint16(f.buf, 4)
	f.buf = order.AppendUint32(f.buf, 0)
	f.buf = order.AppendUint32(f.buf, 0)
	f.buf = order.AppendUint32(f.buf, snaplen)
	f.buf = order.AppendUint32(f.buf, linktype)
	return f
}

func (f *pcapFile) record(sec, frac uint32, caplen, origlen uint32, data []byte) *pcapFile {
	f.buf = f.order.AppendUint32(f.buf, sec)
	f.buf = f.order.AppendUint32(f.buf, frac)
	f.buf = f.order.AppendUint32(f.buf, caplen)
	f.buf = f.order.AppendUint32(f.buf, origlen)
	f.buf = append(f.buf, data...)
	return f
}

func (f *pcapFile) packet(sec, frac uint32, data []byte) *pcapFile {
	return f.record(sec, frac, uint32(len(data)), uint32(len(data)), data)
}

const (
	magicMicro = 0xa1b2c3d4
	magicNano  = 0xa1b23c4d
)

// TestReadPcapFormats: other tools' files, written by hand: microsecond
// and big-endian ones, Ethernet and Linux cooked captures, gzip.
func TestReadPcapFormats(t *testing.T) {
	ip1 := hexPacket(t, goldenSYN, 0)
	ip2 := hexPacket(t, goldenUDP, goldenUDPPayload)
	eth := func(etype uint16, payload []byte) []byte {
		h := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
		return append(binary.BigEndian.AppendUint16(h, etype), payload...)
	}
	sll := func(proto uint16, payload []byte) []byte {
		h := []byte{0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0}
		return append(binary.BigEndian.AppendUint16(h, proto), payload...)
	}
	want := []pcapRecord{{time.Unix(1700000000, 123456000), ip1}, {time.Unix(1700000001, 999999000), ip2}}
	wantNano := []pcapRecord{{time.Unix(1700000000, 123456789), ip1}, {time.Unix(1700000001, 999999999), ip2}}
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	le, be := binary.LittleEndian, binary.BigEndian
	for _, tc := range []struct {
		name string
		file []byte
		want []pcapRecord
	}{
		{"raw micro little-endian", newPcapFile(le, magicMicro, 65535, 101).packet(1700000000, 123456, ip1).packet(1700000001, 999999, ip2).buf, want},
		{"raw micro big-endian", newPcapFile(be, magicMicro, 65535, 101).packet(1700000000, 123456, ip1).packet(1700000001, 999999, ip2).buf, want},
		{"raw nano big-endian", newPcapFile(be, magicNano, 65535, 101).packet(1700000000, 123456789, ip1).packet(1700000001, 999999999, ip2).buf, wantNano},
		{"ipv4 link type", newPcapFile(le, magicNano, 65535, 228).packet(1700000000, 123456789, ip1).packet(1700000001, 999999999, ip2).buf, wantNano},
		{"snaplen 0 in the header", newPcapFile(le, magicNano, 0, 101).packet(1700000000, 123456789, ip1).packet(1700000001, 999999999, ip2).buf, wantNano},
		{"tcpdump's snaplen", newPcapFile(le, magicNano, 262144, 101).packet(1700000000, 123456789, ip1).packet(1700000001, 999999999, ip2).buf, wantNano},
		{"huge snaplen in the header", newPcapFile(le, magicNano, 1<<32-1, 101).packet(1700000000, 123456789, ip1).packet(1700000001, 999999999, ip2).buf, wantNano},
		{"ethernet, other protocols skipped", newPcapFile(le, magicMicro, 65535, 1).
			packet(1699999999, 0, eth(0x0806, make([]byte, 28))). // ARP
			packet(1700000000, 123456, eth(0x0800, ip1)).
			packet(1700000000, 500000, eth(0x86dd, hexPacket(t, goldenIPv6, 0))).
			packet(1700000000, 600000, []byte{1, 2, 3}). // a runt
			packet(1700000001, 999999, eth(0x0800, ip2)).buf, want},
		{"linux cooked", newPcapFile(le, magicMicro, 65535, 113).
			packet(1700000000, 123456, sll(0x0800, ip1)).
			packet(1700000000, 200000, sll(0x86dd, hexPacket(t, goldenIPv6, 0))).
			packet(1700000001, 999999, sll(0x0800, ip2)).buf, want},
		{"gzip", gz(newPcapFile(le, magicMicro, 65535, 101).packet(1700000000, 123456, ip1).packet(1700000001, 999999, ip2).buf), want},
		{"no packets", newPcapFile(le, magicNano, 65535, 101).buf, nil},
		{"packet cut by snaplen", newPcapFile(le, magicNano, 40, 101).record(1700000000, 123456789, 40, 60, ip1[:40]).buf,
			[]pcapRecord{{time.Unix(1700000000, 123456789), ip1[:40]}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAll(bytes.NewReader(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("read %d packets, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if !got[i].ts.Equal(tc.want[i].ts) || !bytes.Equal(got[i].data, tc.want[i].data) {
					t.Fatalf("packet %d: %v %x; want %v %x", i, got[i].ts, got[i].data, tc.want[i].ts, tc.want[i].data)
				}
			}
		})
	}
}

func TestReadPcapBadFiles(t *testing.T) {
	le := binary.LittleEndian
	ip := hexPacket(t, goldenSYN, 0) // 60 bytes
	good := func() *pcapFile {
		return newPcapFile(le, magicNano, 65535, 101).packet(1700000000, 1, ip).packet(1700000000, 2, ip)
	}
	rec2 := int64(24 + 16 + 60) // the byte offset of the second record
	badMagic := good().buf
	copy(badMagic, "GIF8")
	badVersion := good().buf
	le.PutUint16(badVersion[4:], 3)
	pcapng := append([]byte{0x0a, 0x0d, 0x0d, 0x0a}, good().buf[4:]...)
	for _, tc := range []struct {
		name   string
		file   []byte
		prefix string // of the error message
		is     error  // when set, errors.Is(err, is)
	}{
		{"empty", nil, "pcap: file header: ", io.ErrUnexpectedEOF},
		{"one byte", []byte{0xd4}, "pcap: file header: ", io.ErrUnexpectedEOF},
		{"truncated header", good().buf[:20], "pcap: file header: ", io.ErrUnexpectedEOF},
		{"bad magic", badMagic, "pcap: file header: ", nil},
		{"pcapng", pcapng, "pcap: file header: ", nil},
		{"bad version", badVersion, "pcap: file header: ", nil},
		{"unsupported link type", newPcapFile(le, magicNano, 65535, 105).packet(1, 1, ip).buf, "pcap: unsupported link type 105", nil},
		{"truncated record header", good().buf[:rec2+10], fmt.Sprintf("pcap: packet 2 at byte %d: ", rec2), io.ErrUnexpectedEOF},
		{"record without data", good().buf[:rec2+16], fmt.Sprintf("pcap: packet 2 at byte %d: ", rec2), io.ErrUnexpectedEOF},
		{"truncated record data", good().buf[:rec2+16+59], fmt.Sprintf("pcap: packet 2 at byte %d: ", rec2), io.ErrUnexpectedEOF},
		{"first record truncated", good().buf[:24+16+1], "pcap: packet 1 at byte 24: ", io.ErrUnexpectedEOF},
		{"caplen above 256 KiB", good().record(1, 1, MaxSnaplen+1, MaxSnaplen+1, nil).buf, fmt.Sprintf("pcap: packet 3 at byte %d: record of 262145 bytes", rec2+76), nil},
		{"caplen 4 GiB, huge snaplen", newPcapFile(le, magicNano, 1<<32-1, 101).record(1, 1, 1<<32-1, 1<<32-1, ip).buf, "pcap: packet 1 at byte 24: record of 4294967295 bytes", nil},
		{"caplen above origlen", good().record(1, 1, 60, 59, ip).buf, fmt.Sprintf("pcap: packet 3 at byte %d: ", rec2+76), nil},
		{"corrupt gzip", func() []byte {
			var buf bytes.Buffer
			w := gzip.NewWriter(&buf)
			w.Write(good().buf)
			w.Close()
			b := buf.Bytes()
			return b[:len(b)-30]
		}(), "pcap: ", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			err := ReadPcap(bytes.NewReader(tc.file), func(time.Time, []byte) error { n++; return nil })
			if err == nil {
				t.Fatalf("no error (%d packets)", n)
			}
			if !strings.HasPrefix(err.Error(), tc.prefix) {
				t.Fatalf("error %q, want the prefix %q", err, tc.prefix)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("error %q is not %v", err, tc.is)
			}
			if errors.Is(err, io.EOF) {
				t.Fatalf("error %q is io.EOF: a caller would take it for the end of a good file", err)
			}
		})
	}
}

func TestReadPcapCallbackError(t *testing.T) {
	var buf bytes.Buffer
	pw, err := NewPcapWriter(&buf, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := pw.WritePacket(time.Unix(1, int64(i)), make([]byte, 10)); err != nil {
			t.Fatal(err)
		}
	}
	stop := errors.New("stop")
	n := 0
	err = ReadPcap(&buf, func(time.Time, []byte) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 || err.Error() != fmt.Sprintf("pcap: packet 3 at byte %d: stop", 24+2*26) {
		t.Fatalf("after %d packets: %v", n, err)
	}
}

// tsharkPacket is a packet for the tshark test and what tshark should say
// about it.
type tsharkPacket struct {
	ts               time.Time
	src, dst         string
	tcp              bool
	srcPort, dstPort uint16
	payload          int
}

// serialize builds the packet with gopacket, checksums computed.
func (p tsharkPacket) serialize(t *testing.T) []byte {
	t.Helper()
	ip := &layers.IPv4{Version: 4, TTL: 64, Id: 1, Flags: layers.IPv4DontFragment,
		SrcIP: net.ParseIP(p.src).To4(), DstIP: net.ParseIP(p.dst).To4()}
	var l4 interface {
		gopacket.SerializableLayer
		SetNetworkLayerForChecksum(gopacket.NetworkLayer) error
	}
	if p.tcp {
		ip.Protocol = layers.IPProtocolTCP
		l4 = &layers.TCP{SrcPort: layers.TCPPort(p.srcPort), DstPort: layers.TCPPort(p.dstPort), Seq: 1, Ack: 1, ACK: true, PSH: true, Window: 500}
	} else {
		ip.Protocol = layers.IPProtocolUDP
		l4 = &layers.UDP{SrcPort: layers.UDPPort(p.srcPort), DstPort: layers.UDPPort(p.dstPort)}
	}
	if err := l4.SetNetworkLayerForChecksum(ip); err != nil {
		t.Fatal(err)
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		ip, l4, gopacket.Payload(make([]byte, p.payload))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPcapTshark: tshark reads a file PcapWriter wrote and sees the packets
// we wrote, with the nanosecond timestamps.
func TestPcapTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CCSCOPE_CI") == "1" {
			t.Fatal("tshark is missing (CCSCOPE_CI=1)")
		}
		t.Skip("tshark is missing")
	}
	pkts := []tsharkPacket{
		{time.Unix(1700000000, 1), "100.64.0.2", "100.64.0.1", true, 45678, 5201, 100},
		{time.Unix(1700000000, 123456789), "100.64.0.1", "100.64.0.2", true, 5201, 45678, 0},
		{time.Unix(1700000001, 999999999), "10.0.0.1", "10.0.0.2", false, 40000, 9000, 64},
		{time.Unix(1700000002, 500000000), "192.168.1.10", "8.8.8.8", false, 53000, 53, 1400},
		{time.Unix(1700000003, 0), "172.16.0.1", "172.16.0.2", true, 22, 61000, 1448},
	}
	path := filepath.Join(t.TempDir(), "tshark.pcap")
	pf, err := CreatePcap(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkts {
		if err := pf.WritePacket(p.ts, p.serialize(t)); err != nil {
			t.Fatal(err)
		}
	}
	if err := pf.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tshark, "-r", path, "-T", "fields", "-e", "frame.number", "-e", "ip.src", "-e", "ip.dst",
		"-e", "tcp.srcport", "-e", "udp.dstport", "-e", "frame.time_epoch")
	cmd.Stderr = io.Discard // as root, tshark warns on stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != len(pkts) {
		t.Fatalf("tshark printed %d packets, we wrote %d:\n%s", len(lines), len(pkts), out)
	}
	for i, p := range pkts {
		var tcpPort, udpPort string
		if p.tcp {
			tcpPort = strconv.Itoa(int(p.srcPort))
		} else {
			udpPort = strconv.Itoa(int(p.dstPort))
		}
		want := []string{strconv.Itoa(i + 1), p.src, p.dst, tcpPort, udpPort}
		f := strings.Split(lines[i], "\t")
		if len(f) != 6 || strings.Join(f[:5], "\t") != strings.Join(want, "\t") {
			t.Errorf("tshark line %d: %q, want %q and the time", i+1, lines[i], strings.Join(want, "\t"))
			continue
		}
		if ts, err := parseEpoch(f[5]); err != nil || !ts.Equal(p.ts) {
			t.Errorf("tshark line %d: time %q (%v, %v), want %d.%09d", i+1, f[5], ts, err, p.ts.Unix(), p.ts.Nanosecond())
		}
	}
}

// parseEpoch reads "1700000000.123456789" exactly (no float rounding).
func parseEpoch(s string) (time.Time, error) {
	sec, frac, _ := strings.Cut(s, ".")
	if len(frac) > 9 {
		return time.Time{}, fmt.Errorf("more than nanoseconds in %q", s)
	}
	frac += strings.Repeat("0", 9-len(frac))
	si, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	ns, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(si, ns), nil
}

// FuzzReadPcap: ReadPcap never panics on any file; its errors carry the
// context; the packets of a file it reads survive a write and a read.
func FuzzReadPcap(f *testing.F) {
	le := binary.LittleEndian
	ip := hexPacket(f, goldenSYN, 0)
	f.Add(newPcapFile(le, magicNano, 65535, 101).packet(1700000000, 1, ip).buf)
	f.Add(newPcapFile(binary.BigEndian, magicMicro, 65535, 1).packet(1, 2, append(make([]byte, 12), 8, 0)).buf)
	f.Fuzz(func(t *testing.T, file []byte) {
		var got []pcapRecord
		err := ReadPcap(bytes.NewReader(file), func(ts time.Time, data []byte) error {
			if len(data) > MaxSnaplen {
				t.Fatalf("a packet of %d bytes", len(data))
			}
			got = append(got, pcapRecord{ts, append([]byte(nil), data...)})
			return nil
		})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "pcap: ") || errors.Is(err, io.EOF) {
				t.Fatalf("error %q", err)
			}
			return
		}
		for _, r := range got {
			// A corrupt fraction field (above a second) can carry a time
			// past 2106, which a writer refuses.
			if r.ts.Unix() > math.MaxUint32 {
				return
			}
		}
		var buf bytes.Buffer
		pw, err := NewPcapWriter(&buf, MaxSnaplen)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range got {
			if err := pw.WritePacket(r.ts, r.data); err != nil {
				t.Fatalf("packet %d (%v): %v", i+1, r.ts, err)
			}
		}
		back, err := readAll(&buf)
		if err != nil || len(back) != len(got) {
			t.Fatalf("rewritten: %d of %d packets, %v", len(back), len(got), err)
		}
		for i := range got {
			if !back[i].ts.Equal(got[i].ts) || !bytes.Equal(back[i].data, got[i].data) {
				t.Fatalf("packet %d changed in a round trip", i+1)
			}
		}
	})
}
