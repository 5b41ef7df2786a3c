package lang

import (
	"reflect"
	"testing"

	"github.com/ccscope/ccscope/ccp/wire"
)

// Datapath programs real agents install: generic-cong-avoid 0.5.0 (the
// reno and cubic agents; portus 0.8), ccp-project/bbr and nimbus. Each
// compiled here to the same bytes as with portus 0.8's compiler.
const (
	gcaDatapathIntervalProg = `                (def
                (Report
                    (volatile acked 0)
                    (volatile sacked 0)
                    (volatile loss 0)
                    (volatile timeout false)
                    (volatile rtt 0)
                    (volatile inflight 0)
                )
                (reportTime 0)
                )
                (when true
                    (:= Report.inflight Flow.packets_in_flight)
                    (:= Report.rtt Flow.rtt_sample_us)
                    (:= Report.acked (+ Report.acked Ack.bytes_acked))
                    (:= Report.sacked (+ Report.sacked Ack.packets_misordered))
                    (:= Report.loss Ack.lost_pkts_sample)
                    (:= Report.timeout Flow.was_timeout)
                    (fallthrough)
                )
                (when (|| Report.timeout (> Report.loss 0))
                    (report)
                    (:= Micros 0)
                )
                (when (> Micros reportTime)
                    (report)
                    (:= Micros 0)
                )
            `
	gcaDatapathIntervalRTTProg = `                (def (Report
                    (volatile acked 0)
                    (volatile sacked 0) 
                    (volatile loss 0)
                    (volatile timeout false)
                    (volatile rtt 0)
                    (volatile inflight 0)
                ))
                (when true
                    (:= Report.inflight Flow.packets_in_flight)
                    (:= Report.rtt Flow.rtt_sample_us)
                    (:= Report.acked (+ Report.acked Ack.bytes_acked))
                    (:= Report.sacked (+ Report.sacked Ack.packets_misordered))
                    (:= Report.loss Ack.lost_pkts_sample)
                    (:= Report.timeout Flow.was_timeout)
                    (fallthrough)
                )
                (when (|| Report.timeout (> Report.loss 0))
                    (report)
                    (:= Micros 0)
                )
                (when (> Micros Flow.rtt_sample_us)
                    (report)
                    (:= Micros 0)
                )
            `
	gcaAckUpdateProg = `                (def (Report
                    (volatile acked 0)
                    (volatile sacked 0)
                    (volatile loss 0)
                    (volatile timeout false)
                    (volatile rtt 0)
                    (volatile inflight 0)
                ))
                (when true
                    (:= Report.acked (+ Report.acked Ack.bytes_acked))
                    (:= Report.sacked (+ Report.sacked Ack.packets_misordered))
                    (:= Report.loss Ack.lost_pkts_sample)
                    (:= Report.timeout Flow.was_timeout)
                    (:= Report.rtt Flow.rtt_sample_us)
                    (:= Report.inflight Flow.packets_in_flight)
                    (report)
                )
            `
	gcaSSUpdateProg = `                (def (Report
                    (volatile acked 0)
                    (volatile sacked 0)
                    (volatile loss 0)
                    (volatile timeout false)
                    (volatile rtt 0)
                    (volatile inflight 0)
                ))
                (when true
                    (:= Report.acked (+ Report.acked Ack.bytes_acked))
                    (:= Report.sacked (+ Report.sacked Ack.packets_misordered))
                    (:= Report.loss Ack.lost_pkts_sample)
                    (:= Report.timeout Flow.was_timeout)
                    (:= Report.rtt Flow.rtt_sample_us)
                    (:= Report.inflight Flow.packets_in_flight)
                    (:= Cwnd (+ Cwnd Ack.bytes_acked))
                    (fallthrough)
                )
                (when (|| Report.timeout (> Report.loss 0))
                    (report)
                )

            `
	bbrInitProgram = `                (def
                    (Report 
                        (volatile loss 0)
                        (minrtt +infinity)
                        (volatile rate 0) 
                        (pulseState 0)
                    )
                )
                (when true
                    (:= Report.loss (+ Report.loss Ack.lost_pkts_sample))
                    (:= Report.minrtt (min Report.minrtt Flow.rtt_sample_us))
                    (:= Report.rate (max Report.rate (min Flow.rate_outgoing Flow.rate_incoming)))
                    (:= Report.pulseState 5)
                    (fallthrough)
                )
                (when (> Micros Report.minrtt)
                    (report)
                )
            `
	bbrProbeRTT = `		(def 
		    (Report (volatile minrtt +infinity))
		    (volatile target_inflight_reached 0)
		)
		(when true
		    (:= Report.minrtt (min Report.minrtt Flow.rtt_sample_us))
		    (fallthrough)
		)
		(when (&& (== target_inflight_reached 0)
			  (|| (< Flow.packets_in_flight 4) (== Flow.packets_in_flight 4)))
		    (:= target_inflight_reached 1)
		    (:= Micros 0)
		)
		(when (&& (== target_inflight_reached 1) 
		          (&& (> Micros Flow.rtt_sample_us) (> Micros 200000))
                      )
                    (:= Micros 0)
		    (report)
		)
            `
	bbrProbeBW = `                (def
                    (Report 
                        (volatile loss 0)
                        (volatile minrtt +infinity)
                        (volatile rate 0) 
                        (pulseState 0)
                    )
                    (pulseState 0)
                    (cwndCap 0)
                    (bottleRate 0)
                    (threeFourthsRate 0)
                    (fiveFourthsRate 0)
                )
                (when true
                    (:= Report.loss (+ Report.loss Ack.lost_pkts_sample))
                    (:= Report.minrtt (min Report.minrtt Flow.rtt_sample_us))
                    (:= Report.pulseState pulseState)
                    (:= Report.rate (max Report.rate (min Flow.rate_outgoing Flow.rate_incoming)))
                    (fallthrough)
                )
                (when (&& (> Micros Report.minrtt) (== pulseState 0))
                    (:= Rate threeFourthsRate)
                    (:= pulseState 1)
                    (report)
                )
                (when (&& (> Micros (* Report.minrtt 2)) (== pulseState 1))
                    (:= Rate bottleRate)
                    (:= pulseState 2)
                    (report)
                )
                (when (&& (> Micros (* Report.minrtt 8)) (== pulseState 2))
                    (:= pulseState 0)
                    (:= Cwnd cwndCap)
                    (:= Rate fiveFourthsRate)
                    (:= Micros 0)
                    (report)
                )
	    `
	nimbusProgram = `                (def 
                    (Report
                        (volatile acked 0)
                        (volatile rtt 0)
                        (volatile loss 0)
                        (volatile rin 0)
                        (volatile rout 0)
                        (volatile timeout false)
                    )
                    (report_time 0)
                )
                (when true
                    (:= Report.acked (+ Report.acked Ack.bytes_acked))
                    (:= Report.rtt Flow.rtt_sample_us)
                    (:= Report.rin Flow.rate_outgoing)
                    (:= Report.rout Flow.rate_incoming)
                    (:= Report.loss Ack.lost_pkts_sample)
                    (:= Report.timeout Flow.was_timeout)
                    (fallthrough)
                )
                (when (|| Report.timeout (> Report.loss 0))
                    (report)
                    (:= Micros 0)
                )
                (when (> Micros report_time)
                    (report)
                    (:= Micros 0)
                )
            `
)

