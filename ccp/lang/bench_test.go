package lang

import (
	"testing"

	"github.com/ccscope/ccscope/ccp/wire"
)

// BenchmarkCompile compiles generic-cong-avoid's default program, as an
// agent does for every datapath that connects.
func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(gcaDatapathIntervalRTTProg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileInstall adds making and encoding the INSTALL message.
func BenchmarkCompileInstall(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		p, err := Compile(gcaDatapathIntervalRTTProg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := wire.Encode(p.Install(1)); err != nil {
			b.Fatal(err)
		}
	}
}
