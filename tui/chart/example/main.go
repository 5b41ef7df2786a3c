// Command example prints ccscope's sample charts to the terminal so a
// person can look at them:
//
//	go run ./tui/chart/example [-w 100] [-h 18] [-plain]
package main

import (
	"flag"
	"fmt"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ccscope/ccscope/tui/chart/internal/demo"
)

func main() {
	w := flag.Int("w", 100, "chart width in cells")
	h := flag.Int("h", 18, "chart height in rows")
	plain := flag.Bool("plain", false, "strip colours")
	flag.Parse()

	for _, n := range demo.Charts() {
		s := n.Chart.Render(*w, *h)
		if *plain {
			s = ansi.Strip(s)
		}
		lipgloss.Println(s) // downsamples colours to what the terminal supports
		fmt.Println()
	}
}
