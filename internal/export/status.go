package export

import (
	"slices"

	"github.com/iotpm/iotpm/internal/planfile"
)

// A devices export from a registry often carries each unit's state — Azure
// IoT Hub's identities are enabled or disabled, a fleet database's rows
// active, returned or decommissioned — and iotpm reads none: a unit's
// service ends at its retired_at date. A decommissioned unit without one
// counts as in service (in the activation cohort, as never activated or
// down in uptime), so the reader counts the rows whose status says the unit
// is out of service and the run warns (fleetmetrics).

// StatusColumn says whether a column's name is a status column's.
func StatusColumn(name string) bool { return slices.Contains(statusNames, planfile.FoldName(name)) }

// OutOfService lists the (folded) words of a status that takes a unit out
// of the field, for the database source's SQL.
func OutOfService() []string { return slices.Clone(outOfService) }

// statusNames are the (folded) names of a status column.
var statusNames = []string{"status", "state", "devicestatus", "devicestate", "lifecyclestate", "lifecyclestatus", "lifecycle",
	"provisioningstate", "provisioningstatus", "registrationstatus"}

// outOfService are the (folded) words of a status that takes a unit out of
// the field.
var outOfService = []string{"decommissioned", "decommission", "retired", "returned", "rma", "disabled", "deactivated", "inactive",
	"deleted", "scrapped", "destroyed", "revoked", "suspended", "blocked", "lost", "stolen", "terminated", "archived", "deprovisioned"}

// statusColumn is the header's status column that no role of the binding
// reads, or -1.
func (b *Binding) statusColumn(norm []string) int {
	for i, n := range norm {
		if !slices.Contains(statusNames, n) {
			continue
		}
		used := false
		for _, cols := range b.cols {
			used = used || slices.Contains(cols, i)
		}
		if !used {
			return i
		}
	}
	return -1
}

// StatusNote counts a devices input's rows whose status column says the
// unit is out of service while no retirement date is given.
type StatusNote struct {
	Column  string
	Rows    int
	Example string // the least such value, as written (either engine gives the same)
}

// noteStatus counts row's status when it says out of service.
func (b *Binding) noteStatus(st *Stats, fields [][]byte) {
	if b.status < 0 || b.status >= len(fields) {
		return
	}
	v := trimSpace(fields[b.status])
	if len(v) == 0 || !slices.Contains(outOfService, planfile.FoldName(string(v))) {
		return
	}
	st.Status.add(StatusNote{Column: b.Header[b.status], Rows: 1, Example: string(v)})
}

// add counts o's rows in n, keeping the least example.
func (n *StatusNote) add(o StatusNote) {
	if o.Rows == 0 {
		return
	}
	if n.Rows == 0 || o.Example < n.Example {
		n.Column, n.Example = o.Column, o.Example
	}
	n.Rows += o.Rows
}
