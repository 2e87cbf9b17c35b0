package rice

import (
	"math"
	"slices"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

var testCatalog = Catalog{
	"lab-a": {ID: "lab-a", Weeks: 4, FeeUSD: 20000},
	"lab-b": {ID: "lab-b", Weeks: 2, FeeUSD: 5000},
}

var testModel = EffortModel{CostPerPersonMonth: 10000, CertEffortPerWeek: 0.5}

func TestEffortOf(t *testing.T) {
	tests := []struct {
		name    string
		parts   []Part
		want    Effort
		wantErr bool
	}{
		{
			name:  "engineering only",
			parts: []Part{{Track: Cloud, Engineering: 2.5}},
			want:  Effort{Engineering: 2.5, Total: 2.5},
		},
		{
			name:  "tooling converts at the loaded cost",
			parts: []Part{{Track: Hardware, Engineering: 1, ToolingUSD: 45000}},
			// 45000 / 10000 = 4.5 person-months
			want: Effort{Engineering: 1, Tooling: 4.5, Total: 5.5, ToolingUSD: 45000},
		},
		{
			name:  "certification: fee plus team time per week",
			parts: []Part{{Track: Hardware, Engineering: 1, Certifications: []string{"lab-a"}}},
			// 20000/10000 + 4 weeks × 0.5 = 2 + 2 = 4
			want: Effort{Engineering: 1, Certification: 4, Total: 5, CertificationUSD: 20000, CertificationWeeks: 4},
		},
		{
			name: "a certification named by two parts counts once",
			parts: []Part{
				{Track: Hardware, Engineering: 2, ToolingUSD: 30000, Certifications: []string{"lab-a", "lab-b"}},
				{Track: Firmware, Engineering: 1, Certifications: []string{"lab-a"}},
			},
			// eng 3; tooling 3; certs: lab-a 2+2, lab-b 0.5+1 → 5.5; total 11.5
			want: Effort{Engineering: 3, Tooling: 3, Certification: 5.5, Total: 11.5,
				ToolingUSD: 30000, CertificationUSD: 25000, CertificationWeeks: 6},
		},
		{
			name:    "unknown certification",
			parts:   []Part{{Track: Hardware, Certifications: []string{"nope"}}},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := testModel.EffortOf(Feature{ID: "f", Parts: tt.parts}, testCatalog)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			fields := [][2]float64{
				{got.Engineering, tt.want.Engineering}, {got.Tooling, tt.want.Tooling},
				{got.Certification, tt.want.Certification}, {got.Total, tt.want.Total},
				{got.ToolingUSD, tt.want.ToolingUSD}, {got.CertificationUSD, tt.want.CertificationUSD},
				{got.CertificationWeeks, tt.want.CertificationWeeks},
			}
			for i, f := range fields {
				if !near(f[0], f[1]) {
					t.Errorf("field %d = %v, want %v (got %+v)", i, f[0], f[1], got)
				}
			}
		})
	}
}

func TestEffortOfRejectsNonPositiveCost(t *testing.T) {
	if _, err := (EffortModel{}).EffortOf(Feature{}, nil); err == nil {
		t.Fatal("want an error for a zero cost per person-month")
	}
}

