package export

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/iotpm/iotpm/pkg/kano"
)

func TestParseAnswer(t *testing.T) {
	for in, want := range map[string]kano.Answer{
		"I like it": kano.Like, "like": kano.Like, "1": kano.Like, " I LIKE IT ": kano.Like,
		"I expect it": kano.Expect, "It must be that way": kano.Expect, "must-be": kano.Expect,
		"I am neutral": kano.Neutral, "I don't care": kano.Neutral, "3": kano.Neutral,
		"I can tolerate it": kano.Tolerate, "I can live with it": kano.Tolerate, "live with": kano.Tolerate,
		"I dislike it": kano.Dislike, "5": kano.Dislike,
	} {
		if got, ok := ParseAnswer(in); !ok || got != want {
			t.Errorf("%q = %v %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "6", "maybe", "I love it"} {
		if _, ok := ParseAnswer(in); ok {
			t.Errorf("%q accepted", in)
		}
	}
}

// The same answers in the long and the wide form give the same responses.
func TestLongAndWideFormsAgree(t *testing.T) {
	dir := t.TempDir()
	answers := []string{"I like it", "I expect it", "I am neutral", "I can tolerate it", "I dislike it"}
	var long, wide strings.Builder
	long.WriteString("respondent,segment,feature,functional,dysfunctional,importance\n")
	wide.WriteString("Respondent ID,Segment,Importance,Edge anomaly - functional,Edge anomaly - dysfunctional,QR pairing (functional),QR pairing (dysfunctional)\n")
	for i := range 12 {
		seg := []string{"homeowner", "insurer"}[i%2]
		fa, da := answers[i%5], answers[(i*3)%5]
		fb, db := answers[(i+2)%5], answers[(i*2+1)%5]
		fmt.Fprintf(&long, "r%d,%s,edge-anomaly,%s,%s,4\nr%d,%s,qr-pairing,%s,%s,4\n", i, seg, fa, da, i, seg, fb, db)
		fmt.Fprintf(&wide, "r%d,%s,4,%s,%s,%s,%s\n", i, seg, fa, da, fb, db)
	}
	os.WriteFile(filepath.Join(dir, "long.csv"), []byte(long.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "wide.csv"), []byte(wide.String()), 0o644)
	l, ls, err := ReadSurvey(filepath.Join(dir, "long.csv"), nil)
	if err != nil {
		t.Fatal(err)
	}
	w, ws, err := ReadSurvey(filepath.Join(dir, "wide.csv"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ls.Form != "long" || ws.Form != "wide" || len(l) != 24 || ls.Bad+ws.Bad != 0 {
		t.Fatalf("forms %s %s, %d responses, bad %d %d", ls.Form, ws.Form, len(l), ls.Bad, ws.Bad)
	}
	if !reflect.DeepEqual(kano.Analyze(l, 1), kano.Analyze(w, 1)) {
		t.Errorf("long and wide differ:\n%+v\n%+v", kano.Analyze(l, 1), kano.Analyze(w, 1))
	}
}

func TestSurveyBadInput(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.csv")
	os.WriteFile(path, []byte("respondent,feature,functional,dysfunctional\n"+
		"r1,a,I like it,I dislike it\n"+
		"r1,a,I like it,I am neutral\n"+ // answered twice
		"r2,a,I love it,I dislike it\n"+ // unknown
		"r3,a,I like it,\n"), 0o644) // one of the two
	rs, st, err := ReadSurvey(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range st.Errors {
		got = append(got, e.Error())
	}
	want := []string{
		path + ":3: respondent r1 answered a twice (first at line 2); the second answer is not used",
		path + `:4: feature a: unknown functional answer "I love it" (` + answerHelp + ")",
		path + ":5: feature a: only one of the two questions is answered",
	}
	if len(rs) != 1 || !reflect.DeepEqual(got, want) {
		t.Errorf("%d responses, errors\n%q\nwant\n%q", len(rs), got, want)
	}
	os.WriteFile(path, []byte("Respondent,Edge functional,QR functional,QR dysfunctional\n"), 0o644)
	if _, _, err := ReadSurvey(path, nil); err == nil || !strings.Contains(err.Error(), "feature edge has no dysfunctional question column") {
		t.Errorf("err = %v", err)
	}
}

// Any survey file is read or refused with an error, never a panic, and
// what is read adds up: every response has answers in range and a feature.
func FuzzReadSurvey(f *testing.F) {
	f.Add("respondent,feature,functional,dysfunctional\nr1,a,I like it,I dislike it\nr1,a,1,5\n")
	f.Add("Respondent ID,Segment,QR pairing - functional,QR pairing - dysfunctional\nR1,home,I expect it,I dislike it\nR2,home,,\n")
	f.Add("respondent,feature,functional,dysfunctional,importance,segment\nr1,a,like,expect,7,x\nr2,a,maybe,1,x,y\n")
	f.Add("\xEF\xBB\xBFa - functional;a - dysfunctional\r\n1;2\r\n\"3\n\";4\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		path := filepath.Join(t.TempDir(), "s.csv")
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		responses, st, err := ReadSurvey(path, nil)
		if err != nil {
			return
		}
		if st.Answers != len(responses) {
			t.Fatalf("%d answers counted, %d responses", st.Answers, len(responses))
		}
		for _, r := range responses {
			if r.Feature == "" || r.Functional < kano.Like || r.Functional > kano.Dislike || r.Dysfunctional < kano.Like || r.Dysfunctional > kano.Dislike {
				t.Fatalf("bad response %+v", r)
			}
		}
		kano.Analyze(responses, 1)
	})
}
