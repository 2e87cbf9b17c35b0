package metrics

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/iotpm/iotpm/internal/cmdutil"
	"github.com/iotpm/iotpm/internal/fleetmetrics"
	"github.com/iotpm/iotpm/internal/planfile"
	"github.com/iotpm/iotpm/internal/render"
)

// rowsTable is the accounting of every input: its format, what was used,
// what was left out and why.
func rowsTable(doc fleetmetrics.Result) *render.Table {
	t := &render.Table{Columns: []render.Column{{Header: "INPUT"}, {Header: "FORMAT", Wrap: true}, {Header: "READ", Right: true}, {Header: "USED", Right: true},
		{Header: "OUTSIDE WINDOW", Right: true, Hide: 2}, {Header: "SKIPPED", Right: true}, {Header: "EARLIEST", Hide: 3}, {Header: "LATEST"}, {Header: "NOTES", Hide: 4}}}
	for _, kind := range inputKinds {
		rj, ok := doc.Rows[string(kind)]
		if !ok {
			continue
		}
		var notes []string
		if rj.Files > 0 {
			note := fmt.Sprintf("%s files of %s", render.Number(float64(rj.Files), 0), rj.Path)
			if rj.Files == 1 {
				note = "1 file of " + rj.Path
			}
			var left []string
			if rj.EmptyFiles > 0 {
				left = append(left, render.Number(float64(rj.EmptyFiles), 0)+" empty")
			}
			if len(rj.CopyFiles) > 0 {
				left = append(left, render.Number(float64(len(rj.CopyFiles)), 0)+" a copy of another")
			}
			if len(left) > 0 {
				note += " (" + strings.Join(left, ", ") + ", left out)"
			}
			notes = append(notes, note)
			for _, role := range slices.Sorted(maps.Keys(rj.ColumnFiles)) {
				notes = append(notes, fmt.Sprintf("%s (%s) in %s of the %s files read, empty in the others", role, rj.Columns[role],
					render.Number(float64(rj.ColumnFiles[role]), 0), render.Number(float64(rj.Files-rj.EmptyFiles-len(rj.CopyFiles)), 0)))
			}
		}
		for _, reason := range slices.Sorted(maps.Keys(rj.SkippedByReason)) {
			notes = append(notes, fmt.Sprintf("%s skipped: %s", render.Number(float64(rj.SkippedByReason[reason]), 0), reason))
		}
		for _, reason := range slices.Sorted(maps.Keys(rj.IgnoredByReason)) {
			notes = append(notes, fmt.Sprintf("%s ignored: %s", render.Number(float64(rj.IgnoredByReason[reason]), 0), reason))
		}
		if rj.StaleDisconnects > 0 {
			notes = append(notes, fmt.Sprintf("%s disconnects of an old session ignored", render.Number(float64(rj.StaleDisconnects), 0)))
		}
		if rj.Duplicates > 0 {
			notes = append(notes, fmt.Sprintf("%s duplicates used once", render.Number(float64(rj.Duplicates), 0)))
		}
		if rj.UnknownDevices > 0 {
			notes = append(notes, fmt.Sprintf("%s ids not in devices", render.Number(float64(rj.UnknownDevices), 0)))
		}
		format := rj.Format
		if rj.FormatDetected {
			format += " (detected)"
		}
		earliest, latest := "-", "-"
		if rj.Latest != nil {
			earliest, latest = *rj.Earliest, *rj.Latest
		}
		t.Append(string(kind), format, render.Number(float64(rj.Read), 0), render.Number(float64(rj.Used), 0), render.Number(float64(rj.OutsideWindow), 0),
			render.Number(float64(rj.Skipped), 0), earliest, latest, strings.Join(notes, "; "))
	}
	return t
}

// formatJSON is one format in --list-formats -o json.
type formatJSON struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Title     string `json:"title"`
	Signature string `json:"signature"`
	Source    string `json:"source"`
	Notes     string `json:"notes,omitempty"`
}

// listFormats prints every format the run can use.
func listFormats(opts *MetricsOptions) error {
	f := opts.Factory
	format, err := f.Format(cmdutil.DataFormats)
	if err != nil {
		return err
	}
	cfg, diags := f.Config()
	if err := cmdutil.ReportProblems(f, diags); err != nil {
		return err
	}
	formats, err := fleetmetrics.RepoFormats(cfg)
	if err != nil {
		return err
	}
	var list []formatJSON
	for _, fm := range formats.List() {
		src := "built-in"
		if !fm.Builtin {
			src = planfile.ConfigFileName
		}
		sig := fm.SignatureText()
		switch {
		case sig == "" && fm.Name == "generic":
			sig = "(last resort)"
		case sig == "":
			sig = "(not detected: name it with format:)"
		}
		list = append(list, formatJSON{Name: fm.Name, Kind: string(fm.Kind), Title: fm.Title, Signature: sig, Source: src, Notes: fm.Notes})
	}
	t := &render.Table{Columns: []render.Column{{Header: "NAME"}, {Header: "KIND"}, {Header: "TITLE", Wrap: true}, {Header: "SIGNATURE", Wrap: true}}}
	for _, l := range list {
		t.Append(l.Name, l.Kind, l.Title, l.Signature)
	}
	doc := struct {
		Formats []formatJSON `json:"formats"`
	}{list}
	return cmdutil.Emit(f, func(w *bytes.Buffer, term render.Term) error { return render.Write(w, format, doc, t, term) })
}
