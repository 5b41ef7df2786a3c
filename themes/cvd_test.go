// cvd_test.go checks that series and meaning-bearing roles stay apart,
// under normal colour vision and under simulated colour-vision
// deficiencies.
//
// Method. A colour's 8-bit sRGB is linearised (IEC 61966-2-1), multiplied
// by the Machado, Oliveira & Fernandes (2009) matrix for severity 1.0 of
// protanopia, deuteranopia or tritanopia (IEEE TVCG 15(6):1291–1298; the
// matrices applied in linear RGB, as colorspacious and DaltonLens do),
// clamped to [0, 1], converted to CIE XYZ (D65) and CIELAB, and
// compared with CIEDE2000 (Sharma, Wu & Dalal 2005, whose test pairs
// check the implementation below). Two colours count as distinguishable
// at ΔE00 ≥ 10: far above a just-noticeable difference (≈ 1–2.3) and
// about the distance a thin chart line needs to be told apart from its
// neighbour at a glance. CIE76 distances are logged alongside.
package themes

import (
	"fmt"
	"image/color"
	"math"
	"testing"
)

// minDeltaE is the least CIEDE2000 distance between colours that must be
// told apart.
const minDeltaE = 10

// vision is a simulated observer: a linear-RGB matrix (identity for
// normal vision).
type vision struct {
	name string
	m    [3][3]float64
}

// visions are normal vision and Machado et al. 2009, severity 1.0.
func visions() []vision {
	return []vision{
		{"normal", [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}},
		{"protanopia", [3][3]float64{
			{0.152286, 1.052583, -0.204868},
			{0.114503, 0.786281, 0.099216},
			{-0.003882, -0.048116, 1.051998}}},
		{"deuteranopia", [3][3]float64{
			{0.367322, 0.860646, -0.227968},
			{0.280085, 0.672501, 0.047413},
			{-0.011820, 0.042940, 0.968881}}},
		{"tritanopia", [3][3]float64{
			{1.255528, -0.076749, -0.178779},
			{-0.078411, 0.930809, 0.147602},
			{0.004733, 0.691367, 0.303900}}},
	}
}

// srgbLinear is IEC 61966-2-1's decoding of one channel in [0, 1].
func srgbLinear(s float64) float64 {
	if s <= 0.04045 {
		return s / 12.92
	}
	return math.Pow((s+0.055)/1.055, 2.4)
}

type lab struct{ L, a, b float64 }

// seenLab is how an observer sees c, in CIELAB (D65).
func seenLab(c color.Color, v vision) lab {
	r16, g16, b16, _ := c.RGBA()
	in := [3]float64{
		srgbLinear(float64(r16>>8) / 255),
		srgbLinear(float64(g16>>8) / 255),
		srgbLinear(float64(b16>>8) / 255),
	}
	var l [3]float64
	for i := range l {
		l[i] = math.Max(0, math.Min(1, v.m[i][0]*in[0]+v.m[i][1]*in[1]+v.m[i][2]*in[2]))
	}
	x := 0.4124564*l[0] + 0.3575761*l[1] + 0.1804375*l[2]
	y := 0.2126729*l[0] + 0.7151522*l[1] + 0.0721750*l[2]
	z := 0.0193339*l[0] + 0.1191920*l[1] + 0.9503041*l[2]
	f := func(t float64) float64 {
		if t > 216.0/24389 {
			return math.Cbrt(t)
		}
		return (24389.0/27*t + 16) / 116
	}
	fx, fy, fz := f(x/0.95047), f(y/1.0), f(z/1.08883)
	return lab{116*fy - 16, 500 * (fx - fy), 200 * (fy - fz)}
}

// deltaE76 is the Euclidean distance in CIELAB.
func deltaE76(p, q lab) float64 {
	return math.Sqrt((p.L-q.L)*(p.L-q.L) + (p.a-q.a)*(p.a-q.a) + (p.b-q.b)*(p.b-q.b))
}

