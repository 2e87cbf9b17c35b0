package planfile

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/infile"
	"github.com/iotpm/iotpm/pkg/rice"
	"github.com/iotpm/iotpm/pkg/roadmap"
	"go.yaml.in/yaml/v3"
)

// FeaturesFile is the schema of features.yaml.
type FeaturesFile struct {
	EffortModel    *EffortModelSpec             `yaml:"effort_model"`
	Certifications map[string]CertificationSpec `yaml:"certifications"`
	Themes         []ThemeSpec                  `yaml:"themes"`
	Features       []FeatureSpec                `yaml:"features" check:"required"`
	Roadmap        *RoadmapSpec                 `yaml:"roadmap"`
	Placeholder    Placeholder                  `yaml:"placeholder"`
}

// EffortModelSpec overrides the default conversion of cash and certification
// time into person-months.
type EffortModelSpec struct {
	CostPerPersonMonth *float64 `yaml:"cost_per_person_month" check:"gt=0"`
	CertEffortPerWeek  *float64 `yaml:"cert_effort_per_week" check:"min=0"`
}

// CertificationSpec adds a certification to the catalog or overrides fields
// of a built-in one.
type CertificationSpec struct {
	Name string `yaml:"name"`
	// Covers says what the fee and weeks include ("lab testing and the
	// TCB grant; no membership").
	Covers string    `yaml:"covers"`
	Weeks  *Estimate `yaml:"weeks"`
	Fee    *float64  `yaml:"fee" check:"min=0"`
	// Retest: the campaign may fail (chance) and take more weeks.
	Retest *RetestSpec `yaml:"retest"`
	Pos    Pos         `yaml:"-"`
}

// RetestSpec is a certification's chance of a retest and its weeks.
type RetestSpec struct {
	Chance *Fraction `yaml:"chance" check:"required"`
	Weeks  *float64  `yaml:"weeks" check:"required,min=0,max=520"`
	Pos    Pos       `yaml:"-"`
}

// ThemeSpec is an outcome theme.
type ThemeSpec struct {
	ID      ID     `yaml:"id" check:"required"`
	Outcome string `yaml:"outcome"`
	// Due is when the outcome is promised; the roadmap marks the theme late
	// when its features complete after it.
	Due *Date `yaml:"due"`
	// Measure states the outcome as a condition on a fleet metric
	// ("onboarding.within_target >= 95%"): check reports it met or not.
	Measure *ThemeMeasure `yaml:"measure"`
	Pos     Pos           `yaml:"-"`
}

// FeatureSpec is one backlog item. It has either Track and Effort, or Parts.
type FeatureSpec struct {
	ID    ID     `yaml:"id" check:"required"`
	Title string `yaml:"title"`
	Theme *Ref   `yaml:"theme"`
	Kano  string `yaml:"kano" check:"enum=basic|performance|delighter|survey"`
	// Survey names the feature in the Kano survey when it differs from the
	// id.
	Survey     string      `yaml:"survey"`
	Reach      float64     `yaml:"reach" check:"required,min=0"`
	Impact     Impact      `yaml:"impact" check:"required"`
	Confidence Confidence  `yaml:"confidence" check:"required"`
	Track      string      `yaml:"track" check:"enum=hardware|firmware|cloud"`
	Effort     *EffortSpec `yaml:"effort"`
	Parts      *PartsSpec  `yaml:"parts"`
	DependsOn  []Ref       `yaml:"depends_on"`
	Hotfix     bool        `yaml:"hotfix"`
	LeadTime   *LeadTime   `yaml:"lead_time"`
	// ComponentLead: long-lead components ordered when the feature's
	// part is ready (its parts' own component_lead wins).
	ComponentLead *ComponentLead `yaml:"component_lead"`
	// Due is when the feature is promised (all its parts shipped).
	Due *Date `yaml:"due"`
	// Measure states the outcome as a condition on a fleet metric
	// ("onboarding.within_target >= 95%"): check reports it met or not.
	Measure *ThemeMeasure `yaml:"measure"`
	Pos     Pos           `yaml:"-"`
}

// EffortSpec is the effort of a feature, or of one part of it.
type EffortSpec struct {
	Engineering    Estimate       `yaml:"engineering"`
	Tooling        float64        `yaml:"tooling" check:"min=0"`
	Certifications []Ref          `yaml:"certifications"`
	LeadTime       *LeadTime      `yaml:"lead_time"`
	ComponentLead  *ComponentLead `yaml:"component_lead"`
	Pos            Pos            `yaml:"-"`
}

