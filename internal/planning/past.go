package planning

import (
	"fmt"
	"github.com/iotpm/iotpm/internal/render"
	"slices"
	"time"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/roadmap"
)

// PastReleases warns when releases dated before today hold work. The
// backlog is the work that has not shipped, so a plan that places it in
// releases already past — a roadmap.start written when the repo was made,
// a year ago — gives ship dates, theme completions ("on track") and NRE
// quarters in the past, and no error says so.
func PastReleases(plan *roadmap.Plan, backlog *planfile.Backlog, now time.Time) diag.List {
	var diags diag.List
	if plan == nil || backlog == nil {
		return diags
	}
	today := now.UTC().Truncate(24 * time.Hour)
	var held []roadmap.ReleasePlan
	for _, r := range plan.Releases {
		if r.Allocated > 0 && r.Date.Before(today) {
			held = append(held, r)
		}
	}
	// the earliest first, whatever the track
	slices.SortStableFunc(held, func(a, b roadmap.ReleasePlan) int { return a.Date.Compare(b.Date) })
	var past []string
	for _, r := range held {
		past = append(past, fmt.Sprintf("%s %s", r.Name, r.Date.Format(time.DateOnly)))
	}
	if len(past) == 0 {
		return diags
	}
	pos := backlog.CalendarPos
	diags.Warnf(diag.Plan, backlog.File, pos.Line, pos.Col,
		"roadmap: %d %s dated before today (%s) %s work that has not shipped (%s): the plan's ship dates, theme completions and NRE quarters are then in the past; move roadmap.start to today or later, and take what has shipped out of the backlog",
		len(past), pick(len(past), "release", "releases"), today.Format(time.DateOnly), pick(len(past), "holds", "hold"), render.Few(past, 3, ", "))
	return diags
}

// pick is one when n is 1, else many.
func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