// deltaE00 is CIEDE2000 with kL = kC = kH = 1 (Sharma, Wu, Dalal 2005).
func deltaE00(p, q lab) float64 {
	rad := math.Pi / 180
	c1, c2 := math.Hypot(p.a, p.b), math.Hypot(q.a, q.b)
	cBar7 := math.Pow((c1+c2)/2, 7)
	g := 0.5 * (1 - math.Sqrt(cBar7/(cBar7+math.Pow(25, 7))))
	a1, a2 := (1+g)*p.a, (1+g)*q.a
	c1p, c2p := math.Hypot(a1, p.b), math.Hypot(a2, q.b)
	hue := func(b, a float64) float64 {
		if a == 0 && b == 0 {
			return 0
		}
		h := math.Atan2(b, a) / rad
		if h < 0 {
			h += 360
		}
		return h
	}
	h1, h2 := hue(p.b, a1), hue(q.b, a2)
	dL := q.L - p.L
	dC := c2p - c1p
	dh := 0.0
	if c1p*c2p != 0 {
		dh = h2 - h1
		if dh > 180 {
			dh -= 360
		} else if dh < -180 {
			dh += 360
		}
	}
	dH := 2 * math.Sqrt(c1p*c2p) * math.Sin(dh/2*rad)
	lBar := (p.L + q.L) / 2
	cBarP := (c1p + c2p) / 2
	hBar := h1 + h2
	if c1p*c2p != 0 {
		switch {
		case math.Abs(h1-h2) <= 180:
			hBar = (h1 + h2) / 2
		case h1+h2 < 360:
			hBar = (h1 + h2 + 360) / 2
		default:
			hBar = (h1 + h2 - 360) / 2
		}
	}
	t := 1 - 0.17*math.Cos((hBar-30)*rad) + 0.24*math.Cos(2*hBar*rad) +
		0.32*math.Cos((3*hBar+6)*rad) - 0.20*math.Cos((4*hBar-63)*rad)
	dTheta := 30 * math.Exp(-math.Pow((hBar-275)/25, 2))
	cBarP7 := math.Pow(cBarP, 7)
	rc := 2 * math.Sqrt(cBarP7/(cBarP7+math.Pow(25, 7)))
	sl := 1 + 0.015*(lBar-50)*(lBar-50)/math.Sqrt(20+(lBar-50)*(lBar-50))
	sc := 1 + 0.045*cBarP
	sh := 1 + 0.015*cBarP*t
	rt := -math.Sin(2*dTheta*rad) * rc
	return math.Sqrt((dL/sl)*(dL/sl) + (dC/sc)*(dC/sc) + (dH/sh)*(dH/sh) + rt*(dC/sc)*(dH/sh))
}

func TestDeltaE00Reference(t *testing.T) {
	// Test pairs 1, 2, 7, 17, 25 and 34 of Sharma, Wu & Dalal (2005),
	// Table 1.
	for i, c := range []struct {
		p, q lab
		want float64
	}{
		{lab{50, 2.6772, -79.7751}, lab{50, 0, -82.7485}, 2.0425},
		{lab{50, 3.1571, -77.2803}, lab{50, 0, -82.7485}, 2.8615},
		{lab{50, 0, 0}, lab{50, -1, 2}, 2.3669},
		{lab{50, 2.5, 0}, lab{73, 25, -18}, 27.1492},
		{lab{60.2574, -34.0099, 36.2677}, lab{60.4626, -34.1751, 39.4387}, 1.2644},
		{lab{2.0776, 0.0795, -1.1350}, lab{0.9033, -0.0636, -0.5514}, 0.9082},
	} {
		if got := deltaE00(c.p, c.q); math.Abs(got-c.want) > 1e-4 {
			t.Errorf("pair %d: ΔE00 = %.4f, want %.4f", i, got, c.want)
		}
		if got := deltaE00(c.q, c.p); math.Abs(got-c.want) > 1e-4 {
			t.Errorf("pair %d reversed: ΔE00 = %.4f, want %.4f", i, got, c.want)
		}
	}
}

