package vm

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ccscope/ccscope/ccp/wire"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/fuzz/FuzzVM from fuzzSeeds")

// The fuzz input is a script of records, each an op byte, a u16 length
// and that many bytes (cut short at the end of the input):
const (
	fzReceive = iota // hand the bytes to Receive
	fzInvoke         // Invoke every flow with primitives read from the bytes
	fzTime           // advance the clock by the bytes as a little-endian µs count
	fzFlow           // byte 0 even: Start a flow; odd: Free flow byte 1 % 4 + 1
	fzSend           // byte 0: Send fails from now on if odd
	fzOps
)

func record(op byte, b []byte) []byte {
	return append(binary.LittleEndian.AppendUint16([]byte{op}, uint16(len(b))), b...)
}

func recvRecord(t testing.TB, m wire.Message) []byte { return record(fzReceive, encode(t, m)) }

func primsBytes(vals ...uint64) []byte {
	var b []byte
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

// fuzzSeeds are scripts that install programs, switch flows to them,
// update them and run them.
func fuzzSeeds(t testing.TB) [][]byte {
	ack := record(fzInvoke, primsBytes(1448, 1, 0, 0, 0, 0, 0, 1000, 10, 14480, 0, 1e6, 1e6, 14480, 0))
	loss := record(fzInvoke, primsBytes(0, 0, 1448, 1, 0, 0, 2, 1000, 10, 14480, 1, 1e6, 1e6, 14480, 1<<40))
	tick := record(fzTime, primsBytes(1500))
	script := func(parts ...[]byte) []byte {
		var s []byte
		for _, p := range parts {
			s = append(s, p...)
		}
		return s
	}
	arith := assemble(7, []wire.Instr{def(vrep(0), 0x3FFFFFFF), def(ctl(0), 3)},
		when{always(), []wire.Instr{
			in(wire.OpSub, tmp(0), prim(pBytesAcked), ctl(0)), in(wire.OpAdd, tmp(2), prim(pLost), imm(1)),
			in(wire.OpDiv, tmp(1), tmp(0), tmp(2)),
			in(wire.OpMul, local(0), tmp(1), prim(primRateOutgoing)), in(wire.OpEwma, vrep(0), imm(8), local(0)),
			in(wire.OpMaxWrap, local(1), local(1), prim(primNow)), in(wire.OpIf, impl(ImplCwnd), prim(pWasTimeout), imm(1)),
			in(wire.OpNotIf, impl(ImplRate), local(0), imm(99)), doReport()}})
	return [][]byte{
		script(recvRecord(t, intervalRTT(1)), recvRecord(t, &wire.ChangeProg{SID: 1, ProgramUID: 1}),
			ack, tick, ack, tick, ack, loss, ack, tick, tick, ack),
		script(recvRecord(t, specExample()), recvRecord(t, &wire.ChangeProg{SID: 2, ProgramUID: 1}),
			recvRecord(t, &wire.UpdateFields{SID: 2, Updates: []wire.Update{{Reg: ctl(0), Value: 4}, {Reg: impl(ImplCwnd), Value: 9000}}}),
			ack, tick, tick, tick, tick, tick, tick, tick, tick, ack, ack),
		script(recvRecord(t, arith), recvRecord(t, &wire.ChangeProg{SID: 1, ProgramUID: 7, Updates: []wire.Update{{Reg: impl(ImplRate), Value: 1 << 33}}}),
			ack, loss, record(fzSend, []byte{1}), tick, ack, tick, tick, record(fzTime, primsBytes(6000)), ack, record(fzSend, []byte{0}),
			recvRecord(t, &wire.UpdateFields{SID: 1}), ack),
		script(record(fzFlow, []byte{1, 0}), record(fzFlow, []byte{0}), recvRecord(t, reportEveryACK(1)),
			recvRecord(t, reportEveryACK(2)), recvRecord(t, &wire.ChangeProg{SID: 1, ProgramUID: 2}), ack,
			recvRecord(t, reportEveryACK(1)), ack, record(fzFlow, []byte{1, 0}), ack),
		{},
	}
}

func FuzzVM(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		runScript(t, script)
	})
}

// scriptStats is what a script made happen.
type scriptStats struct{ runs, reports, faults, fallbacks int }