// shapeHint: effort given as one number or range is the engineering
// estimate; the mapping also holds tooling and certifications.
func (*EffortSpec) shapeHint(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return fmt.Sprintf(" (write {engineering: %s}: person-months, beside tooling: and certifications: where they apply)", clipValue(n.Value))
}

// PartsSpec splits a feature that spans tracks.
type PartsSpec struct {
	Hardware *EffortSpec `yaml:"hardware"`
	Firmware *EffortSpec `yaml:"firmware"`
	Cloud    *EffortSpec `yaml:"cloud"`
	Pos      Pos         `yaml:"-"`
}

// Backlog is a loaded and checked features.yaml: ready for rice.Rank.
type Backlog struct {
	File     string
	Model    rice.EffortModel
	Catalog  rice.Catalog
	Themes   []rice.Theme
	Features []rice.Feature
	// Positions maps each feature id to where it is defined, so later checks
	// (the roadmap's, say) can point at it.
	Positions map[string]Pos
	// Calendar is the roadmap: section; nil when the file has none.
	Calendar *roadmap.Calendar
	// CalendarPos is where the roadmap: section starts.
	CalendarPos Pos
	// ThemePositions maps each theme id to where it is defined.
	ThemePositions map[string]Pos
	// Measures maps a theme id to its measure, when it has one.
	Measures map[string]ThemeMeasure
	// SurveyNames maps feature ids to their name in the Kano survey when
	// it differs (survey:).
	SurveyNames map[string]string
}

// notARepo is the hint for a default planning file missing from a
// directory that has no iotpm.yaml either: most likely the command ran
// outside the planning repo.
func notARepo(path string) string {
	switch filepath.Base(path) {
	case "features.yaml", "devices.yaml", EconomicsFileName:
	default:
		return ""
	}
	dir := filepath.Dir(path)
	if _, err := os.Lstat(filepath.Join(dir, ConfigFileName)); !os.IsNotExist(err) {
		return ""
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return fmt.Sprintf(", and %s has no %s: is it the planning repo? Run in it, name it with -C DIR, or create one with iotpm init", dir, ConfigFileName)
}

// ReadFile reads a planning file, turning an unreadable one into a diagnostic.
func ReadFile(path string) ([]byte, diag.List) {
	var diags diag.List
	f, info, err := infile.Open(path)
	if err != nil && !errors.Is(err, infile.ErrNotRegular) {
		if os.IsNotExist(err) {
			diags.Errorf(diag.File, path, 0, 0, "%s%s", NoSuchFile(path), notARepo(path))
		} else {
			diags.Errorf(diag.File, path, 0, 0, "cannot read: %v", err)
		}
		return nil, diags
	}
	if f != nil {
		defer f.Close()
	}
	switch {
	case info == nil:
		diags.Errorf(diag.File, path, 0, 0, "cannot read: %v", err)
		return nil, diags
	case info.IsDir():
		diags.Errorf(diag.File, path, 0, 0, "is a directory, not a planning file")
		return nil, diags
	case !info.Mode().IsRegular():
		diags.Errorf(diag.File, path, 0, 0, "is not a regular file (%s); a planning file is a YAML file in the repo", info.Mode().Type())
		return nil, diags
	case info.Size() > MaxFileSize:
		diags.Errorf(diag.File, path, 0, 0, "file is %d bytes; planning files are limited to %d", info.Size(), MaxFileSize)
		return nil, diags
	}
	// read with a limit all the same: the file may grow while it is read
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		diags.Errorf(diag.File, path, 0, 0, "cannot read: %v", err)
		return nil, diags
	}
	if len(data) > MaxFileSize {
		diags.Errorf(diag.File, path, 0, 0, "file is larger than %d bytes; planning files are limited to that", MaxFileSize)
		return nil, diags
	}
	return data, nil
}

// LoadFeatures reads and checks the features file at path.
func LoadFeatures(path string) (*Backlog, diag.List) {
	data, diags := ReadFile(path)
	if diags.HasErrors() {
		return nil, diags
	}
	return ParseFeatures(path, data)
}

