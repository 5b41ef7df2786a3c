// Package chart draws ccscope's time charts as plain strings for the TUI to
// compose: one y quantity with a unit over experiment time, several coloured
// series, a legend, horizontal reference lines and vertical event markers,
// on a braille canvas (2×4 dots per terminal cell). It does not import
// bubbletea; the app calls Render on every redraw and places the result.
//
// # Drawing
//
// Time runs along x (seconds; the caller picks the visible window), values
// along y (a fixed range, or automatic: 0..max with 5% headroom, extended
// to nice ticks, negative data welcome). A Series is either raw Points or
// downsampled Aggs. Points are drawn as a Line (consecutive points joined),
// Steps (horizontal then vertical) or Dots (one dot each, for scatter).
// Aggs are drawn as a min–max envelope in every dot column (interpolated
// between buckets further apart than a column, except for Dots) in a dimmed
// version of the series colour, with the means drawn in the series style on
// top. Non-finite values and time gaps longer than Series.MaxGap break a line.
//
// Reference lines (HLine) are dashed across the plot with their label at
// its right edge; markers are dotted vertical lines with ▼ on the plot's
// top row and their label beside it (right, else left) where it fits.
//
// # Axes and text
//
// The y axis has 2–6 ticks (as many as the plot height allows, at most
// one label every other row) at 1, 2, 2.5 or 5 × 10ⁿ, labelled compactly:
// 0, 0.25, 500, 1k, 1.5k, 25M, with %g beyond what SI suffixes or six
// decimals show. The x axis has time ticks at 1-2-5 sub-second steps, then
// 1, 2, 5, 10, 15, 20, 30 s, minutes, hours, days, spaced so the labels
// keep three cells apart (ten at least), labelled 0.5s / 20s below 100 s,
// m:ss below an hour, h:mm:ss above. The title row holds "Title (unit)"
// and, right-aligned, the legend: "■ name" per named series.
//
// Caller text (title, unit, names, labels) is placed by grapheme cluster;
// control characters, invalid UTF-8 and zero-width clusters are dropped.
// Should a row's caller text still combine with its neighbours into a
// different width, that row shows it as "?" so the width stays exact.
//
// # Colour rule
//
// A braille cell shows one colour. Drawing goes in layers: reference lines
// and markers first, then the series in slice order (for each series its
// envelope, then its line), then text (reference-line labels, marker glyphs
// and labels). A cell takes the colour of the last layer that put a dot or
// text in it, so a later series wins a shared cell — put the series that
// matters most last. Dots themselves accumulate: a cell shows the union of
// every layer's dots.
//
// # Sizes
//
// Render(width, height) returns exactly height lines (joined by "\n", no
// trailing newline), each exactly width cells wide as measured by
// lipgloss.Width / ansi.StringWidth. height ≤ 0 gives ""; width ≤ 0 gives
// height empty lines. The rows are: title (when there is a title, unit or
// named series), the plot, the x-axis line, the x-axis labels. As space
// shrinks the chart gives up, in order: the legend (names are cut with "…",
// then entries dropped, then the legend goes; then the title is cut), the
// y-axis labels (when they would leave a plot under 10 cells), marker
// labels (plot under 4 rows), the x-axis line (fewer than 4 rows below the
// title), the x-axis labels (fewer than 3), the title row (height 1). The
// plot always keeps at least one row.
//
// # Output
//
// Colour runs are emitted as SGR sequences exactly as lipgloss renders a
// foreground-coloured single-line string ("\x1b[38;2;r;g;bm" … "\x1b[m";
// basic and 256-colour values keep their short forms), so the terminal
// renderer downsamples them like any lipgloss output. Equal input gives
// byte-identical output.
//
// # Cost
//
// A Chart keeps scratch buffers between renders, so re-rendering a chart
// every frame allocates only its result string. Do not render one Chart
// (or copies of a rendered Chart, which share the scratch) from several
// goroutines at once.
package chart
