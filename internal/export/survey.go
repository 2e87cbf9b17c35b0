package export

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/pkg/kano"
)

// A Kano survey comes in one of two shapes, read with the same CSV reader
// as the exports:
//
//   - long: a row per respondent and feature, with the columns respondent,
//     feature, functional, dysfunctional and optionally importance and
//     segment;
//   - wide, as survey tools export it: a row per respondent, two columns per
//     feature whose headers end in "functional" and "dysfunctional" (or are
//     mapped to FEATURE.functional / FEATURE.dysfunctional), optionally a
//     respondent, importance and segment column.

// SurveyStats accounts for a survey's rows.
type SurveyStats struct {
	Path    string
	Form    string // long or wide
	Rows    int
	Answers int
	Bad     int
	Errors  []*RowError
	// Numbered counts the pairs answered with numbers (1–5), which read
	// one way or the other by SurveyReading.Numbers; NumberedLine is the
	// first one's line.
	Numbered, NumberedLine int
}

// SurveyReading is how a survey is read: Questions maps wide headers to
// "FEATURE.functional" or "FEATURE.dysfunctional" (from iotpm.yaml), and
// Numbers says which way answers written as numbers run.
type SurveyReading struct {
	Questions map[string]planfile.SurveyQuestion
	// Config is the file the questions are in (iotpm.yaml), where a
	// question naming no column of the header is reported.
	Config  string
	Numbers Numbering
}

// Numbering is the direction of answers written as 1–5. Survey tools
// number a scale either way, and read the wrong way every attractive,
// performance and must-be pair becomes reverse: so a survey with numbers
// says which it is (the reader takes LikeFirst, the standard order, when
// it does not, and the survey use case warns).
type Numbering string

// The numberings: 1 = I like it … 5 = I dislike it (the order of the
// questionnaire since Kano et al. 1984), or the other way round.
const (
	LikeFirst    Numbering = "like-first"
	DislikeFirst Numbering = "dislike-first"
)

// numbered reports whether an answer is written as a number 1–5.
func numbered(v []byte) bool {
	t := trimSpace(v)
	return len(t) == 1 && t[0] >= '1' && t[0] <= '5'
}

// ParseAnswer reads one of the five standard answers in its common
// wordings, case-insensitively, or 1–5 in that order.
func ParseAnswer(s string) (kano.Answer, bool) {
	n := strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}), " ")
	switch n {
	case "1", "i like it", "like", "like it", "i like it that way", "delighted":
		return kano.Like, true
	case "2", "i expect it", "expect", "expect it", "must be", "it must be that way", "i expect it to be that way":
		return kano.Expect, true
	case "3", "i am neutral", "neutral", "i don t care", "i do not care", "indifferent":
		return kano.Neutral, true
	case "4", "i can tolerate it", "tolerate", "tolerate it", "i can live with it", "live with", "live with it", "i can live with it that way":
		return kano.Tolerate, true
	case "5", "i dislike it", "dislike", "dislike it", "i dislike it that way":
		return kano.Dislike, true
	}
	return 0, false
}

const answerHelp = "answers: I like it, I expect it (must be), I am neutral, I can tolerate it (live with), I dislike it, or 1–5"

var wideHeaderRE = regexp.MustCompile(`(?i)^(.*?)[\s_:\-–—(\[]*(dys)?functional[\s)\]]*$`)

// featureID turns a wide header's feature part into an id: lowercase,
// words joined by '-'.
func featureID(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}), "-")
}

// surveyCols are where a survey's header puts each part: the long form's
// columns, or the wide form's question pairs by feature (in the header's
// order); -1 when absent.
type surveyCols struct {
	form                               string
	respondent, importance, segment    int
	feature, functional, dysfunctional int
	wide                               map[string]*questionPair
	order                              []string
}

// questionPair is a wide survey's two question columns of one feature.
type questionPair struct{ f, d int }

