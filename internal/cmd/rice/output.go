package rice

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/planning"

	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/rice"
)

// rankingJSON is the JSON/YAML contract of `iotpm rice`.
type rankingJSON struct {
	EffortModel effortModelJSON `json:"effort_model"`
	Features    []featureJSON   `json:"features"`
}

type effortModelJSON struct {
	CostPerPersonMonth float64 `json:"cost_per_person_month"`
	CertEffortPerWeek  float64 `json:"cert_effort_per_week"`
}

// batteryLifeJSON is a device's life today and with the feature.
type batteryLifeJSON struct {
	Device     string  `json:"device"`
	TodayYears float64 `json:"today_years"`
	WithYears  float64 `json:"with_years"`
}

type featureJSON struct {
	Rank               int        `json:"rank"`
	ID                 string     `json:"id"`
	Title              string     `json:"title"`
	Score              float64    `json:"score"`
	Reach              float64    `json:"reach"`
	Impact             float64    `json:"impact"`
	Confidence         float64    `json:"confidence"`
	Tracks             []string   `json:"tracks"`
	Theme              string     `json:"theme"`
	Kano               string     `json:"kano"`
	Effort             effortJSON `json:"effort"`
	ToolingUSD         float64    `json:"tooling_usd"`
	CertificationUSD   float64    `json:"certification_usd"`
	CertificationWeeks float64    `json:"certification_weeks"`
	Certifications     []string   `json:"certifications"`
	DependsOn          []string   `json:"depends_on"`
	// BatteryCostYears is the largest life change the feature alone makes
	// to a device (years, negative: shorter); absent without device events.
	BatteryCostYears *float64 `json:"battery_cost_years,omitempty"`
	// BatteryLife: where the shelf-life cap makes the device's life change
	// otherwise than battery_cost_years (capacity life), its lives.
	BatteryLife *batteryLifeJSON `json:"battery_life,omitempty"`
	// RecurringCostPerDeviceMonth is the largest change the feature alone
	// makes to one model's recurring cost per activated device-month
	// (economics.yaml's currency; negative: cheaper); absent when its
	// events send nothing or the repo has no economics.yaml.
	RecurringCostPerDeviceMonth *float64 `json:"recurring_cost_per_device_month,omitempty"`
}

// Costs are what a feature costs besides its effort (planning.Costs).
type Costs = planning.Costs

type effortJSON struct {
	Engineering   float64 `json:"engineering"`
	Tooling       float64 `json:"tooling"`
	Certification float64 `json:"certification"`
	Total         float64 `json:"total"`
}

func toFeatureJSON(s rice.Scored) featureJSON {
	tracks := []string{}
	for _, t := range s.Feature.Tracks() {
		tracks = append(tracks, string(t))
	}
	return featureJSON{
		Rank: s.Rank, ID: s.ID, Title: s.Title, Score: s.Score,
		Reach: s.Reach, Impact: s.Impact, Confidence: s.Confidence,
		Tracks: tracks, Theme: s.Theme, Kano: string(s.Kano),
		Effort: effortJSON{
			Engineering: s.Effort.Engineering, Tooling: s.Effort.Tooling,
			Certification: s.Effort.Certification, Total: s.Effort.Total,
		},
		ToolingUSD: s.Effort.ToolingUSD, CertificationUSD: s.Effort.CertificationUSD,
		CertificationWeeks: s.Effort.CertificationWeeks,
		Certifications:     render.OrEmpty(s.Feature.Certifications()),
		DependsOn:          render.OrEmpty(s.DependsOn),
	}
}

func tracksText(s rice.Scored) string {
	var names []string
	for _, t := range s.Feature.Tracks() {
		names = append(names, string(t))
	}
	return strings.Join(names, "+")
}

