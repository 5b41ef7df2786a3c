// timeline_test.go: timeline.csv writes every kind of record, with the
// quoting a spreadsheet expects, and reads back exactly.
package sessions

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ccscope/ccscope/live"
)

func TestTimelineCSV(t *testing.T) {
	recs := []live.Record{
		{At: 0, Kind: live.RecordInfo, Text: "flow 1 (cubic, bulk) started"},
		{At: 1500 * time.Millisecond, Kind: live.RecordChange, Text: "both delay 30ms"},
		{At: 2*time.Second + 7, Kind: live.RecordChange, Text: "uplink loss 1%", Scripted: true},
		{At: 3 * time.Second, Kind: live.RecordWarning, Text: `a "quoted" word`},
		{At: 90 * time.Minute, Kind: live.RecordError, Text: "two\nlines"},
	}
	var b bytes.Buffer
	if err := WriteTimelineCSV(&b, recs); err != nil {
		t.Fatal(err)
	}
	want := "t_ns,t,kind,scripted,text\n" +
		"0,0.000000000,info,false,\"flow 1 (cubic, bulk) started\"\n" +
		"1500000000,1.500000000,change,false,both delay 30ms\n" +
		"2000000007,2.000000007,change,true,uplink loss 1%\n" +
		"3000000000,3.000000000,warning,false,\"a \"\"quoted\"\" word\"\n" +
		"5400000000000,5400.000000000,error,false,\"two\nlines\"\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	got, err := ReadTimelineCSV(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, recs) {
		t.Errorf("read back %+v", got)
	}
	if err := WriteTimelineCSV(&b, []live.Record{{Kind: live.RecordInfo, Text: "\xff"}}); err == nil {
		t.Error("invalid UTF-8 written")
	}
	if err := WriteTimelineCSV(&b, []live.Record{{Kind: 0, Text: "x"}}); err == nil {
		t.Error("a record of no kind written")
	}
	for in, msg := range map[string]string{
		"": "empty",
		"t_ns,t,kind,scripted,text\n-1,0,info,false,x\n": "line 2: t_ns \"-1\"",
		"t_ns,t,kind,scripted,text\n1,0,info,maybe,x\n":  "line 2: scripted \"maybe\"",
		"t_ns,t,kind,scripted,text\n1,0,info,false\n":    "line 2: 4 fields, want 5",
	} {
		if _, err := ReadTimelineCSV(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: error %v, want %q", in, err, msg)
		}
	}
}
