package export

import (
	"fmt"
	"slices"
	"strings"
)

// Column is a canonical column of an input and the header names it is
// found under in real exports, in order of preference.
type Column struct {
	Name     string
	Required bool
	Aliases  []string
}

// Schema is the canonical shape of one kind of input.
type Schema struct {
	Kind    string // devices, events, ota, activity, tickets, usage
	Columns []Column
}

// The inputs iotpm metrics reads. Aliases follow the platforms' field names
// (see the README): clientId and thingName (AWS IoT), deviceId (Azure),
// coreid (Particle), jobId and lastUpdatedAt (AWS IoT Jobs), …
var (
	deviceID = Column{Name: "device_id", Required: true, Aliases: []string{
		"device_id", "thingname", "deviceid", "clientid", "coreid", "device", "serialnumber", "serial", "id"}}

	DevicesSchema = Schema{Kind: "devices", Columns: []Column{
		deviceID,
		{Name: "shipped_at", Required: true, Aliases: []string{"shipped_at", "shippedat", "shipdate", "shipped", "soldat"}},
		{Name: "customer_id", Aliases: []string{"customer_id", "customerid", "customer", "account", "accountid", "tenant"}},
	}}
	EventsSchema = Schema{Kind: "events", Columns: []Column{
		deviceID,
		{Name: "timestamp", Required: true, Aliases: []string{"timestamp", "time", "ts", "eventtime", "publishedat", "datetime"}},
		{Name: "event", Required: true, Aliases: []string{"event", "eventtype", "type", "status", "operationname", "data"}},
	}}
	OTASchema = Schema{Kind: "ota", Columns: []Column{
		deviceID,
		{Name: "job_id", Required: true, Aliases: []string{"job_id", "jobid", "deploymentid", "rolloutid", "rollout"}},
		{Name: "status", Required: true, Aliases: []string{"status", "devicestate", "deploymentstatus", "fwstate"}},
		{Name: "timestamp", Required: true, Aliases: []string{"timestamp", "lastupdatedat", "updatedat", "time", "ts"}},
	}}
	ActivitySchema = Schema{Kind: "activity", Columns: []Column{
		deviceID,
		{Name: "timestamp", Required: true, Aliases: []string{"timestamp", "time", "ts", "eventtime", "publishedat", "datetime", "date"}},
	}}
	TicketsSchema = Schema{Kind: "tickets", Columns: []Column{
		{Name: "customer_id", Required: true, Aliases: []string{"customer_id", "customerid", "customer", "account", "accountid", "tenant"}},
		{Name: "created_at", Required: true, Aliases: []string{"created_at", "createdat", "created", "opened", "openedat", "timestamp", "date"}},
	}}
	UsageSchema = Schema{Kind: "usage", Columns: []Column{
		deviceID,
		{Name: "feature", Required: true, Aliases: []string{"feature", "featureid", "name", "event"}},
		{Name: "timestamp", Required: true, Aliases: []string{"timestamp", "time", "ts", "date", "datetime"}},
	}}
)

// normalize folds a header for alias matching: lowercase, without _ - . and
// blanks.
func normalize(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', '.', ' ', '\t':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

// Resolve finds each canonical column in the header: an explicit mapping
// (canonical → header name) first, else the first alias present. It returns
// the header index per column, -1 for an optional column that is absent.
func (r *Reader) Resolve(s Schema, mapping map[string]string) ([]int, error) {
	norm := make([]string, len(r.Header))
	for i, h := range r.Header {
		norm[i] = normalize(h)
	}
	idx := make([]int, len(s.Columns))
	for c, col := range s.Columns {
		idx[c] = -1
		if name, ok := mapping[col.Name]; ok {
			i := slices.Index(r.Header, name)
			if i < 0 {
				i = slices.Index(norm, normalize(name))
			}
			if i < 0 {
				return nil, &RowError{Path: r.Path, Line: 1, Reason: fmt.Sprintf("mapped %s.%s=%s: no column %q in the header (%s)", s.Kind, col.Name, name, name, strings.Join(r.Header, ", "))}
			}
			idx[c] = i
			continue
		}
		for _, a := range col.Aliases {
			if i := slices.Index(norm, normalize(a)); i >= 0 {
				idx[c] = i
				break
			}
		}
		if idx[c] < 0 && col.Required {
			return nil, &RowError{Path: r.Path, Line: 1, Reason: fmt.Sprintf("no %s column: expected one of %s (header: %s); name it with --map %s.%s=COLUMN",
				col.Name, strings.Join(col.Aliases, ", "), strings.Join(r.Header, ", "), s.Kind, col.Name)}
		}
	}
	for a := range idx {
		for b := a + 1; b < len(idx); b++ {
			if idx[a] >= 0 && idx[a] == idx[b] {
				return nil, &RowError{Path: r.Path, Line: 1, Reason: fmt.Sprintf("column %q would be both %s and %s; choose with --map", r.Header[idx[a]], s.Columns[a].Name, s.Columns[b].Name)}
			}
		}
	}
	return idx, nil
}

// Event values.
const (
	Disconnected = 0
	Connected    = 1
)

// ParseEvent reads a connection event value, case-insensitively and
// ignoring blanks: connected/online/…, disconnected/offline/….
func ParseEvent(b []byte) (int, bool) {
	switch normalize(string(b)) {
	case "connected", "online", "connect", "true", "1", "deviceconnect", "microsoftdevicesdeviceconnected", "connectevent":
		return Connected, true
	case "disconnected", "offline", "disconnect", "false", "0", "devicedisconnect", "microsoftdevicesdevicedisconnected", "disconnectevent":
		return Disconnected, true
	}
	return 0, false
}

// OTA status classes.
const (
	OTASuccess = iota
	OTAFailure
	OTAExcluded
	OTAPending
)

// ParseOTAStatus classifies a job-execution status (AWS IoT Jobs, Azure
// Device Update, Mender names), case-insensitively.
func ParseOTAStatus(b []byte) (int, bool) {
	switch normalize(string(b)) {
	case "succeeded", "success", "successful", "updated", "completed":
		return OTASuccess, true
	case "failed", "failure", "timedout", "timeout", "rejected", "incompatible", "noartifact", "error":
		return OTAFailure, true
	case "canceled", "cancelled", "removed", "aborted", "decommissioned", "skipped", "alreadyinstalled":
		return OTAExcluded, true
	case "queued", "inprogress", "notstarted", "pending", "downloading", "installing", "rebooting", "started", "scheduled":
		return OTAPending, true
	}
	return 0, false
}
