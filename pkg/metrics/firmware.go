package metrics

import (
	"cmp"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// version is a parsed firmware version: numeric release parts and the
// pre-release identifiers.
type version struct {
	release []int
	pre     []string
}

// parseVersion reads a semantic version, tolerantly: an optional v,
// one to four numeric parts (2.5 is 2.5.0), an optional -pre-release and
// an ignored +build. Anything else does not parse.
func parseVersion(s string) (version, bool) {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "v"), "V")
	if i := strings.IndexByte(s, '+'); i >= 0 {
		s = s[:i]
	}
	var v version
	core, pre, hasPre := strings.Cut(s, "-")
	parts := strings.Split(core, ".")
	if len(parts) == 0 || len(parts) > 4 {
		return v, false
	}
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || p[0] == '+' {
			return v, false
		}
		v.release = append(v.release, n)
	}
	for len(v.release) < 3 {
		v.release = append(v.release, 0)
	}
	if hasPre {
		if pre == "" {
			return v, false
		}
		v.pre = strings.Split(pre, ".")
		if slices.Contains(v.pre, "") {
			return v, false
		}
	}
	return v, true
}

// CompareVersions orders two firmware versions by semantic-version rules
// (numeric parts numerically, 2.10.0 after 2.9.1; a pre-release before its
// release) when both parse; ok is false when either does not, and then
// only equal strings are the same version.
func CompareVersions(a, b string) (c int, ok bool) { return VersionOrder{}.Compare(a, b) }

// VersionOrder orders firmware versions by semantic-version rules, but
// for the suffixes After names: a version of a release whose first
// pre-release identifier is one of those words, digits allowed
// (2.4.1-hotfix1 with After [hotfix]), is a fix after that release, not
// a pre-release before it — as a team that names its hotfixes so means.
// Two such fixes of one release order by the word's place in After, then
// its number, then the rest of the suffix.
type VersionOrder struct{ After []string }

// Compare is CompareVersions in this order.
func (o VersionOrder) Compare(a, b string) (c int, ok bool) {
	va, okA := parseVersion(a)
	vb, okB := parseVersion(b)
	if !okA || !okB {
		if a == b {
			return 0, true
		}
		return 0, false
	}
	if c := compareRelease(va.release, vb.release); c != 0 {
		return c, true
	}
	pa, na, postA := o.post(va)
	pb, nb, postB := o.post(vb)
	switch {
	case postA && postB:
		if c := cmp.Or(cmp.Compare(pa, pb), cmp.Compare(na, nb)); c != 0 {
			return c, true
		}
		return comparePre(va.pre[1:], vb.pre[1:], true), true
	case postA:
		return 1, true
	case postB:
		return -1, true
	}
	return comparePre(va.pre, vb.pre, false), true
}

// AtOrAbove reports whether firmware v is the target or a later version
// in this order: where both parse, else by equality.
func (o VersionOrder) AtOrAbove(v, target string) bool {
	c, ok := o.Compare(v, target)
	return ok && c >= 0
}

// post reports whether a version is a fix after its release in this
// order: the place of its suffix's word in After and the word's number.
func (o VersionOrder) post(v version) (word, n int, ok bool) {
	if len(v.pre) == 0 || len(o.After) == 0 {
		return 0, 0, false
	}
	id := v.pre[0]
	for k, w := range o.After {
		if len(id) < len(w) || !strings.EqualFold(id[:len(w)], w) {
			continue
		}
		digits := id[len(w):]
		if digits == "" {
			return k, 0, true
		}
		if d, err := strconv.Atoi(digits); err == nil && d >= 0 && digits[0] != '+' {
			return k, d, true
		}
	}
	return 0, 0, false
}