// rankingTable is the human view; exact selects full precision for CSV.
func rankingTable(ranked []rice.Scored, exact, truncate bool) *render.Table {
	t := &render.Table{Columns: []render.Column{
		// hidden last: the RICE inputs beside the effort and the score,
		// then the Kano label and the costs (costColumns ranks them 3 and 4)
		{Header: "RANK", Right: true}, {Header: "ID"}, {Header: "TITLE", Hide: 6}, {Header: "TRACKS", Hide: 7},
		{Header: "THEME", Hide: 8}, {Header: "KANO", Hide: 2}, {Header: "REACH", Right: true, Hide: 1}, {Header: "IMPACT", Right: true, Hide: 1},
		{Header: "CONF", Right: true, Hide: 1}, {Header: "ENG (PERSON-MO)", Right: true, Hide: 9},
		{Header: "TOOLING $", Right: true, Hide: 13}, {Header: "TOOLING (PERSON-MO)", Right: true, Hide: 11},
		{Header: "CERT FEES $", Right: true, Hide: 12}, {Header: "CERT (PERSON-MO)", Right: true, Hide: 10},
		{Header: "EFFORT (PERSON-MO)", Right: true}, {Header: "SCORE", Right: true},
	}}
	for _, s := range ranked {
		title := s.Title
		if truncate {
			title = truncateText(title, 34)
		}
		t.Append(
			strconv.Itoa(s.Rank), s.ID, title, tracksText(s), s.Theme, string(s.Kano),
			render.Number(s.Reach, 0), render.Number(s.Impact, 2), render.Percent(s.Confidence, 0),
			render.Number(s.Effort.Engineering, 2), render.Number(s.Effort.ToolingUSD, 0), render.Number(s.Effort.Tooling, 2),
			render.Number(s.Effort.CertificationUSD, 0), render.Number(s.Effort.Certification, 2), render.Number(s.Effort.Total, 2),
			render.Number(s.Score, 1),
		)
	}
	return t
}

func rankingCSV(ranked []rice.Scored) *render.Table {
	headers := []string{"rank", "id", "title", "tracks", "theme", "kano", "reach", "impact", "confidence",
		"effort_engineering", "effort_tooling", "effort_certification", "effort_total",
		"tooling_usd", "certification_usd", "certification_weeks", "certifications", "depends_on", "score"}
	t := &render.Table{}
	for _, h := range headers {
		t.Columns = append(t.Columns, render.Column{Header: h})
	}
	for _, s := range ranked {
		e := s.Effort
		t.Append(strconv.Itoa(s.Rank), s.ID, s.Title, strings.Join(toFeatureJSON(s).Tracks, ";"), s.Theme, string(s.Kano),
			render.Exact(s.Reach), render.Exact(s.Impact), render.Exact(s.Confidence),
			render.Exact(e.Engineering), render.Exact(e.Tooling), render.Exact(e.Certification), render.Exact(e.Total),
			render.Exact(e.ToolingUSD), render.Exact(e.CertificationUSD), render.Exact(e.CertificationWeeks),
			strings.Join(s.Feature.Certifications(), ";"), strings.Join(s.DependsOn, ";"), render.Exact(s.Score))
	}
	return t
}

func truncateText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// WriteRanking writes the ranked backlog in a format, with each feature's
// battery and recurring cost when costs gives them.
func WriteRanking(w io.Writer, format render.Format, ranked []rice.Scored, model rice.EffortModel, term render.Term, tty bool, costs Costs) error {
	switch format {
	case render.FormatJSON, render.FormatYAML:
		doc := rankingJSON{
			EffortModel: effortModelJSON{model.CostPerPersonMonth, model.CertEffortPerWeek},
			Features:    []featureJSON{},
		}
		for _, s := range ranked {
			j := toFeatureJSON(s)
			if c, ok := costs.BatteryYears[s.ID]; ok {
				j.BatteryCostYears = &c
			}
			if l, ok := costs.BatteryCapped[s.ID]; ok {
				j.BatteryLife = &batteryLifeJSON{Device: l.Device, TodayYears: l.Today, WithYears: l.With}
			}
			if c, ok := costs.Recurring[s.ID]; ok {
				j.RecurringCostPerDeviceMonth = &c
			}
			doc.Features = append(doc.Features, j)
		}
		return render.Structured(w, format, doc)
	case render.FormatCSV:
		return costColumns(costs, rankingCSV(ranked), ranked, true).CSV(w)
	case render.FormatMarkdown:
		fmt.Fprintf(w, "## RICE ranking\n\n")
		if err := costColumns(costs, rankingTable(ranked, false, false), ranked, false).Markdown(w); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "\nEffort in person-months at %s USD per person-month and %s person-months per certification week.\n",
			render.Number(model.CostPerPersonMonth, 0), render.Number(model.CertEffortPerWeek, 3))
		writeCapped(w, ranked, costs, "\n", "- ")
		return err
	default:
		if err := costColumns(costs, rankingTable(ranked, false, tty), ranked, false).Text(w, term); err != nil {
			return err
		}
		writeCapped(w, ranked, costs, "\n", "  ")
		return nil
	}
}