// ParseFeatures decodes and checks a features file. It reports every problem
// it can find; the Backlog is nil when any is an error.
func ParseFeatures(file string, data []byte) (*Backlog, diag.List) {
	var spec FeaturesFile
	diags := Decode(file, data, &spec)
	if len(diags) > 0 && diags[0].Line == 0 || len(spec.Features) == 0 && diags.HasErrors() {
		return nil, diags // nothing decoded worth checking further
	}
	// The semantic checks run on whatever decoded, so one run reports every
	// problem; lines with a decode error are remembered so the checks do not
	// pile a consequence (say, zero effort from an unparsable number) on top.
	c := &featureChecker{file: file, diags: &diags}
	for _, d := range diags.Errors() {
		c.decodeErrors = append(c.decodeErrors, d.Line)
	}
	slices.Sort(c.decodeErrors)
	b := c.backlog(&spec)
	if diags.HasErrors() {
		return nil, diags
	}
	return b, diags
}

type featureChecker struct {
	file         string
	diags        *diag.List
	decodeErrors []int // lines with a decode error, in order
	// sorted caches each defined-id set's ids in order, and suggestions
	// counts the "did you mean"s given: past maxSuggestions an undefined
	// reference is reported plainly, so a file of thousands stays linear.
	sorted      map[string][]string // by kind of reference
	suggestions int
}

const maxSuggestions = 50

// hasDecodeError reports whether a decode error lies in lines [from, to).
func (c *featureChecker) hasDecodeError(from, to int) bool {
	i, _ := slices.BinarySearch(c.decodeErrors, from)
	return i < len(c.decodeErrors) && c.decodeErrors[i] < to
}

func (c *featureChecker) errorf(p Pos, format string, args ...any) {
	c.diags.Errorf(diag.Plan, c.file, p.Line, p.Col, format, args...)
}

func (c *featureChecker) backlog(spec *FeaturesFile) *Backlog {
	b := &Backlog{File: c.file, Model: rice.DefaultEffortModel(), Catalog: rice.BuiltinCatalog(), Positions: map[string]Pos{}}
	if m := spec.EffortModel; m != nil {
		if m.CostPerPersonMonth != nil {
			b.Model.CostPerPersonMonth = *m.CostPerPersonMonth
		}
		if m.CertEffortPerWeek != nil {
			b.Model.CertEffortPerWeek = *m.CertEffortPerWeek
		}
	}
	c.certifications(spec, b.Catalog)
	if spec.Roadmap != nil {
		b.Calendar = c.calendar(spec.Roadmap)
		b.CalendarPos = spec.Roadmap.Pos
	}
	themeSet := c.themes(spec, b)
	featureIDs := c.featureIDs(spec, b)
	certIDs := make(map[string]bool, len(b.Catalog))
	for id := range b.Catalog {
		certIDs[id] = true
	}
	seen := map[string]bool{}
	for i, fs := range spec.Features {
		end := math.MaxInt
		if i+1 < len(spec.Features) {
			end = spec.Features[i+1].Pos.Line
		}
		if fs.ID == "" || seen[string(fs.ID)] {
			continue
		}
		seen[string(fs.ID)] = true
		b.Features = append(b.Features, c.feature(b, fs, end, themeSet, featureIDs, certIDs))
	}
	c.checkRoadmapParts(b)
	c.cycles(spec, b)
	return b
}

// themes reads the themes into b, each id once; it returns the set of ids.
func (c *featureChecker) themes(spec *FeaturesFile, b *Backlog) map[string]bool {
	themeIDs := map[string]Pos{}
	for _, t := range spec.Themes {
		if t.Pos.Line == 0 {
			continue // not a mapping: the decoder has reported it
		}
		if first, dup := themeIDs[string(t.ID)]; dup {
			c.errorf(t.Pos, "theme id %q is defined twice (first at line %d)", t.ID, first.Line)
			continue
		}
		themeIDs[string(t.ID)] = t.Pos
		if b.ThemePositions == nil {
			b.ThemePositions = map[string]Pos{}
		}
		b.ThemePositions[string(t.ID)] = t.Pos
		if t.Measure != nil {
			if b.Measures == nil {
				b.Measures = map[string]ThemeMeasure{}
			}
			b.Measures[string(t.ID)] = *t.Measure
		}
		th := rice.Theme{ID: string(t.ID), Outcome: t.Outcome}
		if t.Due != nil {
			th.Due = t.Due.Time
		}
		b.Themes = append(b.Themes, th)
	}
	themeSet := make(map[string]bool, len(themeIDs))
	for id := range themeIDs {
		themeSet[id] = true
	}
	return themeSet
}