// comparePre orders two pre-release suffixes by semantic-version rules
// (no suffix after any; identifiers numerically or as text; a shorter
// list of equal identifiers first). rest: the lists are what follows a
// fix's word, where none is the fix itself, before any more.
func comparePre(a, b []string, rest bool) int {
	switch {
	case len(a) == 0 && len(b) == 0:
		return 0
	case len(a) == 0 && !rest:
		return 1
	case len(b) == 0 && !rest:
		return -1
	}
	for k := range min(len(a), len(b)) {
		x, y := a[k], b[k]
		nx, errX := strconv.Atoi(x)
		ny, errY := strconv.Atoi(y)
		switch {
		case errX == nil && errY == nil && nx != ny:
			return cmp.Compare(nx, ny)
		case errX == nil && errY != nil:
			return -1
		case errX != nil && errY == nil:
			return 1
		case x != y:
			return strings.Compare(x, y)
		}
	}
	return cmp.Compare(len(a), len(b))
}

// compareRelease orders two releases' numeric parts, numerically, a
// missing part being 0 (2.4.1 is 2.4.1.0).
func compareRelease(a, b []int) int {
	for k := range max(len(a), len(b)) {
		if x, y := at(a, k), at(b, k); x != y {
			return cmp.Compare(x, y)
		}
	}
	return 0
}

func at(xs []int, k int) int {
	if k < len(xs) {
		return xs[k]
	}
	return 0
}

// AtOrAbove reports whether firmware v is the target or a later version:
// by CompareVersions where both parse, else by equality.
func AtOrAbove(v, target string) bool { return VersionOrder{}.AtOrAbove(v, target) }

// VersionsAt is each device's firmware at instant e, by device index ("":
// unknown): the target version of its latest succeeded OTA job execution
// at or before e; without one, the devices input's firmware when e is the
// horizon (that export is a snapshot taken then), else unknown. A
// succeeded row that names no version leaves the device unknown: what it
// runs is not known. Two succeeded rows at that latest instant with
// different versions make it ambiguous: unknown, and reported (the data
// does not say which came last; nothing is guessed). ambiguous counts
// those devices; example is the one with the smallest id.
func (d *Data) VersionsAt(e, horizon int64) (versions []string, ambiguous int, example string) {
	d.sort()
	n := d.devices.Len()
	best := make([]int64, n)
	ver := make([]int32, n)
	tie := make([]bool, n)
	for i := range best {
		best[i], ver[i] = math.MinInt64, -2 // -2: no succeeded row
	}
	for _, r := range d.otaRows {
		i := r.key.device
		switch {
		case r.class != OTASuccess || r.ts > e || r.ts < best[i]:
		case r.ts > best[i]:
			best[i], ver[i], tie[i] = r.ts, r.version, false
		case r.version != ver[i]:
			tie[i] = true
		}
	}
	versions = make([]string, n)
	for i := range versions {
		switch v := ver[i]; {
		case tie[i]:
			ambiguous++
			if name := d.devices.Names[i]; example == "" || name < example {
				example = name // the smallest id, as the database engine names it
			}
		case v >= 0:
			versions[i] = d.versions.Names[v]
		case v == -2 && e == horizon && d.firmware[i] >= 0:
			versions[i] = d.versions.Names[d.firmware[i]]
		}
	}
	return versions, ambiguous, example
}

// firmwareOf counts the active devices' versions at e.
func (d *Data) firmwareOf(sp *span, active []int32, e, horizon int64, target string, order VersionOrder) *Firmware {
	versions, ambiguous, example := d.VersionsAt(e, horizon)
	counts := map[FirmwareKey]int{}
	for _, i := range active {
		counts[FirmwareKey{Version: versions[i], NoOTA: sp.modeOf(d, int(i)).NoOTA}]++
	}
	f := NewFirmware(e, target, order, counts)
	f.Ambiguous, f.AmbiguousDevice = ambiguous, example
	return f
}

// FirmwareKey groups the active devices: by version ("": unknown) and
// whether their profile can take an OTA update.
type FirmwareKey struct {
	Version string
	NoOTA   bool
}