func realPrograms() map[string]string {
	return map[string]string{
		"DatapathIntervalProg":    gcaDatapathIntervalProg,
		"DatapathIntervalRTTProg": gcaDatapathIntervalRTTProg,
		"AckUpdateProg":           gcaAckUpdateProg,
		"SSUpdateProg":            gcaSSUpdateProg,
		"bbr init_program":        bbrInitProgram,
		"bbr probe_rtt":           bbrProbeRTT,
		"bbr probe_bw":            bbrProbeBW,
		"nimbus_program":          nimbusProgram,
	}
}

func TestRealPrograms(t *testing.T) {
	gca := []string{"acked", "sacked", "loss", "timeout", "rtt", "inflight"}
	bbr := []string{"loss", "minrtt", "rate", "pulseState"}
	for name, want := range map[string][]string{
		"DatapathIntervalProg":    gca,
		"DatapathIntervalRTTProg": gca,
		"AckUpdateProg":           gca,
		"SSUpdateProg":            gca,
		"bbr init_program":        bbr,
		"bbr probe_rtt":           {"minrtt"},
		"bbr probe_bw":            bbr,
		"nimbus_program":          {"acked", "rtt", "loss", "rin", "rout", "timeout"},
	} {
		p := mustCompile(t, realPrograms()[name])
		if got := p.ReportNames(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: reports %q, want %q", name, got, want)
		}
		roundTrip(t, p)
	}
}