// featureIDs records where each feature is defined, reporting an id
// defined twice; it returns the set of ids.
func (c *featureChecker) featureIDs(spec *FeaturesFile, b *Backlog) map[string]bool {
	for _, f := range spec.Features {
		if f.ID == "" {
			continue
		}
		if first, dup := b.Positions[string(f.ID)]; dup {
			c.errorf(f.Pos, "feature id %q is defined twice (first at line %d)", f.ID, first.Line)
			continue
		}
		b.Positions[string(f.ID)] = f.Pos
	}
	featureIDs := make(map[string]bool, len(spec.Features))
	for _, f := range spec.Features {
		featureIDs[string(f.ID)] = true
	}
	return featureIDs
}

// feature reads one feature (its lines end before line end), checking its
// references and that its RICE score is defined.
func (c *featureChecker) feature(b *Backlog, fs FeatureSpec, end int, themeSet, featureIDs, certIDs map[string]bool) rice.Feature {
	f := rice.Feature{
		ID: string(fs.ID), Title: fs.Title, Kano: rice.Kano(fs.Kano),
		Reach: fs.Reach, Impact: float64(fs.Impact), Confidence: float64(fs.Confidence),
		Hotfix: fs.Hotfix,
	}
	if fs.Due != nil {
		f.Due = fs.Due.Time
	}
	if fs.Survey != "" {
		if b.SurveyNames == nil {
			b.SurveyNames = map[string]string{}
		}
		b.SurveyNames[f.ID] = fs.Survey
	}
	if f.Title == "" {
		f.Title = f.ID
	}
	if fs.Theme != nil {
		c.ref(*fs.Theme, "theme", themeSet)
		f.Theme = fs.Theme.ID
	}
	for _, d := range fs.DependsOn {
		if d.ID == f.ID {
			c.errorf(d.Pos, "feature %q depends on itself", f.ID)
			continue
		}
		c.ref(d, "feature", featureIDs)
		f.DependsOn = append(f.DependsOn, d.ID)
	}
	f.Parts = c.parts(fs, certIDs)
	if len(f.Parts) > 0 && !c.hasDecodeError(fs.Pos.Line, end) {
		if e, err := b.Model.EffortOf(f, b.Catalog); err == nil {
			switch score := f.Reach * f.Impact * f.Confidence / e.Total; {
			case !(e.Total > 0):
				c.errorf(fs.Pos, "feature %q has a total effort of 0; RICE divides by effort, so give it engineering, tooling or a certification", f.ID)
			case math.IsInf(score, 0) || math.IsInf(e.Total, 0):
				c.errorf(fs.Pos, "feature %q: reach %g over an effort of %g person-months overflows the score; check both", f.ID, f.Reach, e.Total)
			}
		}
	}
	return f
}

// cycles reports each dependency cycle at the depends_on entry that closes
// it.
func (c *featureChecker) cycles(spec *FeaturesFile, b *Backlog) {
	for _, cycle := range rice.DependencyCycles(b.Features) {
		closing := cycle[len(cycle)-2]
		pos := b.Positions[closing]
		for _, fs := range spec.Features {
			if string(fs.ID) == closing {
				for _, d := range fs.DependsOn {
					if d.ID == cycle[len(cycle)-1] {
						pos = d.Pos
					}
				}
			}
		}
		c.errorf(pos, "dependency cycle: %s", strings.Join(cycle, " → "))
	}
}