// surveyColumns finds the columns of a survey's header: long when it has
// feature, functional and dysfunctional columns, else wide (FEATURE
// functional / FEATURE dysfunctional, or as questions maps them).
func surveyColumns(path string, header []string, how SurveyReading) (*surveyCols, error) {
	norm := normalizeAll(header)
	col := func(names ...string) int {
		for _, n := range names {
			if i := slices.Index(norm, normalize(n)); i >= 0 {
				return i
			}
		}
		return -1
	}
	c := &surveyCols{form: "long", respondent: col("respondent", "respondent_id", "respondentid", "response_id", "responseid", "id"),
		importance: col("importance"), segment: col("segment", "group", "cohort"),
		feature: col("feature", "feature_id"), functional: col("functional"), dysfunctional: col("dysfunctional")}
	if c.feature >= 0 && c.functional >= 0 && c.dysfunctional >= 0 {
		if len(how.Questions) > 0 {
			// the mapping would be ignored: say so rather than read the
			// survey other than the user wrote
			first := how.Questions[slices.Sorted(maps.Keys(how.Questions))[0]]
			return nil, &RowError{Path: cmp.Or(how.Config, path), Line: first.Pos.Line, Reason: fmt.Sprintf("kano.questions maps the columns of a wide survey, and %s is long (feature, functional and dysfunctional columns): remove kano.questions", path)}
		}
		return c, nil
	}
	// a question names its column as the header has it, but for spaces
	// around it (form tools keep a trailing one)
	questions := map[string]string{}
	for h := range how.Questions {
		questions[strings.TrimSpace(h)] = h
	}
	matched := map[string]bool{}
	c.form, c.wide = "wide", map[string]*questionPair{}
	for i, h := range header {
		var id string
		dys := false
		if key, ok := questions[strings.TrimSpace(h)]; ok {
			q := how.Questions[key]
			id, dys, matched[key] = q.Feature, q.Dysfunctional, true
		} else if m := wideHeaderRE.FindStringSubmatch(h); m != nil && m[1] != "" {
			id, dys = featureID(m[1]), m[2] != ""
		} else {
			continue
		}
		p := c.wide[id]
		if p == nil {
			p = &questionPair{-1, -1}
			c.wide[id] = p
			c.order = append(c.order, id)
		}
		at, which := &p.f, "functional"
		if dys {
			at, which = &p.d, "dysfunctional"
		}
		if *at >= 0 {
			// two columns of one question: which one holds the answers is
			// not for iotpm to guess
			return nil, &RowError{Path: path, Line: 1, Reason: fmt.Sprintf("columns %q and %q both ask %s's %s question: keep one, or map them apart with kano.questions in iotpm.yaml", clip(header[*at], 80), clip(h, 80), id, which)}
		}
		*at = i
	}
	for _, key := range slices.Sorted(maps.Keys(how.Questions)) {
		if !matched[key] {
			q := how.Questions[key]
			return nil, &RowError{Path: cmp.Or(how.Config, path), Line: q.Pos.Line, Reason: fmt.Sprintf("kano.questions: %q is no column of %s (a question names its column as the header writes it)%s", clip(key, 80), path, planfile.DidYouMeanText(key, header))}
		}
	}
	if len(c.wide) == 0 {
		return nil, &RowError{Path: path, Line: 1, Reason: fmt.Sprintf("neither a long survey (respondent, feature, functional, dysfunctional) nor a wide one (FEATURE functional / FEATURE dysfunctional columns); header: %s. A survey tool that heads each column with its question's text needs kano.questions in iotpm.yaml: {\"QUESTION\": FEATURE.functional, ...}", clip(strings.Join(header, ", "), 200))}
	}
	for _, id := range c.order {
		p := c.wide[id]
		if p.f < 0 || p.d < 0 {
			which := "dysfunctional"
			if p.f < 0 {
				which = "functional"
			}
			return nil, &RowError{Path: path, Line: 1, Reason: fmt.Sprintf("feature %s has no %s question column: a Kano pair needs both", id, which)}
		}
	}
	return c, nil
}

// ReadSurvey reads a survey export. questions maps wide headers to
// "FEATURE.functional" or "FEATURE.dysfunctional" (from iotpm.yaml). A bad
// row (an unknown answer, a respondent answering a feature twice, a missing
// answer) is counted and listed, not read; a problem with the header is an
// error.
//
// The answers are tallied as they are read (kano.Survey: 25 counts a
// feature and segment), so memory does not grow with the respondents but
// for the duplicate check: a respondent id's first line and the features
// it answered (a long survey: each respondent and feature).
func ReadSurvey(path string, how SurveyReading) (*kano.Survey, *SurveyStats, error) {
	r, err := Open(path, 0)
	if err != nil {
		var re *RowError
		if errors.As(err, &re) {
			return nil, nil, re
		}
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, &RowError{Path: path, Reason: "no such file"}
		}
		return nil, nil, err
	}
	defer r.Close()
	cols, err := surveyColumns(path, r.Header, how)
	if err != nil {
		return nil, nil, err
	}
	sr := &surveyReader{path: path, st: &SurveyStats{Path: path, Form: cols.form}, cols: cols, survey: &kano.Survey{}, numbers: how.Numbers,
		seenPair: map[string]int{}, seenRow: map[string]*respondentSeen{}, segments: map[string]string{}}
	for {
		fields, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var re *RowError
			if errors.As(err, &re) && re.Skippable {
				sr.st.Rows++
				sr.bad(re.Line, "%s", re.Reason)
				continue
			}
			return nil, nil, err
		}
		sr.st.Rows++
		line := r.Line()
		if len(fields) != len(r.Header) {
			sr.bad(line, "%s", fieldCountReason(fields, r.Header))
			continue
		}
		sr.row(line, fields)
	}
	return sr.survey, sr.st, nil
}

