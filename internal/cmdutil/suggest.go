package cmdutil

import (
	"fmt"
	"slices"
	"strings"

	"github.com/iotpm/iotpm/internal/failure"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/rice"
)

// DidYouMean is the tail of a message about an unknown name: a
// suggestion when one candidate is a plausible typo (or the only one the
// name begins), else "".
func DidYouMean(s string, candidates []string) string {
	return planfile.DidYouMeanText(s, candidates)
}

// UnknownName is the message for a name given in a flag that names nothing:
// "no feature "x" in features.yaml", then a suggestion, or the names there
// are when there are few enough to read.
func UnknownName(what, name, where string, candidates []string) string {
	msg := fmt.Sprintf("no %s %q in %s", what, name, where)
	if sug := DidYouMean(name, candidates); sug != "" {
		return msg + sug
	}
	switch {
	case len(candidates) == 0:
		return msg + fmt.Sprintf(" (it has no %ss)", what)
	case len(candidates) <= 12:
		return msg + fmt.Sprintf(" (%ss: %s)", what, strings.Join(candidates, ", "))
	}
	return msg + fmt.Sprintf(" (%d %ss; list them with -o json)", len(candidates), what)
}

// CheckTheme checks a --theme value against the backlog's themes, with a
// "did you mean".
func CheckTheme(theme string, backlog *planfile.Backlog) error {
	if theme == "" || slices.ContainsFunc(backlog.Themes, func(t rice.Theme) bool { return t.ID == theme }) {
		return nil
	}
	var ids []string
	for _, t := range backlog.Themes {
		ids = append(ids, t.ID)
	}
	return failure.UsageErrorf("%s", UnknownName("theme", theme, backlog.File, ids))
}

// CheckTracks validates --track values.
func CheckTracks(tracks []string) error {
	for _, t := range tracks {
		if !slices.Contains(rice.Tracks, rice.Track(t)) {
			return failure.UsageErrorf("invalid --track %q: use hardware, firmware or cloud", t)
		}
	}
	return nil
}