// runScript plays a fuzz script against a datapath with two flows and
// checks that nothing panics, that every error is an *Error and that
// every message sent decodes.
func runScript(t *testing.T, script []byte) scriptStats {
	var st scriptStats
	failing := false
	cfg := Config{ID: 1, MaxConns: 4, MaxPrograms: 4, FallbackTimeout: 5 * time.Millisecond,
		Send: func(b []byte) error {
			m, err := wire.Decode(b)
			if err != nil {
				t.Fatalf("sent an undecodable message %x: %v", b, err)
			}
			if ms, ok := m.(*wire.Measure); ok {
				if len(ms.Fields) > NumReportRegs {
					t.Fatalf("MEASURE of %d fields", len(ms.Fields))
				}
				if ms.ProgramUID != 0 {
					st.reports++
				}
			}
			if failing {
				return errSend
			}
			return nil
		}}
	d := New(cfg)
	if err := d.Init(0); err != nil {
		t.Fatal(err)
	}
	isVMError := func(what string, err error) {
		var e *Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("%s: error %v is not an *Error", what, err)
		}
	}
	var now time.Duration
	cb := Callbacks{SetCwnd: func(uint64) {}, SetRate: func(uint64) {}}
	for range 2 {
		if _, err := d.Start(now, Info{InitCwnd: 14480, MSS: 1448}, cb); err != nil {
			t.Fatal(err)
		}
	}
	for steps := 0; len(script) >= 3 && steps < 1000; steps++ {
		op, n := script[0], int(binary.LittleEndian.Uint16(script[1:]))
		script = script[3:]
		n = min(n, len(script))
		b := script[:n]
		script = script[n:]
		switch op % fzOps {
		case fzReceive:
			isVMError("Receive", d.Receive(now, b))
		case fzInvoke:
			var v [15]uint64
			for i := range v {
				if len(b) >= 8*(i+1) {
					v[i] = binary.LittleEndian.Uint64(b[8*i:])
				}
			}
			p := Primitives{BytesAcked: v[0], PacketsAcked: v[1], BytesMisordered: v[2], PacketsMisordered: v[3],
				ECNBytes: v[4], ECNPackets: v[5], LostPktsSample: v[6], RTTSampleUs: v[7], PacketsInFlight: v[8],
				BytesInFlight: v[9], WasTimeout: v[10]&1 != 0, RateOutgoing: v[11], RateIncoming: v[12],
				SndCwnd: v[13], SndRate: v[14], BytesPending: v[0] ^ v[1]}
			for _, c := range d.Conns() {
				err := c.Invoke(now, &p)
				isVMError("Invoke", err)
				switch {
				case err == nil:
					st.runs++
				case IsInstructionError(err):
					st.faults++
				case errors.Is(err, ErrFallbackTimedOut):
					st.fallbacks++
				}
				_ = c.Registers()
				c.LastReport()
				c.Program()
			}
		case fzTime:
			var us uint64
			for i, x := range b[:min(len(b), 4)] {
				us |= uint64(x) << (8 * i)
			}
			now += time.Duration(us) * time.Microsecond
		case fzFlow:
			if len(b) > 0 && b[0]&1 == 1 {
				if c := d.Conn(uint32(b[min(1, len(b)-1)]%4) + 1); c != nil {
					c.Free(now)
				}
			} else if _, err := d.Start(now, Info{}, cb); err != nil {
				isVMError("Start", err)
			}
		case fzSend:
			failing = len(b) > 0 && b[0]&1 == 1
		}
	}
	d.Programs()
	d.InFallback(now)
	return st
}

// The seeds reach every part of the machine.
func TestFuzzSeedsExercise(t *testing.T) {
	var sum scriptStats
	for _, s := range fuzzSeeds(t) {
		st := runScript(t, s)
		sum.runs += st.runs
		sum.reports += st.reports
		sum.faults += st.faults
		sum.fallbacks += st.fallbacks
	}
	if sum.runs == 0 || sum.reports == 0 || sum.faults == 0 || sum.fallbacks == 0 {
		t.Fatalf("seeds: %+v", sum)
	}
	t.Logf("seeds: %+v", sum)
}

// TestFuzzSeedCorpus keeps testdata/fuzz/FuzzVM in step with fuzzSeeds
// (go test -run TestFuzzSeedCorpus -update-corpus rewrites it) and runs
// every file in it.
func TestFuzzSeedCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzVM")
	if *updateCorpus {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, s := range fuzzSeeds(t) {
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	seeds := fuzzSeeds(t)
	for i, s := range seeds {
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
		got, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)))
		if err != nil || string(got) != want {
			t.Fatalf("testdata seed-%d is missing or stale (%v); run go test -run TestFuzzSeedCorpus -update-corpus", i, err)
		}
	}
}
