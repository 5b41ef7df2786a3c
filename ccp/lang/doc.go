// Package lang owns the CCP datapath-program language: its parser, its
// type checker and its compiler to libccp's register instructions, the
// INSTALL message a program becomes, and a disassembler for such
// messages (ccp-protocol.md §4).
//
// The compiler follows portus v0.8.0 (src/lang): for every program both
// accept, Compile produces exactly portus's expression table and
// instructions, register for register — the DEF preamble sorted by name,
// report registers in declaration order, temporaries numbered from 0 for
// each statement, locals typed by the value first bound to them, +infinity
// sent as the immediate 0xFFFFFFFF. Its grammar is portus's to the letter,
// quirks included: keywords and operators match as prefixes ("(addx 1)"
// is (add x 1), "(volatilefoo 0)" declares a volatile foo), at most one
// comment line may stand before each (when …), and "(def" takes no space
// after its parenthesis.
//
// Compile refuses some programs portus accepts or crashes on, each with an
// *Error saying where and why:
//   - inputs on which portus panics: a comment inside a (when …), a
//     (report) or (fallthrough) in a condition, a bare Report variable as a
//     condition, an (if …), (!if …) or (ewma …) that is not the value of a
//     (:= …) binding a Report or control variable;
//   - a name that is read but never declared nor bound anywhere (a typo
//     that portus compiles into a read of an always-zero local), an
//     undeclared Report.x, Ack.x or Flow.x, and a (:= x y) where neither x
//     nor y has a value yet (portus then mistypes x and may later write y);
//   - a declaration whose initial value is a name, a variable declared
//     twice, and a declaration that shadows a built-in (Cwnd, Micros,
//     Ack.now, …);
//   - programs beyond libccp's tables: more than 256 instructions or
//     expressions (portus sends them anyway).
//
// Portus's own limits are kept: immediates below 2³¹ (or +infinity), at
// most 16 report, 16 control and 16 temporary registers and 6 locals.
package lang