func TestRankScoreAndTieBreaks(t *testing.T) {
	features := []Feature{
		// score 1000 × 1 × 0.5 / 1 = 500
		{ID: "low-conf", Reach: 1000, Impact: 1, Confidence: 0.5, Parts: []Part{{Track: Cloud, Engineering: 1}}},
		// score 1000 × 0.5 × 1 / 1 = 500: same score, higher confidence wins
		{ID: "high-conf", Reach: 1000, Impact: 0.5, Confidence: 1, Parts: []Part{{Track: Cloud, Engineering: 1}}},
		// score 2000 × 0.5 × 1 / 2 = 500, confidence 1: lower effort (high-conf) wins
		{ID: "big", Reach: 2000, Impact: 0.5, Confidence: 1, Parts: []Part{{Track: Cloud, Engineering: 2}}},
		// identical to big but id sorts first
		{ID: "aaa-big", Reach: 2000, Impact: 0.5, Confidence: 1, Parts: []Part{{Track: Cloud, Engineering: 2}}},
		// score 3000 × 3 × 0.8 / (1 + 4.5) = 1309.09…
		{ID: "best", Reach: 3000, Impact: 3, Confidence: 0.8, Parts: []Part{{Track: Hardware, Engineering: 1, ToolingUSD: 45000}}},
	}
	got, err := Rank(features, testModel, testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, s := range got {
		ids = append(ids, s.ID)
		if s.Rank != i+1 {
			t.Errorf("%s rank %d at position %d", s.ID, s.Rank, i)
		}
	}
	want := []string{"best", "high-conf", "aaa-big", "big", "low-conf"}
	if !slices.Equal(ids, want) {
		t.Errorf("order = %v, want %v", ids, want)
	}
	if !near(got[0].Score, 3000*3*0.8/5.5) {
		t.Errorf("best score = %v", got[0].Score)
	}
}

func TestRankRejectsZeroEffort(t *testing.T) {
	_, err := Rank([]Feature{{ID: "free", Reach: 1, Impact: 1, Confidence: 1, Parts: []Part{{Track: Cloud}}}}, testModel, testCatalog)
	if err == nil {
		t.Fatal("want an error for zero effort")
	}
}

func TestDependencyCycles(t *testing.T) {
	tests := []struct {
		name string
		deps map[string][]string
		want [][]string
	}{
		{"none", map[string][]string{"a": {"b"}, "b": {"c"}, "c": nil}, nil},
		{"two", map[string][]string{"a": {"b"}, "b": {"a"}}, [][]string{{"a", "b", "a"}}},
		{"three with tail", map[string][]string{"x": {"a"}, "a": {"b"}, "b": {"c"}, "c": {"a"}}, [][]string{{"a", "b", "c", "a"}}},
		{"unknown ids ignored", map[string][]string{"a": {"ghost"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fs []Feature
			for _, id := range []string{"x", "a", "b", "c"} {
				if deps, ok := tt.deps[id]; ok {
					fs = append(fs, Feature{ID: id, DependsOn: deps})
				}
			}
			got := DependencyCycles(fs)
			if len(got) != len(tt.want) {
				t.Fatalf("cycles = %v, want %v", got, tt.want)
			}
			for i := range got {
				if !slices.Equal(got[i], tt.want[i]) {
					t.Errorf("cycle %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestCompare(t *testing.T) {
	base := []Scored{
		{Feature: Feature{ID: "a"}, Rank: 1, Score: 10},
		{Feature: Feature{ID: "b"}, Rank: 2, Score: 8},
		{Feature: Feature{ID: "gone"}, Rank: 3, Score: 5},
	}
	head := []Scored{
		{Feature: Feature{ID: "b"}, Rank: 1, Score: 12},
		{Feature: Feature{ID: "a"}, Rank: 2, Score: 10},
		{Feature: Feature{ID: "new"}, Rank: 3, Score: 1},
	}
	got := Compare(base, head)
	want := []Change{
		{ID: "b", Kind: Changed, OldRank: 2, NewRank: 1, OldScore: 8, NewScore: 12, RankDelta: 1, ScoreDelta: 4},
		{ID: "a", Kind: Changed, OldRank: 1, NewRank: 2, OldScore: 10, NewScore: 10, RankDelta: -1},
		{ID: "new", Kind: Added, NewRank: 3, NewScore: 1},
		{ID: "gone", Kind: Removed, OldRank: 3, OldScore: 5},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Compare =\n%+v\nwant\n%+v", got, want)
	}
	same := Compare(base, base)
	for _, c := range same {
		if c.Kind != Unchanged {
			t.Errorf("%s: %s, want unchanged", c.ID, c.Kind)
		}
	}
}

func TestBuiltinCatalogIsComplete(t *testing.T) {
	c := BuiltinCatalog()
	for _, id := range []string{"fcc-sdoc", "fcc-id", "ised", "ce-red", "ukca", "ptcrb", "gcf", "carrier", "bt-sig",
		"wifi-alliance", "matter", "thread", "zigbee", "lorawan", "iec-62368", "ip-rating"} {
		cert, ok := c[id]
		if !ok {
			t.Errorf("catalog lacks %s", id)
			continue
		}
		if cert.Weeks <= 0 || cert.FeeUSD <= 0 || cert.Source == "" || cert.Name == "" || cert.ID != id {
			t.Errorf("%s is incomplete: %+v", id, cert)
		}
	}
}