// surveyReader tallies a survey's rows and checks them: the duplicate
// check keeps a long survey's (respondent, feature) pairs, and a wide
// one's respondents, each with its first line and the features it
// answered (a bit each, in the header's order).
type surveyReader struct {
	path     string
	st       *SurveyStats
	cols     *surveyCols
	survey   *kano.Survey
	seenPair map[string]int
	seenRow  map[string]*respondentSeen
	segments map[string]string // one copy of each segment name
	numbers  Numbering
}

type respondentSeen struct {
	line     int
	answered []uint64
}

func (sr *surveyReader) bad(line int, format string, args ...any) {
	sr.st.Bad++
	if len(sr.st.Errors) < MaxListedErrors {
		sr.st.Errors = append(sr.st.Errors, &RowError{Path: sr.path, Line: line, Reason: fmt.Sprintf(format, args...)})
	}
}

// row reads one row's pairs: a long survey's one, a wide one's each.
func (sr *surveyReader) row(line int, fields [][]byte) {
	c := sr.cols
	// a row without a respondent id is its own respondent: nothing to
	// check it against
	resp, named := "", false
	if c.respondent >= 0 {
		if v := strings.TrimSpace(string(fields[c.respondent])); v != "" {
			resp, named = v, true
		}
	}
	if c.form == "long" {
		feat := strings.TrimSpace(string(fields[c.feature]))
		if feat == "" {
			sr.bad(line, "empty feature")
			return
		}
		sr.add(line, resp, named, feat, -1, fields[c.functional], fields[c.dysfunctional], fields)
		return
	}
	for k, id := range c.order {
		p := c.wide[id]
		sr.add(line, resp, named, id, k, fields[p.f], fields[p.d], fields)
	}
}

// add checks and tallies one pair; k is the feature's index in a wide
// header (-1: long), named says the respondent is an id of the file.
func (sr *surveyReader) add(line int, resp string, named bool, feat string, k int, fv, dv []byte, fields [][]byte) {
	f, ok1 := ParseAnswer(string(fv))
	d, ok2 := ParseAnswer(string(dv))
	switch {
	case len(trimSpace(fv)) == 0 && len(trimSpace(dv)) == 0:
		return // not asked
	case len(trimSpace(fv)) == 0 || len(trimSpace(dv)) == 0:
		sr.bad(line, "feature %s: only one of the two questions is answered", feat)
		return
	case !ok1:
		sr.bad(line, "feature %s: unknown functional answer %q (%s)", feat, clip(string(fv), 80), answerHelp)
		return
	case !ok2:
		sr.bad(line, "feature %s: unknown dysfunctional answer %q (%s)", feat, clip(string(dv), 80), answerHelp)
		return
	}
	var imp float64
	hasImp := false
	if i := sr.cols.importance; i >= 0 {
		if v := strings.TrimSpace(string(fields[i])); v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				sr.bad(line, "importance %q is not a number", clip(v, 40))
				return
			}
			imp, hasImp = x, true
		}
	}
	if named && sr.repeated(line, resp, feat, k) {
		return
	}
	if fn, dn := numbered(fv), numbered(dv); fn || dn {
		if sr.st.Numbered++; sr.st.Numbered == 1 {
			sr.st.NumberedLine = line
		}
		if sr.numbers == DislikeFirst {
			if fn {
				f = kano.Like + kano.Dislike - f
			}
			if dn {
				d = kano.Like + kano.Dislike - d
			}
		}
	}
	seg := ""
	if i := sr.cols.segment; i >= 0 {
		raw := strings.TrimSpace(string(fields[i]))
		if seg = sr.segments[raw]; seg == "" && raw != "" {
			sr.segments[raw] = raw
			seg = raw
		}
	}
	sr.survey.Add(seg, feat, f, d, imp, hasImp)
	sr.st.Answers++
}

// repeated reports (as a bad row) a respondent answering a feature again.
func (sr *surveyReader) repeated(line int, resp, feat string, k int) bool {
	if k < 0 {
		key := resp + "\x00" + feat
		if first, dup := sr.seenPair[key]; dup {
			sr.bad(line, "respondent %s answered %s twice (first at line %d); the second answer is not used", resp, feat, first)
			return true
		}
		sr.seenPair[key] = line
		return false
	}
	rs := sr.seenRow[resp]
	if rs == nil {
		rs = &respondentSeen{line: line, answered: make([]uint64, (len(sr.cols.order)+63)/64)}
		sr.seenRow[resp] = rs
	}
	if rs.answered[k/64]&(1<<(k%64)) != 0 {
		sr.bad(line, "respondent %s answered %s twice (first at line %d); the second answer is not used", resp, feat, rs.line)
		return true
	}
	rs.answered[k/64] |= 1 << (k % 64)
	return false
}