// writeCapped says, under the table, where a BATTERY (Y) value — capacity
// life, before the shelf-life cap — is not the device's life change: a
// gain of +20 y shown alone reads as twenty more years, where the cap
// allows 1.8.
func writeCapped(w io.Writer, ranked []rice.Scored, costs Costs, before, bullet string) {
	if len(costs.BatteryYears) == 0 {
		return
	}
	header := false
	for _, s := range ranked {
		l, ok := costs.BatteryCapped[s.ID]
		if !ok {
			continue
		}
		if !header {
			fmt.Fprintf(w, "%sBATTERY (Y) is capacity life, before the shelf-life cap. Capped lives:\n", before)
			header = true
		}
		fmt.Fprintf(w, "%s%s: %s's life %s → %s y (%s y of capacity)\n", bullet, s.ID, l.Device,
			render.Number(l.Today, 2), render.Number(l.With, 2), signedYears(costs.BatteryYears[s.ID]))
	}
}

func signedYears(v float64) string {
	if v > 0 {
		return "+" + render.Number(v, 2)
	}
	return render.Number(v, 2)
}

// columns adds each feature's battery cost (the largest life change it
// makes to a device, in years) and recurring cost (the largest change to
// a model's cost per activated device-month), each when any feature has
// one; — for none: "cheap to build, expensive in battery or in cloud
// bills" shows where features are ranked.
func costColumns(c Costs, t *render.Table, ranked []rice.Scored, exact bool) *render.Table {
	add := func(costs map[string]float64, header, exactHeader string, hide int, cell func(float64) string) {
		if len(costs) == 0 {
			return
		}
		if exact {
			header = exactHeader
		}
		t.Columns = append(t.Columns, render.Column{Header: header, Right: true, Hide: hide})
		for i, s := range ranked {
			text := "—"
			if exact {
				text = ""
			}
			if v, ok := costs[s.ID]; ok {
				text = render.Exact(v)
				if !exact {
					text = cell(v)
				}
			}
			t.Rows[i] = append(t.Rows[i], text)
		}
	}
	add(c.BatteryYears, "BATTERY (Y)", "battery_cost_years", 3, signedYears)
	// per device-month, in economics.yaml's currency: "$/DEV-MO" fits
	// 80 columns; another currency's code is longer, so it may be hidden
	header, hide := "$/DEV-MO", 4
	if c.Currency != "USD" {
		header = c.Currency + "/DEV-MO"
	}
	add(c.Recurring, header, "recurring_cost_per_device_month", hide, func(v float64) string {
		if v > 0 {
			return "+" + render.MoneyFine(v, c.Currency)
		}
		return render.MoneyFine(v, c.Currency)
	})
	return t
}

func writeCatalog(w io.Writer, format render.Format, catalog rice.Catalog, term render.Term) error {
	type rangeJSON struct {
		Min  float64 `json:"min"`
		Mode float64 `json:"mode"`
		Max  float64 `json:"max"`
	}
	type certJSON struct {
		ID         string     `json:"id"`
		Name       string     `json:"name"`
		Weeks      float64    `json:"weeks"`
		WeeksRange *rangeJSON `json:"weeks_range,omitempty"`
		FeeUSD     float64    `json:"fee_usd"`
		Covers     string     `json:"covers"`
		Source     string     `json:"source"`
	}
	var list []certJSON
	for _, id := range catalog.IDs() {
		c := catalog[id]
		cj := certJSON{ID: c.ID, Name: c.Name, Weeks: c.Weeks, FeeUSD: c.FeeUSD, Covers: c.Covers, Source: c.Source}
		if r := c.WeeksRange; r != nil {
			cj.WeeksRange = &rangeJSON{r.Min, r.Mode, r.Max}
		}
		list = append(list, cj)
	}
	doc := struct {
		Certifications []certJSON `json:"certifications"`
	}{list}
	t := &render.Table{Columns: []render.Column{{Header: "ID"}, {Header: "NAME", Wrap: true}, {Header: "WEEKS", Right: true}, {Header: "FEE USD", Right: true},
		{Header: "COVERS", Wrap: true}, {Header: "SOURCE", Wrap: true, Hide: 1}}}
	for _, c := range list {
		fee, weeks := render.Number(c.FeeUSD, 0), render.Number(c.Weeks, 1)
		if r := c.WeeksRange; r != nil {
			weeks = render.Number(r.Min, 1) + ".." + weeks + ".." + render.Number(r.Max, 1)
		}
		if format == render.FormatCSV {
			fee, weeks = render.Exact(c.FeeUSD), render.Exact(c.Weeks)
		}
		t.Append(c.ID, c.Name, weeks, fee, c.Covers, c.Source)
	}
	return render.Write(w, format, doc, t, term)
}

// RankingTable is the ranking's table for other documents (the HTML
// report).
func RankingTable(ranked []rice.Scored) *render.Table { return rankingTable(ranked, false, false) }