func TestSimulationReference(t *testing.T) {
	// Sanity of the pipeline: white stays white and black black under
	// every matrix (their rows sum to 1), and the classic confusion pair
	// of red and green collapses under deuteranopia while blue and
	// orange do not.
	red, green := rgb(0xd0, 0x30, 0x30), rgb(0x30, 0x90, 0x30)
	for _, v := range visions() {
		for _, c := range []color.Color{rgb(255, 255, 255), rgb(0, 0, 0)} {
			if d := deltaE00(seenLab(c, v), seenLab(c, visions()[0])); d > 0.5 {
				t.Errorf("%s moves %s by ΔE00 %.2f", v.name, ColorString(c), d)
			}
		}
	}
	deut := visions()[2]
	if d := deltaE00(seenLab(red, deut), seenLab(green, deut)); d >= minDeltaE {
		t.Errorf("red/green under deuteranopia ΔE00 = %.1f; the simulation should confuse them", d)
	}
	if d := deltaE00(seenLab(rgb(0x00, 0x72, 0xb2), deut), seenLab(rgb(0xe6, 0x9f, 0x00), deut)); d < 30 {
		t.Errorf("blue/orange under deuteranopia ΔE00 = %.1f; the simulation should keep them apart", d)
	}
}

// namedColour is a role or flow with its colour.
type namedColour struct {
	name string
	c    color.Color
}

// pairCheck requires every pair of cs to be at least minDeltaE apart
// for each vision, and returns the closest pair per vision.
func pairCheck(t *testing.T, what string, cs []namedColour, vs []vision) {
	t.Helper()
	for _, v := range vs {
		lo, lo76, which := math.Inf(1), math.Inf(1), ""
		for i := range cs {
			for j := i + 1; j < len(cs); j++ {
				p, q := seenLab(cs[i].c, v), seenLab(cs[j].c, v)
				d := deltaE00(p, q)
				lo76 = math.Min(lo76, deltaE76(p, q))
				if d < lo {
					lo, which = d, cs[i].name+"/"+cs[j].name
				}
				if d < minDeltaE {
					t.Errorf("%s under %s: %s %s and %s %s are ΔE00 %.1f apart, want ≥ %d",
						what, v.name, cs[i].name, ColorString(cs[i].c), cs[j].name, ColorString(cs[j].c), d, minDeltaE)
				}
			}
		}
		t.Logf("%-34s %-12s closest ΔE00 %5.1f (%s), closest ΔE76 %5.1f", what, v.name, lo, which, lo76)
	}
}

// roleGroups are roles that carry different meanings side by side and so
// must differ: status colours, the two directions, chart references.
func roleGroups() [][]string {
	return [][]string{
		{"good", "warning", "error"},
		{"uplink", "downlink"},
		{"capacity", "total", "p95", "marker"},
		{"accent", "border"},
	}
}

func roleColours(th Theme, keys []string) []namedColour {
	var out []namedColour
	for _, k := range keys {
		c, _ := th.Color(k)
		out = append(out, namedColour{k, c})
	}
	return out
}

func flowColours(th Theme, n int) []namedColour {
	var out []namedColour
	for i := 0; i < n && i < len(th.Flows); i++ {
		out = append(out, namedColour{fmt.Sprintf("flows[%d]", i), th.Flows[i]})
	}
	return out
}

func TestColorblindSafe(t *testing.T) {
	th, ok := ByName("colorblind")
	if !ok {
		t.Fatal("no colorblind theme")
	}
	all := visions()
	// The brief's requirement: the first six flows under deuteranopia and
	// protanopia; tritanopia and all eight flows are held to it as well.
	pairCheck(t, "first 6 flows", flowColours(th, 6), all)
	pairCheck(t, "all 8 flows", flowColours(th, 8), all)
	for _, g := range roleGroups() {
		pairCheck(t, fmt.Sprint(g), roleColours(th, g), all)
	}
}

func TestBuiltinsDistinguishable(t *testing.T) {
	normal := visions()[:1]
	redGreen := visions()[1:3]
	for _, th := range Builtins() {
		t.Run(th.Name, func(t *testing.T) {
			pairCheck(t, "all flows", flowColours(th, len(th.Flows)), normal)
			for _, g := range roleGroups() {
				pairCheck(t, fmt.Sprint(g), roleColours(th, g), normal)
			}
			// Every theme is used in classrooms: its first three flows and
			// its status colours survive red–green colour blindness too.
			pairCheck(t, "first 3 flows", flowColours(th, 3), redGreen)
			pairCheck(t, "[good warning error]", roleColours(th, []string{"good", "warning", "error"}), redGreen)
			pairCheck(t, "[uplink downlink]", roleColours(th, []string{"uplink", "downlink"}), redGreen)
		})
	}
}