func (c *featureChecker) certifications(spec *FeaturesFile, catalog rice.Catalog) {
	for _, id := range slices.Sorted(maps.Keys(spec.Certifications)) {
		cs := spec.Certifications[id]
		if cs.Pos.Line == 0 {
			continue // not a mapping: the decoder has reported it
		}
		if err := checkID(id); err != nil {
			c.errorf(cs.Pos, "certifications: %s", err)
			continue
		}
		cert, builtin := catalog[id]
		if !builtin {
			if cs.Weeks == nil || cs.Fee == nil {
				c.errorf(cs.Pos, "certification %q is not in the built-in catalog, so it needs both weeks and fee", id)
				continue
			}
			cert = rice.Certification{ID: id, Name: id, Source: "features.yaml"}
		} else {
			cert.Source = "features.yaml (overrides built-in)"
			if cs.Fee != nil || cs.Weeks != nil {
				cert.Covers = "as features.yaml gives it" // the built-in's words describe the built-in's figures
			}
		}
		if cs.Covers != "" {
			cert.Covers = cs.Covers
		}
		if cs.Name != "" {
			cert.Name = cs.Name
		}
		if cs.Weeks != nil {
			cert.Weeks, cert.WeeksRange = cs.Weeks.Value, cs.Weeks.Range
		}
		if r := cs.Retest; r != nil && r.Chance != nil && r.Weeks != nil {
			cert.Retest = &rice.Retest{Chance: float64(*r.Chance), Weeks: *r.Weeks}
		}
		if cs.Fee != nil {
			cert.FeeUSD = *cs.Fee
		}
		catalog[id] = cert
	}
}

func (c *featureChecker) parts(fs FeatureSpec, certIDs map[string]bool) []rice.Part {
	hasTrack := fs.Track != "" || fs.Effort != nil
	switch {
	case hasTrack && fs.Parts != nil:
		c.errorf(fs.Parts.Pos, "feature %q has both track/effort and parts; use track and effort for a one-track feature, parts for one that spans tracks", fs.ID)
		return nil
	case fs.Parts != nil:
		var out []rice.Part
		for _, p := range []struct {
			track rice.Track
			spec  *EffortSpec
		}{{rice.Hardware, fs.Parts.Hardware}, {rice.Firmware, fs.Parts.Firmware}, {rice.Cloud, fs.Parts.Cloud}} {
			if p.spec != nil {
				out = append(out, c.part(p.track, p.spec, fs.LeadTime, fs.ComponentLead, certIDs))
			}
		}
		if len(out) == 0 {
			c.errorf(fs.Parts.Pos, "feature %q: parts needs at least one of hardware, firmware, cloud", fs.ID)
		}
		return out
	case fs.Track == "":
		c.errorf(fs.Pos, "feature %q needs a track (hardware, firmware or cloud) with an effort, or parts", fs.ID)
	case fs.Effort == nil:
		c.errorf(fs.Pos, "feature %q: missing required key \"effort\" (engineering, tooling, certifications)", fs.ID)
	default:
		return []rice.Part{c.part(rice.Track(fs.Track), fs.Effort, fs.LeadTime, fs.ComponentLead, certIDs)}
	}
	return nil
}

// part builds one part; its lead times are its own, else the feature's.
func (c *featureChecker) part(track rice.Track, e *EffortSpec, featureLead *LeadTime, featureComponents *ComponentLead, certIDs map[string]bool) rice.Part {
	p := rice.Part{Track: track, Engineering: e.Engineering.Value, ToolingUSD: e.Tooling, EngineeringRange: e.Engineering.Range}
	if lead := cmp.Or(e.LeadTime, featureLead); lead != nil {
		p.LeadTimeDays, p.LeadTimeRange = lead.Days, lead.Range
	}
	if lead := cmp.Or(e.ComponentLead, featureComponents); lead != nil {
		p.ComponentLeadDays, p.ComponentLeadRange = lead.Days, lead.Range
	}
	for _, r := range e.Certifications {
		if c.ref(r, "certification", certIDs) {
			p.Certifications = append(p.Certifications, r.ID)
		}
	}
	return p
}

// ref reports a reference to an id that is not defined, with a suggestion.
func (c *featureChecker) ref(r Ref, kind string, defined map[string]bool) bool {
	if r.ID == "" {
		return false // the decoder has reported this value already
	}
	if defined[r.ID] {
		return true
	}
	msg := fmt.Sprintf("undefined %s %q", kind, r.ID)
	s := ""
	if c.suggestions < maxSuggestions {
		if c.sorted == nil {
			c.sorted = map[string][]string{}
		}
		ids, ok := c.sorted[kind]
		if !ok || len(ids) != len(defined) {
			ids = slices.Sorted(maps.Keys(defined))
			c.sorted[kind] = ids
		}
		s = DidYouMeanText(r.ID, ids)
		c.suggestions++
	}
	if s != "" {
		msg += s
	} else if kind == "certification" {
		msg += "; define it under certifications: or use a built-in id (iotpm rice --list-certifications)"
	}
	c.errorf(r.Pos, "%s", msg)
	return false
}
