package store

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// buildRun fills a store the way a short run would: gauges, an event
// series with folding, NaN gaps, a clamped append, labels that need CSV
// quoting. Same seed, same appends.
func buildRun(t testing.TB, seed uint64) *Store {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	st := NewStore()
	cwnd, err := st.Define("flow/1/cwnd", Meta{Unit: "bytes", Label: `cwnd, flow "1"`, Recent: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	owd, err := st.Define("flow/1/owd", Meta{Kind: Event, Unit: "s", Label: " one-way delay", MaxPoints: 500,
		Tiers: []Tier{{time.Millisecond, 300}, {10 * time.Millisecond, 50}, {100 * time.Millisecond, 4}}})
	if err != nil {
		t.Fatal(err)
	}
	q := st.Series("link/uplink,main/queue_bytes")
	for i := 0; i < 3000; i++ {
		now := time.Duration(i) * 10 * time.Millisecond
		v := rng.Float64() * 1e5
		if i%97 == 0 {
			v = math.NaN()
		}
		cwnd.Append(now, v)
		q.Append(now, float64(rng.IntN(100)))
		for j := 0; j < rng.IntN(5); j++ {
			owd.Append(now+time.Duration(rng.Int64N(int64(10*time.Millisecond))), rng.ExpFloat64()*0.02)
		}
	}
	cwnd.Append(time.Second, math.Copysign(0, -1)) // -0, clamped: earlier than the last append
	st.Series("empty/series")
	return st
}

func exportCSV(t testing.TB, st *Store, keys []string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := st.WriteCSV(&b, keys); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestCSVDeterministic: two stores fed the same appends export the same
// bytes; a different feed exports different bytes.
func TestCSVDeterministic(t *testing.T) {
	a, b := exportCSV(t, buildRun(t, 1), nil), exportCSV(t, buildRun(t, 1), nil)
	if !bytes.Equal(a, b) {
		t.Fatal("identical appends exported different CSV")
	}
	if c := exportCSV(t, buildRun(t, 2), nil); bytes.Equal(a, c) {
		t.Fatal("different appends exported identical CSV")
	}
	if len(a) < 10000 {
		t.Fatalf("export suspiciously small: %d bytes", len(a))
	}
}

// TestCSVRoundTrip: ReadCSV rebuilds a store that exports the same bytes,
// has the same keys, metadata and stats, answers every Window, Points,
// Last and Span query identically, and keeps behaving identically when
// both are appended to afterwards.
func TestCSVRoundTrip(t *testing.T) {
	orig := buildRun(t, 7)
	if st := orig.Lookup("flow/1/owd").Stats(); st.Widths[2] <= 100*time.Millisecond || st.Buckets[0] == 0 {
		t.Fatalf("the event series should have folded and coarsened: %+v", st)
	}
	if st := orig.Lookup("flow/1/cwnd").Stats(); st.Clamped != 1 || st.Buckets[0] == 0 {
		t.Fatalf("cwnd should have folded data and one clamped append: %+v", st)
	}
	data := exportCSV(t, orig, nil)
	back, err := ReadCSV(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if again := exportCSV(t, back, nil); !bytes.Equal(again, data) {
		t.Fatalf("re-export differs:\n%s", firstDiff(data, again))
	}
	if strings.Join(orig.Keys(), "|") != strings.Join(back.Keys(), "|") || orig.Version() != back.Version() {
		t.Fatalf("keys/version differ: %v %d vs %v %d", orig.Keys(), orig.Version(), back.Keys(), back.Version())
	}
	rng := rand.New(rand.NewPCG(8, 8))
	for _, k := range orig.Keys() {
		o, b := orig.Lookup(k), back.Lookup(k)
		om, _ := orig.Meta(k)
		bm, _ := back.Meta(k)
		if !om.equal(bm) {
			t.Fatalf("%s: meta %+v vs %+v", k, om, bm)
		}
		os, bs := o.Stats(), b.Stats()
		if os.Appended != bs.Appended || os.Clamped != bs.Clamped || os.Points != bs.Points ||
			!equalSlices(os.Buckets, bs.Buckets) || !equalSlices(os.Widths, bs.Widths) {
			t.Fatalf("%s: stats %+v vs %+v", k, os, bs)
		}
		p1, ok1 := o.Last()
		p2, ok2 := b.Last()
		if ok1 != ok2 || !samePoint(p1, p2) {
			t.Fatalf("%s: Last %v %v vs %v %v", k, p1, ok1, p2, ok2)
		}
		f1, l1 := o.Span()
		f2, l2 := b.Span()
		if f1 != f2 || l1 != l2 {
			t.Fatalf("%s: span differs", k)
		}
		for i := 0; i < 500; i++ {
			from := time.Duration(rng.Int64N(int64(31 * time.Second)))
			to := from + time.Duration(rng.Int64N(int64(31*time.Second)))
			mp := rng.IntN(300)
			w1, w2 := o.Window(from, to, mp), b.Window(from, to, mp)
			if !equalSlices(w1, w2) {
				t.Fatalf("%s: Window(%v, %v, %d) differs after the round trip", k, from, to, mp)
			}
			p1, p2 := o.Points(from, to), b.Points(from, to)
			if len(p1) != len(p2) {
				t.Fatalf("%s: Points(%v, %v) differs", k, from, to)
			}
			for j := range p1 {
				if !samePoint(p1[j], p2[j]) {
					t.Fatalf("%s: Points(%v, %v)[%d] = %v vs %v", k, from, to, j, p1[j], p2[j])
				}
			}
		}
	}
	// Appending on after a reload behaves exactly like the original.
	for _, st := range []*Store{orig, back} {
		for i := 0; i < 5000; i++ {
			now := 30*time.Second + time.Duration(i)*3*time.Millisecond
			st.Series("flow/1/owd").Append(now, float64(i%13))
			st.Series("flow/1/cwnd").Append(now, float64(i))
		}
	}
	if a, b := exportCSV(t, orig, nil), exportCSV(t, back, nil); !bytes.Equal(a, b) {
		t.Fatalf("after further appends the reloaded store diverges:\n%s", firstDiff(a, b))
	}
}

func samePoint(a, b Point) bool {
	return a.T == b.T && (a.V == b.V || math.IsNaN(a.V) && math.IsNaN(b.V))
}

func equalSlices[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return "line " + strconv.Itoa(i+1) + ":\n  " + la[i] + "\n  " + lb[i]
		}
	}
	return "lengths differ: " + strconv.Itoa(len(la)) + " vs " + strconv.Itoa(len(lb)) + " lines"
}

// TestCSVLayout pins the documented layout on a tiny store: header lines,
// the #series record, coarse rows first, NaN points with empty values,
// quoting of awkward keys and labels.
func TestCSVLayout(t *testing.T) {
	st := NewStore()
	s, err := st.Define("a,b", Meta{Unit: "x", Label: `say "hi"`, Recent: 20 * time.Millisecond, MaxPoints: 8,
		Tiers: []Tier{{10 * time.Millisecond, 4}}})
	if err != nil {
		t.Fatal(err)
	}
	s.Append(0, 1)
	s.Append(5*time.Millisecond, 3)
	s.Append(12*time.Millisecond, math.NaN())
	s.Append(30*time.Millisecond, 2.5)
	s.Append(35*time.Millisecond, math.Inf(1))
	s.Append(40*time.Millisecond, 7)
	got := string(exportCSV(t, st, nil))
	want := `# ccscope store v1
# #series,key,kind,unit,label,recent_ns,max_points,tiers,coarsest_ns,appended,clamped
key,tier,t_ns,last_ns,min,max,mean,count,sum
#series,"a,b",gauge,x,"say ""hi""",20000000,8,10000000x4,10000000,6,0
"a,b",1,0,5000000,1,3,2,2,4
"a,b",0,30000000,30000000,2.5,2.5,2.5,1,2.5
"a,b",0,35000000,35000000,,,,0,
"a,b",0,40000000,40000000,7,7,7,1,7
`
	if got != want {
		t.Fatalf("layout:\n%s\nwant:\n%s", got, want)
	}
	if err := st.WriteCSV(&bytes.Buffer{}, []string{"nope"}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("unknown key: %v", err)
	}
	if err := st.WriteCSV(&bytes.Buffer{}, []string{"a,b", "a,b"}); err == nil {
		t.Fatal("a key listed twice was accepted")
	}
}
