package wire

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "|", "", "\n", "").Replace(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The frames captured from the real libccp datapath and the real portus
// reno agent (ccp-protocol.md §3): each decodes to these values and
// encodes back to the same bytes.
func TestCapturedFrames(t *testing.T) {
	measure := "01 00 40 00 01 00 00 00 | 02 00 00 00 06 00 00 00" +
		"a0 05 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" +
		"00 00 00 00 00 00 00 00 10 27 00 00 00 00 00 00 0a 00 00 00 00 00 00 00"
	for _, c := range []struct {
		name string
		hex  string
		msg  Message
	}{
		{"READY", "05 00 0c 00 00 00 00 00 | 2a 00 00 00", &Ready{ID: 42}},
		{"CREATE", "00 00 60 00 01 00 00 00 | 90 38 00 00 a8 05 00 00 7f 00 00 01 88 13 00 00" +
			"7f 00 00 01 70 17 00 00 | 72 65 6e 6f" + strings.Repeat("00", 60),
			&Create{SID: 1, InitCwnd: 14480, MSS: 1448, SrcIP: 0x0100007f, SrcPort: 5000, DstIP: 0x0100007f, DstPort: 6000, CongAlg: "reno"}},
		{"CHANGE_PROG", "04 00 10 00 01 00 00 00 | 02 00 00 00 00 00 00 00", &ChangeProg{SID: 1, ProgramUID: 2}},
		{"MEASURE", measure, &Measure{SID: 1, ProgramUID: 2, Fields: []uint64{1440, 1, 0, 0, 10000, 10}}},
		{"UPDATE_FIELDS", "03 00 19 00 01 00 00 00 | 01 00 00 00 | 02 04 00 00 00 78 6b 00 00 00 00 00 00",
			&UpdateFields{SID: 1, Updates: []Update{{Reg: Reg{RegImplicit, 4}, Value: 27512}}}},
	} {
		b := unhex(t, c.hex)
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !reflect.DeepEqual(got, c.msg) {
			t.Fatalf("%s: decoded %+v, want %+v", c.name, got, c.msg)
		}
		enc, err := Encode(c.msg)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc, b) {
			t.Fatalf("%s: encoded\n%x\nwant\n%x", c.name, enc, b)
		}
	}
}

// TestInstallHeader: the spec's example program (2 events, 16
// instructions, uid 1) has this header and length.
func TestInstallHeader(t *testing.T) {
	m := &Install{ProgramUID: 1, Exprs: make([]Expr, 2), Instrs: make([]Instr, 16)}
	b, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "02 00 34 01 00 00 00 00 | 01 00 00 00 02 00 00 00 10 00 00 00"); !bytes.Equal(b[:20], want) || len(b) != 308 {
		t.Fatalf("header %x (len %d), want %x (308)", b[:20], len(b), want)
	}
	// An instruction's fields sit at offsets 0/1/2/6/7/11/12.
	m.Instrs[0] = Instr{Op: OpMin, Res: Reg{RegTmp, 0}, Left: Reg{RegReport, 1}, Right: Reg{RegPrimitive, 13}}
	b, _ = Encode(m)
	in := b[20+2*ExprLen:][:InstrLen]
	if want := unhex(t, "0b 07 00000000 06 01000000 04 0d000000"); !bytes.Equal(in, want) {
		t.Fatalf("instruction %x, want %x", in, want)
	}
	back, err := Decode(b)
	if err != nil || !reflect.DeepEqual(back, m) {
		t.Fatalf("round trip: %v %+v", err, back)
	}
}

// TestDecodeErrors: malformed input gets an error naming the problem.
func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct {
		hex, want string
	}{
		{"05 00 0c", "shorter than the 8-byte header"},
		{"05 00 0c 00 00 00 00 00 2a 00", "only 10 arrived"},
		{"05 00 04 00 00 00 00 00", "less than the header"},
		{"05 00 0d 00 00 00 00 00 2a 00 00 00 00", "13 bytes, want 12"},
		{"09 00 08 00 00 00 00 00", "unknown type 9"},
		{"01 00 10 00 01 00 00 00 02 00 00 00 6f 00 00 00", "111 fields (at most 110)"},
		{"01 00 10 00 01 00 00 00 02 00 00 00 01 00 00 00", "1 fields need 24 bytes"},
		{"02 00 14 00 00 00 00 00 01 00 00 00 01 01 00 00 00 00 00 00", "257 expressions"},
		{"02 00 14 00 00 00 00 00 01 00 00 00 01 00 00 00 00 00 00 00", "need 36 bytes"},
		{"03 00 0c 00 01 00 00 00 ff 00 00 00", "255 updates (at most 222)"},
		{"03 00 0c 00 01 00 00 00 01 00 00 00", "1 updates need 13 bytes"},
		{"04 00 0c 00 01 00 00 00 01 00 00 00", "want at least 16"},
		{"00 00 0c 00 01 00 00 00 01 00 00 00", "12 bytes, want 96"},
	} {
		_, err := Decode(unhex(t, c.hex))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.hex, err, c.want)
		}
	}
	if _, err := Decode(append(unhex(t, "05 00 0c 00 00 00 00 00 2a 00 00 00"), 0)); err == nil || !strings.Contains(err.Error(), "1 bytes after") {
		t.Errorf("trailing byte: %v", err)
	}
}

// TestNextSplitsDatagrams: several messages in one datagram come apart.
func TestNextSplitsDatagrams(t *testing.T) {
	var b []byte
	msgs := []Message{&Ready{ID: 1}, &ChangeProg{SID: 3, ProgramUID: 2, Updates: []Update{{Reg{RegControl, 0}, 5}}}, &Measure{SID: 3, ProgramUID: 2}}
	for _, m := range msgs {
		b, _ = m.AppendTo(b)
	}
	for i := 0; len(b) > 0; i++ {
		msg, rest, err := Next(b)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Decode(msg)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(m, msgs[i]) {
			t.Fatalf("message %d: %+v", i, m)
		}
		b = rest
	}
}

// TestEncodeLimits: what libccp would not accept is not encoded.
func TestEncodeLimits(t *testing.T) {
	for _, m := range []Message{
		&Create{CongAlg: strings.Repeat("x", 64)},
		&Measure{Fields: make([]uint64, 111)},
		&Install{Instrs: make([]Instr, 257)},
		&UpdateFields{Updates: make([]Update, 223)},
	} {
		if _, err := Encode(m); err == nil {
			t.Errorf("%s over its limit encoded", m.Type())
		}
	}
}

// FuzzDecode: no input panics; whatever decodes re-encodes to the same
// bytes, except CREATE's NUL padding after the name and READY's sid
// (both ignored on decode).
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"05000c00000000002a000000",
		"040010000100000002000000" + "00000000",
		"030019000100000001000000020400000078" + "6b000000000000",
		"01001000010000000200000000000000",
		"0200140000000000010000000000000000000000",
	} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		enc, err := Encode(m)
		if err != nil {
			t.Fatalf("decoded %+v but cannot encode it: %v", m, err)
		}
		if m.Type() == TypeCreate {
			c := m.(*Create)
			if !bytes.Equal(enc[:HeaderLen+24+len(c.CongAlg)], b[:HeaderLen+24+len(c.CongAlg)]) {
				t.Fatalf("CREATE re-encodes differently")
			}
			return
		}
		if m.Type() == TypeReady {
			copy(enc[4:8], b[4:8]) // READY's sid is always written 0, ignored when read
		}
		if !bytes.Equal(enc, b) {
			t.Fatalf("re-encoded\n%x\nfrom\n%x", enc, b)
		}
	})
}
