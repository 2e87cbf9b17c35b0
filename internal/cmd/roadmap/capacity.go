package roadmap

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/iotpm/iotpm/internal/render"
	"github.com/iotpm/iotpm/pkg/rice"
)

// CapacityRow is one release of a shown track, empty or not, with the
// person-months each feature takes of it.
type CapacityRow struct {
	Track    string         `json:"track"`
	Release  string         `json:"release"`
	Date     string         `json:"date"`
	Capacity float64        `json:"capacity_person_months"`
	Used     float64        `json:"used_person_months"`
	Free     float64        `json:"free_person_months"`
	UsedBy   []capacityUser `json:"used_by"`
	Ships    []string       `json:"ships"`
}

type capacityUser struct {
	Feature      string  `json:"feature"`
	PersonMonths float64 `json:"person_months"`
	// ShipsIn is the release the feature's part ships with (work in an
	// earlier release: it spilled over, or it is done before the part's
	// lead time).
	ShipsIn string `json:"ships_in"`
}

// capacityRows lists every release of the shown tracks in date order with
// who uses its capacity (after --theme: only that theme's features count,
// and the free capacity is still the release's).
func (v planView) capacityRows() []CapacityRow {
	var out []CapacityRow
	for _, r := range v.plan.Releases {
		if !slices.Contains(v.tracks, r.Track) {
			continue
		}
		row := CapacityRow{Track: string(r.Track), Release: r.Name, Date: r.Date.Format(time.DateOnly), Capacity: r.Capacity,
			Used: r.Allocated, Free: max(r.Capacity-r.Allocated, 0), UsedBy: []capacityUser{}, Ships: []string{}}
		for _, it := range v.plan.Items {
			if it.Track != r.Track || !v.keep(it.Feature, it.Track) {
				continue
			}
			for _, a := range it.Allocations {
				if a.Release == r.Name && a.Date.Equal(r.Date) && a.Amount > 0 {
					row.UsedBy = append(row.UsedBy, capacityUser{Feature: it.Feature, PersonMonths: a.Amount, ShipsIn: it.Release})
				}
			}
			if it.Release == r.Name && it.ShipDate.Equal(r.Date) {
				row.Ships = append(row.Ships, it.Feature)
			}
		}
		out = append(out, row)
	}
	return out
}

func capacityTable(rows []CapacityRow, exact bool) *render.Table {
	num := func(f float64) string {
		if exact {
			return render.Exact(f)
		}
		return render.Number(f, 2)
	}
	t := &render.Table{Columns: []render.Column{{Header: "TRACK"}, {Header: "RELEASE"}, {Header: "DATE"},
		{Header: "USED / CAPACITY (PERSON-MO)", Right: true}, {Header: "FREE", Right: true, Hide: 1}, {Header: "USED BY"}}}
	for _, r := range rows {
		var users []string
		for _, u := range r.UsedBy {
			s := u.Feature + " " + num(u.PersonMonths)
			if u.ShipsIn != r.Release {
				s += " (ships " + u.ShipsIn + ")"
			}
			users = append(users, s)
		}
		used := "-"
		if len(users) > 0 {
			used = strings.Join(users, ", ")
		}
		t.Append(r.Track, r.Release, r.Date, num(r.Used)+" / "+num(r.Capacity), num(r.Free), used)
	}
	return t
}

// writeCapacity is roadmap --capacity: every release, how full, by whom.
func writeCapacity(w io.Writer, format render.Format, v planView, term render.Term) error {
	rows := v.capacityRows()
	empty := 0
	for _, r := range rows {
		if len(r.UsedBy) == 0 {
			empty++
		}
	}
	switch format {
	case render.FormatJSON, render.FormatYAML:
		return render.Write(w, format, struct {
			Releases []CapacityRow `json:"releases"`
			Empty    int           `json:"empty_releases"`
		}{rows, empty}, nil, term)
	case render.FormatCSV:
		return capacityTable(rows, true).CSV(w)
	case render.FormatMarkdown:
		if err := capacityTable(rows, false).Markdown(w); err != nil {
			return err
		}
	default:
		if err := capacityTable(rows, false).Text(w, term); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "\n%d of %d releases have no work planned.\n", empty, len(rows))
	return err
}

// hiddenReleases is how many releases of a track the default view leaves
// out for having no work, given how many it shows (none with --theme,
// which leaves out releases for other reasons).
func (v planView) hiddenReleases(track rice.Track, shown int) int {
	if v.byTheme {
		return 0
	}
	n := 0
	for _, r := range v.plan.Releases {
		if r.Track == track {
			n++
		}
	}
	return n - shown
}

// workFor maps "track date name" of each release to the features whose work it
// holds, in plan order.
func (v planView) workFor() map[string][]string {
	out := map[string][]string{}
	for _, it := range v.plan.Items {
		if !v.keep(it.Feature, it.Track) {
			continue
		}
		for _, a := range it.Allocations {
			k := string(it.Track) + " " + a.Date.Format(time.DateOnly) + " " + a.Release
			if a.Amount > 0 && !slices.Contains(out[k], it.Feature) {
				out[k] = append(out[k], it.Feature)
			}
		}
	}
	return out
}