// NewFirmware builds the firmware result from the active devices' counts
// by version and OTA capability (both engines count them their way and
// share this).
func NewFirmware(at int64, target string, order VersionOrder, counts map[FirmwareKey]int) *Firmware {
	f := &Firmware{At: at, Target: target, Order: order, Value: math.NaN()}
	for k, n := range counts {
		switch {
		case k.NoOTA:
			f.NoOTA += n
			continue
		case k.Version == "":
			f.Unknown += n
		default:
			f.Versions = append(f.Versions, VersionCount{Version: k.Version, Devices: n})
			if target != "" && order.AtOrAbove(k.Version, target) {
				f.OnTarget += n
			}
		}
		f.Devices += n
	}
	// most devices first; ties newest version first (unordered ones by name)
	slices.SortFunc(f.Versions, func(a, b VersionCount) int {
		if a.Devices != b.Devices {
			return cmp.Compare(b.Devices, a.Devices)
		}
		if c, ok := order.Compare(a.Version, b.Version); ok && c != 0 {
			return -c
		}
		return strings.Compare(a.Version, b.Version)
	})
	if target != "" && f.Devices > 0 {
		f.Value = float64(f.OnTarget) / float64(f.Devices)
	}
	return f
}

// Unordered counts the counted devices whose known version cannot be
// ordered against the target (one of the two is no semantic version and
// they differ): they count as not on target whatever they run, so a
// target with a typo, or versions the rules do not read, would give a
// share that looks measured. versions counts the distinct versions;
// example is the one with most devices.
func (f *Firmware) Unordered() (versions, devices int, example string) {
	if f.Target == "" {
		return 0, 0, ""
	}
	for _, vc := range f.Versions { // most devices first
		if _, ok := f.Order.Compare(vc.Version, f.Target); !ok {
			if versions == 0 {
				example = vc.Version
			}
			versions++
			devices += vc.Devices
		}
	}
	return versions, devices, example
}

// Orderable reports whether a version follows the ordering rules
// CompareVersions applies (major.minor.patch, …).
func Orderable(v string) bool {
	_, ok := parseVersion(v)
	return ok
}

// ActiveVersions is each device's version at the horizon, its model (the
// devices.yaml profile its model value names, else the value) and whether
// it can take an OTA update, for a rollout: by device index.
func (d *Data) ActiveVersions(o Options) (names, versions, models []string, noOTA []bool) {
	horizon := d.Horizon(o.AsOf)
	sp := &span{}
	sp.resolveModels(d, o.Models)
	versions, _, _ = d.VersionsAt(horizon, horizon)
	n := d.devices.Len()
	models, noOTA = make([]string, n), make([]bool, n)
	for i := range n {
		mode := sp.modeOf(d, i)
		noOTA[i] = mode.NoOTA
		if m := d.model[i]; m >= 0 {
			models[i] = cmp.Or(mode.Profile, d.models.Names[m])
		}
	}
	return slices.Clone(d.devices.Names), versions, models, noOTA
}

// postReleaseWord matches a pre-release identifier that reads as a fix
// after the release rather than a build before it: hotfix1, patch2, p3,
// fix, post1, hf2, sp1.
var postReleaseWord = regexp.MustCompile(`^(?i:hotfix|hf|patch|fix|post|p|sp)[0-9]*$`)

// PostReleaseLike counts the counted devices whose version is the
// target's release with a suffix that reads as a later fix (2.4.1-hotfix1
// against 2.4.1) and that Order does not read so: semantic versioning
// orders a suffix after "-" as a pre-release, before the release, so they
// count as not on target, while a team that names its hotfixes so means
// the opposite. versions counts the distinct versions; example is the one
// with most devices.
func (f *Firmware) PostReleaseLike() (versions, devices int, example string) {
	t, ok := parseVersion(f.Target)
	if f.Target == "" || !ok || len(t.pre) > 0 {
		return 0, 0, ""
	}
	for _, vc := range f.Versions { // most devices first
		v, ok := parseVersion(vc.Version)
		if !ok || len(v.pre) == 0 || !postReleaseWord.MatchString(v.pre[0]) || compareRelease(v.release, t.release) != 0 {
			continue
		}
		if _, _, fix := f.Order.post(v); fix {
			continue // after_release says so: counted as after the target
		}
		if versions == 0 {
			example = vc.Version
		}
		versions++
		devices += vc.Devices
	}
	return versions, devices, example
}

// AtOrAbove reports whether a version counts as on target: the target or
// a later version, in the result's order.
func (f *Firmware) AtOrAbove(v string) bool { return f.Order.AtOrAbove(v, f.Target) }