// roundTrip checks that p's INSTALL encodes and decodes back.
func roundTrip(t testing.TB, p *Program) {
	t.Helper()
	m := p.Install(3)
	b, err := wire.Encode(m)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	got, err := wire.Decode(b)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("decoded %+v, want %+v", got, m)
	}
}

// The default program of generic-cong-avoid, instruction by instruction
// as portus's rules give it: six volatile report registers in
// declaration order, their DEFs sorted by name, the body's temporaries
// numbered from 0 per statement, || compiled to ADD.
func TestDatapathIntervalRTTProg(t *testing.T) {
	const acked, sacked, loss, timeout, rtt, inflight = 0, 1, 2, 3, 4, 5
	p := mustCompile(t, gcaDatapathIntervalRTTProg)
	checkInstrs(t, p.Instrs, []wire.Instr{
		// acked, inflight, loss, rtt, sacked, timeout
		def(vrep(acked), imm(0)),
		def(vrep(inflight), imm(0)),
		def(vrep(loss), imm(0)),
		def(vrep(rtt), imm(0)),
		def(vrep(sacked), imm(0)),
		def(vrep(timeout), imm(0)), // false
		// (when true
		bind(imp(0), imm(1)),
		bind(vrep(inflight), prim(10)), // Flow.packets_in_flight
		bind(vrep(rtt), prim(13)),      // Flow.rtt_sample_us
		ins(wire.OpAdd, tmp(0), vrep(acked), prim(0)),
		bind(vrep(acked), tmp(0)),
		ins(wire.OpAdd, tmp(0), vrep(sacked), prim(7)), // Ack.packets_misordered
		bind(vrep(sacked), tmp(0)),
		bind(vrep(loss), prim(4)),     // Ack.lost_pkts_sample
		bind(vrep(timeout), prim(14)), // Flow.was_timeout
		bind(imp(1), imm(1)),          // (fallthrough)
		// (when (|| Report.timeout (> Report.loss 0))
		ins(wire.OpGt, tmp(0), vrep(loss), imm(0)),
		ins(wire.OpAdd, imp(0), vrep(timeout), tmp(0)),
		bind(imp(2), imm(1)), // (report)
		bind(imp(3), imm(0)), // (:= Micros 0)
		// (when (> Micros Flow.rtt_sample_us)
		ins(wire.OpGt, imp(0), imp(3), prim(13)),
		bind(imp(2), imm(1)),
		bind(imp(3), imm(0)),
	})
	if want := []wire.Expr{ev(6, 1, 7, 9), ev(16, 2, 18, 2), ev(20, 1, 21, 2)}; !reflect.DeepEqual(p.Exprs, want) {
		t.Errorf("events %v, want %v", p.Exprs, want)
	}
	for i, v := range p.Reports {
		if v.Reg != vrep(uint32(i)) || !v.Volatile || v.Init != 0 || v.Bool != (v.Name == "timeout") {
			t.Errorf("report %d: %+v", i, v)
		}
	}
	if len(p.Controls) != 0 {
		t.Errorf("controls %+v", p.Controls)
	}
	b, _ := wire.Encode(p.Install(1))
	if len(b) != 20+16*(3+23) {
		t.Errorf("INSTALL of %d bytes", len(b))
	}
}

