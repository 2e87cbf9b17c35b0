package roadmap

import (
	"fmt"
	"strconv"
	"time"
)

// String words a reason in English, as the explanation and the tables say
// it; callers that need another wording use the kind and the values.
func (r Reason) String() string {
	num := func(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
	switch r.Kind {
	case LeadTimePastEnd:
		return fmt.Sprintf("lead time past end: earliest release %s is after the plan ends %s", r.Earliest.Format(time.DateOnly), r.End.Format(time.DateOnly))
	case NoRelease:
		return fmt.Sprintf("no capacity: no %s release on or after %s", r.Track, r.Earliest.Format(time.DateOnly))
	case NoCapacity:
		if r.LeadDays > 0 {
			return fmt.Sprintf("no capacity: %s of %s person-months cannot be done from %s in time for a %s release by the end, with %d days of lead time after the work",
				num(r.Missing), num(r.Needed), r.Ready.Format(time.DateOnly), r.Track, r.LeadDays)
		}
		return fmt.Sprintf("no capacity: %s of %s person-months do not fit in the %s releases from %s to the end", num(r.Missing), num(r.Needed), r.Track, r.Earliest.Format(time.DateOnly))
	case DependencyUnscheduled:
		cause := ""
		if r.Cause != nil {
			cause = fmt.Sprintf(" (%s part: %s)", r.CauseTrack, r.Cause)
		}
		return fmt.Sprintf("waiting on unscheduled dependency %s%s", r.Dependency, cause)
	case EarlierPartUnscheduled:
		return fmt.Sprintf("waiting on its unscheduled %s part", r.Part)
	}
	return string(r.Kind)
}