func TestDatapathIntervalProg(t *testing.T) {
	p := mustCompile(t, gcaDatapathIntervalProg)
	// "reportTime" sorts after every "Report.…".
	if p.Instrs[6] != def(ctl(0), imm(0)) {
		t.Errorf("DEF of reportTime: %v", p.Instrs[6])
	}
	if want := []wire.Expr{ev(7, 1, 8, 9), ev(17, 2, 19, 2), ev(21, 1, 22, 2)}; !reflect.DeepEqual(p.Exprs, want) {
		t.Errorf("events %v, want %v", p.Exprs, want)
	}
	if got := p.Instrs[21]; got != ins(wire.OpGt, imp(0), imp(3), ctl(0)) {
		t.Errorf("(> Micros reportTime): %v", got)
	}
	if r, ok := p.Field("reportTime"); !ok || r != ctl(0) {
		t.Errorf("Field(reportTime) = %v, %v", r, ok)
	}
}

func TestAckUpdateProg(t *testing.T) {
	p := mustCompile(t, gcaAckUpdateProg)
	if want := []wire.Expr{ev(6, 1, 7, 9)}; !reflect.DeepEqual(p.Exprs, want) {
		t.Errorf("events %v, want %v", p.Exprs, want)
	}
	if got := p.Instrs[len(p.Instrs)-1]; got != bind(imp(2), imm(1)) {
		t.Errorf("last instruction %v, want the report", got)
	}
}

func TestSSUpdateProg(t *testing.T) {
	p := mustCompile(t, gcaSSUpdateProg)
	// (:= Cwnd (+ Cwnd Ack.bytes_acked)) then (fallthrough).
	checkInstrs(t, p.Instrs[15:18], []wire.Instr{
		ins(wire.OpAdd, tmp(0), imp(4), prim(0)),
		bind(imp(4), tmp(0)),
		bind(imp(1), imm(1)),
	})
	if want := []wire.Expr{ev(6, 1, 7, 11), ev(18, 2, 20, 1)}; !reflect.DeepEqual(p.Exprs, want) {
		t.Errorf("events %v, want %v", p.Exprs, want)
	}
}

// bbr's probe_bw declares Report.pulseState and a control pulseState:
// the DEF preamble sorts report and control variables together.
func TestBBRProbeBW(t *testing.T) {
	p := mustCompile(t, bbrProbeBW)
	checkInstrs(t, p.Instrs[:9], []wire.Instr{
		def(vrep(0), imm(0)),          // Report.loss
		def(vrep(1), imm(0xFFFFFFFF)), // Report.minrtt
		def(rep(3), imm(0)),           // Report.pulseState
		def(vrep(2), imm(0)),          // Report.rate
		def(ctl(2), imm(0)),           // bottleRate
		def(ctl(1), imm(0)),           // cwndCap
		def(ctl(4), imm(0)),           // fiveFourthsRate
		def(ctl(0), imm(0)),           // pulseState
		def(ctl(3), imm(0)),           // threeFourthsRate
	})
	var names []string
	for _, v := range p.Controls {
		names = append(names, v.Name)
	}
	if want := []string{"pulseState", "cwndCap", "bottleRate", "threeFourthsRate", "fiveFourthsRate"}; !reflect.DeepEqual(names, want) {
		t.Errorf("controls %q, want %q", names, want)
	}
	if r, ok := p.Field("cwndCap"); !ok || r != ctl(1) {
		t.Errorf("Field(cwndCap) = %v, %v", r, ok)
	}
	// (when (&& (> Micros (* Report.minrtt 2)) (== pulseState 1)) …
	cond := p.Instrs[p.Exprs[2].CondStart : p.Exprs[2].CondStart+p.Exprs[2].CondLen]
	checkInstrs(t, cond, []wire.Instr{
		ins(wire.OpMul, tmp(0), vrep(1), imm(2)),
		ins(wire.OpGt, tmp(1), imp(3), tmp(0)),
		ins(wire.OpEquiv, tmp(2), ctl(0), imm(1)),
		ins(wire.OpMul, imp(0), tmp(1), tmp(2)),
	})
}

func TestBBRProbeRTT(t *testing.T) {
	p := mustCompile(t, bbrProbeRTT)
	want := []Var{{Name: "target_inflight_reached", Reg: vctl(0), Volatile: true}}
	if !reflect.DeepEqual(p.Controls, want) {
		t.Errorf("controls %+v, want %+v", p.Controls, want)
	}
	if p.Reports[0].Reg != vrep(0) || p.Reports[0].Init != 0xFFFFFFFF {
		t.Errorf("minrtt %+v", p.Reports[0])
	}
}
