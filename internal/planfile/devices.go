package planfile

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/iotpm/iotpm/internal/diag"
	"github.com/iotpm/iotpm/internal/quantity"
	"github.com/iotpm/iotpm/pkg/energy"
	"go.yaml.in/yaml/v3"
)

// DevicesFile is the schema of devices.yaml.
type DevicesFile struct {
	Cells       map[string]CellSpec `yaml:"cells"`
	Devices     []DeviceSpec        `yaml:"devices" check:"required"`
	Placeholder Placeholder         `yaml:"placeholder"`
}

// CellFields are the figures of a cell; a battery may override each.
type CellFields struct {
	Name               string    `yaml:"name"`
	Capacity           *Capacity `yaml:"capacity" check:"gt=0"`
	Voltage            *Voltage  `yaml:"voltage" check:"gt=0"`
	SelfDischarge      *Rate     `yaml:"self_discharge"`
	SelfDischargeModel string    `yaml:"self_discharge_model" check:"enum=constant|proportional"`
	Derating           *Fraction `yaml:"derating"`
	MaxPulse           *Current  `yaml:"max_pulse" check:"gt=0"`
	ShelfLife          *Life     `yaml:"shelf_life" check:"gt=0"`
	// CapacityAt is the datasheet's capacity at temperatures and loads;
	// given, it replaces the cell's.
	CapacityAt []CapacityPointSpec `yaml:"capacity_at"`
	// SelfDischargeAt is the datasheet's self-discharge at temperatures
	// ([{temperature: 20C, rate: 1%/y}, {temperature: 60C, rate: 4%/y}]);
	// with a device's temperature it replaces the room-temperature rate.
	SelfDischargeAt []SelfDischargePointSpec `yaml:"self_discharge_at"`
}

// SelfDischargePointSpec is one datasheet point: the self-discharge at a
// temperature.
type SelfDischargePointSpec struct {
	Temperature *Celsius `yaml:"temperature" check:"required"`
	Rate        *Rate    `yaml:"rate" check:"required"`
	Pos         Pos      `yaml:"-"`
}

// CapacityPointSpec is one datasheet point: the capacity at a temperature
// or at a load current.
type CapacityPointSpec struct {
	Temperature *Celsius `yaml:"temperature"`
	Current     *Current `yaml:"current" check:"gt=0"`
	// Cutoff: the capacity down to this cell voltage (end-voltage curve).
	Cutoff   *Voltage  `yaml:"cutoff" check:"gt=0"`
	Capacity *Capacity `yaml:"capacity" check:"required,gt=0"`
	Pos      Pos       `yaml:"-"`
}

// CellSpec adds a cell to the catalog or overrides a built-in one.
type CellSpec struct {
	CellFields `yaml:",inline"`
	Pos        Pos `yaml:"-"`
}

// BatterySpec is a device's pack: a catalog cell, how many, and overrides.
type BatterySpec struct {
	Cell     *Ref `yaml:"cell"`
	Series   *int `yaml:"series" check:"min=1"`
	Parallel *int `yaml:"parallel" check:"min=1"`
	// Replaceable says customers replace the cells when they are flat (a
	// coin cell, AAs), so the device may earn past its battery life
	// (iotpm economics warns when a model's life outlasts a battery that
	// is not replaceable).
	Replaceable bool `yaml:"replaceable"`
	CellFields  `yaml:",inline"`
	Pos         Pos `yaml:"-"`
}

// DeviceSpec is one device profile.
type DeviceSpec struct {
	ID   ID     `yaml:"id" check:"required"`
	Name string `yaml:"name"`
	// Power is battery (the default) or mains: a device on mains power
	// (a hub, a plug-in valve) has no battery and no battery life; its
	// events are its traffic and its updates, for economics, metrics and
	// rollouts.
	Power              string       `yaml:"power" check:"enum=battery|mains"`
	Battery            *BatterySpec `yaml:"battery"`             // required on battery power
	Sleep              *Current     `yaml:"sleep" check:"min=0"` // required on battery power
	Target             *Life        `yaml:"target" check:"gt=0"`
	SelfDischargeModel string       `yaml:"self_discharge_model" check:"enum=constant|proportional"`
	Events             []EventSpec  `yaml:"events"`
	// Budgets cap what a feature may cost: 2uA, 15% (of the drain), 0.5y.
	Budgets map[string]BudgetValue `yaml:"budgets"`
	// Checkin says the device connects by check-ins, not always: iotpm
	// metrics then measures its uptime as "did it check in when it
	// should" (without it, the device is always connected).
	Checkin *CheckinSpec `yaml:"checkin"`
	// Temperature is where the device spends its year: one value (-10C) or
	// seasons ([{months: [12, 1, 2], celsius: -15C}, …]).
	Temperature Seasons `yaml:"temperature"`
	// Supply is the regulator between the cell and the load: the currents
	// given are at its output (unless an event or phase says side:
	// battery) and cost the cell I·V/(V_cell·η).
	Supply *SupplySpec `yaml:"supply"`
	// MinVoltage is the lowest pack voltage the device runs at (its
	// brown-out); with the cell's end-voltage curve it limits the usable
	// capacity.
	MinVoltage *Voltage `yaml:"min_voltage" check:"gt=0"`
	// OTA says whether the device takes firmware updates over the air
	// (ota: false: it cannot; the default is that it can) and how big an
	// update image is.
	OTA *OTASpec `yaml:"ota"`
	Pos Pos      `yaml:"-"`
}

// extendSchema: battery and sleep are required on battery power (the
// default), and not given on mains power.
func (*DeviceSpec) extendSchema(s map[string]any) {
	s["if"] = map[string]any{"properties": map[string]any{"power": map[string]any{"const": "mains"}}, "required": []string{"power"}}
	s["then"] = map[string]any{"not": map[string]any{"anyOf": []any{map[string]any{"required": []string{"battery"}}, map[string]any{"required": []string{"sleep"}}}}}
	s["else"] = map[string]any{"required": []string{"battery", "sleep"}}
}

// OTASpec is a device's over-the-air update capability.
type OTASpec struct {
	// Disabled: ota: false.
	Disabled bool   `yaml:"-"`
	Image    *Bytes `yaml:"image"`
	// Duration and Current are the download of one update: how long the
	// session keeps the radio on and its current (a measured update, or
	// the image at the link's throughput). iotpm rollout shows its
	// battery cost from them, and from nothing else.
	Duration *Duration `yaml:"duration" check:"min=0"`
	Current  *Current  `yaml:"current" check:"min=0"`
	// Side says where the download's current is drawn: load (at the
	// regulator's output, the default) or battery.
	Side string `yaml:"side" check:"enum=load|battery"`
	// Every is how often the device takes an update (once per firmware
	// release it gets): one download's charge each period is part of its
	// battery life (an event named ota-update), and one image each period
	// part of its megabytes a month (iotpm economics). Without it neither
	// counts updates, and a stated download is warned about.
	Every *Duration `yaml:"every" check:"gt=0"`
	Pos   Pos       `yaml:"-"`
}

// UpdateEvent is the name of the event a profile's ota.every adds: one
// update's download, each period.
const UpdateEvent = "ota-update"

// FromScalar implements ScalarShorthand: ota: false (or true).
func (o *OTASpec) FromScalar(n *yaml.Node) error {
	if n.Tag != "!!bool" {
		return fmt.Errorf("expected false (no OTA updates), true, or {image: 180KB}, got %s", describe(n))
	}
	*o = OTASpec{Disabled: n.Value == "false" || n.Value == "False" || n.Value == "FALSE", Pos: Pos{Line: n.Line, Col: n.Column}}
	return nil
}

// ScalarSchema is the schema of the shorthand: ota: false (or true), not a
// string.
func (*OTASpec) ScalarSchema() map[string]any { return map[string]any{"type": "boolean"} }

// SupplySpec is a regulator: its output voltage and efficiency.
type SupplySpec struct {
	Voltage    *Voltage    `yaml:"voltage" check:"required,gt=0"`
	Efficiency *Confidence `yaml:"efficiency" check:"required"`
	Pos        Pos         `yaml:"-"`
}

// CheckinSpec is how often a sleeping device checks in: the interval of
// one of its wake events (event), or an interval (every); a check-in
// makes it reachable for grace × the interval.
type CheckinSpec struct {
	Event string    `yaml:"event"`
	Every *Duration `yaml:"every" check:"gt=0"`
	// Grace is g ≥ 1 (default 1.5: AWS IoT's keep-alive rule).
	Grace *float64 `yaml:"grace" check:"min=1"`
	Pos   Pos      `yaml:"-"`
}

// Checkin is a device profile's check-in schedule, resolved.
type Checkin struct {
	Event   string  // the wake event whose interval it is ("" for every:)
	Every   float64 // seconds
	Grace   float64
	Pos     Pos
	Profile string
}

// DefaultGrace is the check-in grace g when a profile gives none.
const DefaultGrace = 1.5

// EventSpec is something the device wakes up for. It has phases, or the
// single-phase shorthand duration + current.
type EventSpec struct {
	Name    ID     `yaml:"name" check:"required"`
	Feature string `yaml:"feature"`
	// Replaces makes the event a variant of another event of the device:
	// fields it omits are taken from that event; every: never retires it.
	Replaces string      `yaml:"replaces"`
	Every    *Interval   `yaml:"every"`
	Phases   []PhaseSpec `yaml:"phases"`
	Duration *Duration   `yaml:"duration" check:"min=0"`
	Current  *Current    `yaml:"current" check:"min=0"`
	// Side says where its currents are drawn: load (at the regulator's
	// output, the default) or battery (from the cell directly).
	Side string `yaml:"side" check:"enum=load|battery"`
	// Uplink: the event sends a message of this many bytes on each wake
	// (iotpm economics counts messages and megabytes from it).
	Uplink *UplinkSpec `yaml:"uplink"`
	// Image is an update's download size: only on a variant of the
	// updates ota.every adds (replaces: ota-update; a delta update's
	// smaller image), whose omitted image is ota.image.
	Image *Bytes `yaml:"image"`
	Pos   Pos    `yaml:"-"`
}

// UplinkSpec is a message sent on each wake: its payload bytes.
type UplinkSpec struct {
	Bytes *int `yaml:"bytes" check:"required,min=0,max=100000000"`
	Pos   Pos  `yaml:"-"`
}

func (u *UplinkSpec) uplink() *energy.Uplink {
	if u == nil || u.Bytes == nil {
		return nil
	}
	return &energy.Uplink{Bytes: *u.Bytes}
}

// PhaseSpec is one step of an event: a duration, or a LoRa packet whose time
// on air is the duration.
type PhaseSpec struct {
	Duration *Duration `yaml:"duration" check:"min=0"`
	Current  *Current  `yaml:"current" check:"required,min=0"`
	LoRa     *LoRaSpec `yaml:"lora"`
	// Side overrides the event's (load or battery).
	Side string `yaml:"side" check:"enum=load|battery"`
	// Uplink: the phase sends a message of this many bytes (a lora
	// packet's payload is its message already).
	Uplink *UplinkSpec `yaml:"uplink"`
	Pos    Pos         `yaml:"-"`
}

// LoRaSpec is a LoRa packet (Semtech AN1200.13 parameters).
type LoRaSpec struct {
	SF int         `yaml:"sf" check:"required,min=6,max=12"`
	BW *Bandwidth  `yaml:"bw"`
	CR *CodingRate `yaml:"cr"`
	// Payload is the PHY payload; AppPayload the application's bytes, to
	// which LoRaWAN adds its 13 bytes of headers and MIC. One of the two.
	Payload    *int `yaml:"payload" check:"min=0,max=255"`
	AppPayload *int `yaml:"app_payload" check:"min=0,max=242"`
	// LoRaWAN false: a raw LoRa packet (app_payload has no meaning, and a
	// payload under 13 bytes is not warned of).
	LoRaWAN             *bool `yaml:"lorawan"`
	Preamble            *int  `yaml:"preamble" check:"min=0,max=65535"`
	ExplicitHeader      *bool `yaml:"explicit_header"`
	CRC                 *bool `yaml:"crc"`
	LowDataRateOptimize *bool `yaml:"low_data_rate_optimize"`
	Pos                 Pos   `yaml:"-"`
}

// Fleet is a loaded and checked devices.yaml.
type Fleet struct {
	File    string
	Cells   energy.CellCatalog
	Devices []energy.Device
	// Mains are the devices on mains power (power: mains): profiles of
	// traffic and updates without a battery, never in battery life.
	Mains []energy.Device
	// Positions maps each device id to where it is defined, and
	// EventPositions each "device/event".
	Positions      map[string]Pos
	EventPositions map[string]Pos
	// Planned reports whether a feature: names a backlog feature (LinkPlan
	// sets it; without features.yaml nothing is planned).
	Planned energy.Planned
	// Checkins are the profiles that connect by check-ins, by device id.
	Checkins map[string]Checkin
	// NoOTA are the profiles that cannot take OTA updates (ota: false).
	NoOTA map[string]bool
	// OTAImage is the size of a profile's update image in bytes (ota:
	// {image: 180KB}), and OTAEvery how often it takes one, in seconds
	// (ota: {every: 3mo}).
	OTAImage map[string]float64
	OTAEvery map[string]float64
}

// Profiles are every device profile: on battery, then on mains power.
func (f *Fleet) Profiles() []energy.Device {
	return append(slices.Clip(f.Devices), f.Mains...)
}

// Profile is the device profile id, on battery or on mains power.
func (f *Fleet) Profile(id string) (energy.Device, bool) {
	for _, d := range f.Profiles() {
		if d.ID == id {
			return d, true
		}
	}
	return energy.Device{}, false
}

// LoadDevices reads and checks the devices file at path.
func LoadDevices(path string) (*Fleet, diag.List) {
	data, diags := ReadFile(path)
	if diags.HasErrors() {
		return nil, diags
	}
	return ParseDevices(path, data)
}

// ParseDevices decodes and checks a devices file, reporting every problem.
// Warnings (a pulse above the cell's limit) come back with a valid Fleet.
func ParseDevices(file string, data []byte) (*Fleet, diag.List) {
	var spec DevicesFile
	diags := Decode(file, data, &spec)
	if len(diags) > 0 && diags[0].Line == 0 || len(spec.Devices) == 0 && diags.HasErrors() {
		return nil, diags
	}
	c := &deviceChecker{file: file, diags: &diags, decodeErrors: diags.HasErrors()}
	fleet := c.fleet(&spec)
	if diags.HasErrors() {
		return nil, diags
	}
	return fleet, diags
}

type deviceChecker struct {
	file         string
	diags        *diag.List
	decodeErrors bool
	// packets are the lora packets checked: a variant inherits its base
	// event's phases, and a packet's problem is said once
	packets map[Pos]bool
	// silentCells are the file's own cells (not built in) that state no
	// self-discharge, by id: warned of once, when a device uses one
	// without stating it either
	silentCells map[string]Pos
}

func (c *deviceChecker) errorf(p Pos, format string, args ...any) {
	c.diags.Errorf(diag.Plan, c.file, p.Line, p.Col, format, args...)
}

func (c *deviceChecker) fleet(spec *DevicesFile) *Fleet {
	f := &Fleet{File: c.file, Cells: energy.BuiltinCells(), Positions: map[string]Pos{}, EventPositions: map[string]Pos{},
		Planned: func(string) bool { return false }, Checkins: map[string]Checkin{}, NoOTA: map[string]bool{}, OTAImage: map[string]float64{}, OTAEvery: map[string]float64{}}
	for _, id := range slices.Sorted(maps.Keys(spec.Cells)) {
		cs := spec.Cells[id]
		if err := checkID(id); err != nil {
			c.errorf(cs.Pos, "cells: %s", err)
			continue
		}
		cell, builtin := f.Cells[id]
		if !builtin {
			if cs.Capacity == nil {
				c.errorf(cs.Pos, "cell %q is not in the built-in catalog, so it needs a capacity", id)
				continue
			}
			cell = energy.Cell{ID: id, Name: id, Derating: 1, Source: "devices.yaml"}
		}
		if given := cs.given(); builtin && len(given) > 0 {
			// the catalog's sources no longer vouch for the figures given
			cell.Source = fmt.Sprintf("%s from %s line %d; built-in: %s", strings.Join(given, ", "), filepath.Base(c.file), cs.Pos.Line, cell.Source)
		}
		f.Cells[id] = applyCellFields(cell, cs.CellFields)
		if !builtin && !cs.statesSelfDischarge() {
			if c.silentCells == nil {
				c.silentCells = map[string]Pos{}
			}
			c.silentCells[id] = cs.Pos
		}
		if cs.Derating != nil && *cs.Derating <= 0 && !c.decodeErrors {
			c.errorf(cs.Pos, "cell %s: derating must be above 0%% (the usable share of the capacity)", id)
		}
	}

	for _, ds := range spec.Devices {
		if ds.ID == "" {
			continue
		}
		if first, dup := f.Positions[string(ds.ID)]; dup {
			c.errorf(ds.Pos, "device id %q is defined twice (first at line %d)", ds.ID, first.Line)
			continue
		}
		f.Positions[string(ds.ID)] = ds.Pos
		for _, es := range ds.Events {
			f.EventPositions[string(ds.ID)+"/"+string(es.Name)] = es.Pos
		}
		if ds.Power == "mains" {
			if d, ok := c.mainsDevice(ds); ok {
				f.Mains = append(f.Mains, d)
			}
		} else if d, ok := c.device(ds, f.Cells); ok {
			f.Devices = append(f.Devices, d)
		}
		if ci, ok := c.checkin(ds); ok {
			f.Checkins[string(ds.ID)] = ci
		}
		if ds.OTA != nil && ds.OTA.Disabled {
			f.NoOTA[string(ds.ID)] = true
		}
		if ds.OTA != nil && ds.OTA.Image != nil {
			if ds.OTA.Disabled {
				c.errorf(ds.OTA.Pos, "device %s: ota: false takes no update, so it has no image size", ds.ID)
			}
			f.OTAImage[string(ds.ID)] = float64(*ds.OTA.Image)
		}
		if ds.OTA != nil && ds.OTA.Every != nil && *ds.OTA.Every > 0 {
			f.OTAEvery[string(ds.ID)] = float64(*ds.OTA.Every)
			f.EventPositions[string(ds.ID)+"/"+UpdateEvent] = ds.OTA.Pos
		}
	}
	return f
}

// given names the figures a cell's entry states, as devices.yaml spells
// them, in the order of CellFields.
func (cf CellFields) given() []string {
	var names []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"name", cf.Name != ""}, {"capacity", cf.Capacity != nil}, {"voltage", cf.Voltage != nil},
		{"self_discharge", cf.SelfDischarge != nil}, {"self_discharge_model", cf.SelfDischargeModel != ""},
		{"derating", cf.Derating != nil}, {"max_pulse", cf.MaxPulse != nil}, {"shelf_life", cf.ShelfLife != nil},
		{"capacity_at", cf.CapacityAt != nil}, {"self_discharge_at", cf.SelfDischargeAt != nil}} {
		if f.set {
			names = append(names, f.name)
		}
	}
	return names
}

// applyCellFields overrides a cell's figures with those given.
func applyCellFields(cell energy.Cell, cf CellFields) energy.Cell {
	if cf.Name != "" {
		cell.Name = cf.Name
	}
	if cf.Capacity != nil {
		cell.Capacity = energy.AmpHours(*cf.Capacity)
	}
	if cf.Voltage != nil {
		cell.Voltage = float64(*cf.Voltage)
	}
	if cf.SelfDischarge != nil {
		r := quantity.Rate(*cf.SelfDischarge)
		cell.SelfDischargePerYear = r.PerYear()
		cell.SelfDischargeDecay = r.DecayPerHour()
	}
	if cf.Derating != nil {
		cell.Derating = float64(*cf.Derating)
	}
	if cf.MaxPulse != nil {
		cell.MaxPulse = energy.Amps(*cf.MaxPulse)
	}
	if cf.ShelfLife != nil {
		cell.ShelfLife = energy.Hours(float64(*cf.ShelfLife) / 3600)
	}
	if cf.SelfDischargeAt != nil {
		cell.SelfDischargeAt = nil
		for _, p := range cf.SelfDischargeAt {
			if p.Temperature != nil && p.Rate != nil {
				cell.SelfDischargeAt = append(cell.SelfDischargeAt, energy.SelfDischargePoint{Celsius: float64(*p.Temperature), PerYear: quantity.Rate(*p.Rate).PerYear()})
			}
		}
	}
	if cf.CapacityAt != nil {
		cell.CapacityAt = nil
		for _, p := range cf.CapacityAt {
			if p.Capacity == nil {
				continue
			}
			cp := energy.CapacityPoint{Capacity: energy.AmpHours(*p.Capacity)}
			if p.Temperature != nil {
				t := float64(*p.Temperature)
				cp.Celsius = &t
			}
			if p.Current != nil {
				cp.Current = energy.Amps(*p.Current)
			}
			if p.Cutoff != nil {
				v := float64(*p.Cutoff)
				cp.Cutoff = &v
			}
			cell.CapacityAt = append(cell.CapacityAt, cp)
		}
	}
	return cell
}

// mainsDevice reads a device on mains power: its events and updates (the
// traffic economics counts), nothing of a battery — a battery's fields are
// refused rather than ignored.
func (c *deviceChecker) mainsDevice(ds DeviceSpec) (energy.Device, bool) {
	d := energy.Device{ID: string(ds.ID)}
	ok := true
	for _, f := range []struct {
		given bool
		key   string
	}{{ds.Battery != nil, "battery"}, {ds.Sleep != nil, "sleep"}, {ds.Target != nil, "target"}, {len(ds.Budgets) > 0, "budgets"},
		{ds.Supply != nil, "supply"}, {ds.MinVoltage != nil, "min_voltage"}, {ds.SelfDischargeModel != "", "self_discharge_model"}, {ds.Temperature != nil, "temperature"}} {
		if f.given {
			c.errorf(ds.Pos, "device %s is on mains power (power: mains), so it has no battery life and no %s: drop it, or power: battery", ds.ID, f.key)
			ok = false
		}
	}
	ok = c.download(ds, &d) && ok
	ok = c.events(ds, &d) && ok
	ok = c.updates(ds, &d) && ok
	return d, ok && !c.decodeErrors
}

// download reads the download of one update (ota: duration and current)
// into d.Update; false when only half of it is given.
func (c *deviceChecker) download(ds DeviceSpec, d *energy.Device) bool {
	o := ds.OTA
	if o == nil || o.Disabled {
		return true
	}
	switch {
	case o.Duration != nil && o.Current != nil:
		d.Update = &energy.Phase{Duration: energy.Seconds(*o.Duration), Current: energy.Amps(*o.Current), BatterySide: o.Side == "battery"}
	case o.Duration != nil || o.Current != nil || o.Side != "":
		c.errorf(o.Pos, "device %s, ota: the download of an update needs both its duration and its current (ota: {image: 1200kB, duration: 30s, current: 150mA})", ds.ID)
		return false
	}
	return true
}

func (c *deviceChecker) device(ds DeviceSpec, cells energy.CellCatalog) (energy.Device, bool) {
	d := energy.Device{ID: string(ds.ID)}
	if ds.Battery == nil || ds.Sleep == nil {
		for _, f := range []struct {
			missing bool
			key     string
		}{{ds.Battery == nil, "battery"}, {ds.Sleep == nil, "sleep"}} {
			if f.missing {
				c.errorf(ds.Pos, "device %s: missing required key %q (a device on mains power says power: mains instead)", ds.ID, f.key)
			}
		}
		return d, false
	}
	d.Seasons = c.seasons(ds)
	if ds.MinVoltage != nil {
		d.MinVoltage = float64(*ds.MinVoltage)
	}
	if s := ds.Supply; s != nil && s.Voltage != nil && s.Efficiency != nil {
		if eff := float64(*s.Efficiency); eff <= 0 || eff > 1 {
			if !c.decodeErrors { // out of 0..100% is reported by the decoder
				c.errorf(s.Pos, "device %s, supply: efficiency must be above 0, got %s", ds.ID, strconv.FormatFloat(eff*100, 'g', -1, 64)+"%")
			}
		} else {
			d.Supply = &energy.Supply{Voltage: float64(*s.Voltage), Efficiency: eff}
		}
	}
	if ds.Sleep != nil {
		d.Sleep = energy.Amps(*ds.Sleep)
	}
	c.download(ds, &d)
	if ds.Target != nil {
		d.Target = energy.Hours(float64(*ds.Target) / 3600)
	}
	ok := true
	if ds.Battery != nil {
		b, bok := c.battery(ds, cells)
		d.Battery, ok = b, bok
	}
	if !c.events(ds, &d) {
		ok = false
	}
	if !c.updates(ds, &d) {
		ok = false
	}
	if !c.budgets(ds, &d) {
		ok = false
	}
	if !ok || c.decodeErrors {
		return d, false
	}
	return d, c.validate(ds, d)
}

// events reads the device's events and their variants (replaces:) into d;
// false when one of them is wrong.
func (c *deviceChecker) events(ds DeviceSpec, d *energy.Device) bool {
	ok := true
	names := map[string]Pos{}
	base := map[string]EventSpec{}
	for _, es := range ds.Events {
		if es.Name == "" {
			ok = false
			continue
		}
		if first, dup := names[string(es.Name)]; dup {
			c.errorf(es.Pos, "device %s: event name %q is used twice (first at line %d)", ds.ID, es.Name, first.Line)
			ok = false
			continue
		}
		names[string(es.Name)] = es.Pos
		if es.Replaces == "" {
			base[string(es.Name)] = es
		}
		if es.Image != nil && es.Name != UpdateEvent && es.Replaces != UpdateEvent {
			c.errorf(es.Pos, "device %s, event %s: image is the size of a firmware update's download, for the updates ota.every adds and a variant of them (replaces: %s, a delta update's smaller image); the device's ota: {image: …} states the full one", ds.ID, es.Name, UpdateEvent)
			ok = false
		}
	}
	if es, ok := updateSpec(ds); ok {
		if _, taken := names[UpdateEvent]; !taken {
			// a variant may replace the updates (a delta update that
			// downloads for less time)
			base[UpdateEvent] = es
		}
	}
	variantOf := map[string]EventSpec{}
	for _, es := range ds.Events {
		if es.Name == "" || names[string(es.Name)] != es.Pos {
			continue
		}
		if es.Replaces != "" {
			b, found := base[es.Replaces]
			switch {
			case !found:
				var known []string
				for n := range base {
					known = append(known, n)
				}
				c.errorf(es.Pos, "device %s, event %s replaces %q, which is no event of the device%s", ds.ID, es.Name, es.Replaces, didYouMean(es.Replaces, known))
				ok = false
				continue
			case es.Feature == "":
				c.errorf(es.Pos, "device %s, event %s replaces %s: a variant needs the feature it ships with (feature: a backlog id)", ds.ID, es.Name, es.Replaces)
				ok = false
				continue
			}
			if other, dup := variantOf[es.Replaces]; dup {
				c.errorf(es.Pos, "device %s: event %s already has a variant (%s, line %d); an event has at most one", ds.ID, es.Replaces, other.Name, other.Pos.Line)
				ok = false
				continue
			}
			variantOf[es.Replaces] = es
			es = withBase(es, b)
		} else if es.Every == nil {
			c.errorf(es.Pos, "device %s, event %s: missing required key \"every\"", ds.ID, es.Name)
			ok = false
			continue
		} else if es.Every.Never {
			c.errorf(es.Pos, "device %s, event %s: every: never is for a variant (with replaces) that retires an event", ds.ID, es.Name)
			ok = false
			continue
		}
		e, eok := c.event(ds, es)
		e.Replaces = es.Replaces
		ok = ok && eok
		d.Events = append(d.Events, e)
	}
	return ok
}

// updates adds the profile's firmware updates to its events: one
// download (ota: duration and current) every ota.every, an event named
// UpdateEvent without a feature (updateSpec, read as any event is), so that the battery life, the budget and
// the plan count them as the device spends them. A download stated
// without how often one comes is warned about (the life leaves it out);
// false when ota.every has nothing to count.
func (c *deviceChecker) updates(ds DeviceSpec, d *energy.Device) bool {
	o := ds.OTA
	if o == nil || o.Disabled {
		return true
	}
	switch {
	case o.Every == nil && d.Update != nil && ds.Battery != nil:
		q, _ := d.UpdateCharge()
		c.diags.Warnf(diag.Plan, c.file, o.Pos.Line, o.Pos.Col, "device %s: its battery life leaves firmware updates out (%s mAh each): say how often it takes one, ota: {…, every: 3mo} (once per firmware release it gets)",
			ds.ID, strconv.FormatFloat(q/3.6, 'g', 3, 64))
	case o.Every == nil || *o.Every <= 0: // a non-positive every is reported by the decoder
		return true
	case d.Update == nil && o.Image == nil:
		c.errorf(o.Pos, "device %s, ota: every says how often an update comes, and the ota states neither its download (duration and current: the battery life counts them) nor its image (economics counts its megabytes): give them, e.g. ota: {image: 1200kB, duration: 30s, current: 150mA, every: 3mo}", ds.ID)
		return false
	case d.Update == nil && ds.Battery != nil:
		c.diags.Warnf(diag.Plan, c.file, o.Pos.Line, o.Pos.Col, "device %s, ota: every counts the image in economics' megabytes, and the battery life leaves the updates out: give the download's duration and current (ota: {image: 1200kB, duration: 30s, current: 150mA, every: 3mo})", ds.ID)
	case d.Update != nil:
		for _, es := range ds.Events {
			if es.Name == UpdateEvent {
				c.errorf(es.Pos, "device %s: an event is named %s, the name of the updates ota.every adds (line %d): rename the event", ds.ID, UpdateEvent, o.Pos.Line)
				return false
			}
		}
		es, _ := updateSpec(ds) // d.Update is the download ota states
		e, ok := c.event(ds, es)
		if !ok {
			return false
		}
		d.Events = append(d.Events, e)
	}
	return true
}

// updateSpec is the event ota.every adds, as if written under events:
// the download's duration and current, every ota.every; false when ota
// states no download or no every.
func updateSpec(ds DeviceSpec) (EventSpec, bool) {
	o := ds.OTA
	if o == nil || o.Disabled || o.Every == nil || *o.Every <= 0 || o.Duration == nil || o.Current == nil {
		return EventSpec{}, false
	}
	return EventSpec{Name: UpdateEvent, Every: &Interval{Seconds: float64(*o.Every)}, Duration: o.Duration, Current: o.Current, Side: o.Side, Image: o.Image, Pos: o.Pos}, true
}

// budgets reads the features' energy budgets into d; false when one names
// a feature none of the device's events has.
func (c *deviceChecker) budgets(ds DeviceSpec, d *energy.Device) bool {
	ok := true
	for _, feature := range slices.Sorted(maps.Keys(ds.Budgets)) {
		if !slices.ContainsFunc(d.Events, func(e energy.Event) bool { return e.Feature == feature }) {
			var features []string
			for _, e := range d.Events {
				if e.Feature != "" && !slices.Contains(features, e.Feature) {
					features = append(features, e.Feature)
				}
			}
			c.errorf(ds.Pos, "device %s: budget for %q, a feature none of its events has%s", ds.ID, feature, didYouMean(feature, features))
			ok = false
			continue
		}
		b := ds.Budgets[feature].Budget
		b.Feature = feature
		d.Budgets = append(d.Budgets, b)
	}
	return ok
}

// validate analyses the device as it ships today (the variants left out:
// they stand in for other events), reporting what makes it impossible and
// warning at the event or phase a warning is about.
func (c *deviceChecker) validate(ds DeviceSpec, d energy.Device) bool {
	check := d
	check.Events = slices.DeleteFunc(slices.Clone(d.Events), func(e energy.Event) bool { return e.Replaces != "" })
	r, err := energy.Analyze(check)
	if err != nil {
		if errors.Is(err, energy.ErrAwakeTooLong) {
			c.errorf(ds.Pos, "device %s: %v; lengthen the periods or shorten the phases", ds.ID, err)
		} else {
			c.errorf(ds.Pos, "device %s: %v", ds.ID, err)
		}
		return false
	}
	for _, w := range r.Warnings {
		pos := ds.Pos
		if w.Event == UpdateEvent && ds.OTA != nil {
			pos = ds.OTA.Pos
		}
		for _, es := range ds.Events {
			if string(es.Name) == w.Event {
				pos = es.Pos
				if w.Phase-1 < len(es.Phases) {
					pos = es.Phases[w.Phase-1].Pos
				}
			}
		}
		c.diags.Warnf(diag.Plan, c.file, pos.Line, pos.Col, "device %s: %s", ds.ID, w)
	}
	return true
}

func (c *deviceChecker) battery(ds DeviceSpec, cells energy.CellCatalog) (energy.Battery, bool) {
	bs := ds.Battery
	var cell energy.Cell
	if bs.Cell != nil && bs.Cell.ID != "" {
		known, ok := cells[bs.Cell.ID]
		if !ok {
			msg := "unknown cell " + quoteClipped(bs.Cell.ID)
			if s := Suggest(bs.Cell.ID, cells.IDs()); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += "; define it under cells: or use a built-in one (iotpm battery --list-cells)"
			}
			c.errorf(bs.Cell.Pos, "%s", msg)
			return energy.Battery{}, false
		}
		cell = known
	} else {
		if bs.Capacity == nil {
			c.errorf(bs.Pos, "device %s: the battery needs a catalog cell or a capacity", ds.ID)
			return energy.Battery{}, false
		}
		cell = energy.Cell{ID: "custom", Name: "custom", Derating: 1}
	}
	cell = applyCellFields(cell, bs.CellFields)
	if bs.Derating != nil && cell.Derating <= 0 && !c.decodeErrors {
		c.errorf(bs.Pos, "device %s: derating must be above 0%% (the usable share of the capacity)", ds.ID)
		return energy.Battery{}, false
	}
	b := energy.Battery{
		Cell: cell.ID, Capacity: cell.Capacity, Voltage: cell.Voltage, Derating: cell.Derating,
		Series: 1, Parallel: 1, MaxPulse: cell.MaxPulse, ShelfLife: cell.ShelfLife, CapacityAt: cell.CapacityAt, SelfDischargeAt: cell.SelfDischargeAt,
		SelfDischargePerYear: cell.SelfDischargePerYear, SelfDischargeDecay: cell.DecayPerHour(),
		Model: energy.Constant, Replaceable: bs.Replaceable,
	}
	if bs.Series != nil {
		b.Series = *bs.Series
	}
	if bs.Parallel != nil {
		b.Parallel = *bs.Parallel
	}
	for _, m := range []string{bs.SelfDischargeModel, ds.SelfDischargeModel} {
		if m != "" {
			b.Model = energy.SelfDischargeModel(m)
		}
	}
	if !bs.statesSelfDischarge() && !c.decodeErrors {
		// a built-in cell has it from its datasheet; a battery or cell of
		// the file's own that states none would live on for decades
		if pos, silent := c.silentCells[cell.ID]; silent && bs.Cell != nil && bs.Cell.ID == cell.ID {
			delete(c.silentCells, cell.ID) // once per cell
			c.warnNoSelfDischarge(pos, "cell "+cell.ID+" (used by "+string(ds.ID)+")", cell.ShelfLife == 0)
		} else if bs.Cell == nil || bs.Cell.ID == "" {
			c.warnNoSelfDischarge(bs.Pos, "device "+string(ds.ID)+": its battery", cell.ShelfLife == 0)
		}
	}
	return b, true
}

// warnNoSelfDischarge warns of a battery or cell of the file's own that
// states no self-discharge (nor, noShelf, a shelf life): its life counts
// none, and nothing caps it.
func (c *deviceChecker) warnNoSelfDischarge(pos Pos, what string, noShelf bool) {
	missing, uncapped := "self_discharge", ""
	if noShelf {
		missing, uncapped = "self_discharge or shelf_life", ", and nothing caps it"
	}
	c.diags.Warnf(diag.Plan, c.file, pos.Line, pos.Col, "%s states no %s, so the battery life counts no self-discharge%s: every cell loses charge standing; give the datasheet's (self_discharge: about 1%%/y for a lithium primary cell, 2-3%%/y alkaline, 2-3%%/month Li-ion or LiPo; shelf_life: 10y), or self_discharge: 0%%/y if it truly loses none",
		what, missing, uncapped)
}

// statesSelfDischarge: the fields give a self-discharge (0%/y included).
func (f CellFields) statesSelfDischarge() bool {
	return f.SelfDischarge != nil || f.SelfDischargeAt != nil
}

func (c *deviceChecker) event(ds DeviceSpec, es EventSpec) (energy.Event, bool) {
	e := energy.Event{Name: string(es.Name), Feature: es.Feature, Uplink: es.Uplink.uplink()}
	if es.Image != nil {
		e.Download = float64(*es.Image)
	}
	ok := true
	if es.Every != nil && es.Every.Never {
		e.Retire = true
		e.Every = 1
		return e, true
	}
	if es.Every != nil {
		if es.Every.Seconds <= 0 && !c.decodeErrors { // an every that did not decode is reported already
			c.errorf(es.Pos, "device %s, event %s: every must be a positive period, got %gs", ds.ID, es.Name, es.Every.Seconds)
			ok = false
		}
		e.Every = energy.Seconds(es.Every.Seconds)
	}
	shorthand := es.Duration != nil || es.Current != nil
	switch {
	case shorthand && len(es.Phases) > 0:
		c.errorf(es.Pos, "device %s, event %s: give phases, or duration and current, not both", ds.ID, es.Name)
		return e, false
	case shorthand:
		if es.Duration == nil || es.Current == nil {
			c.errorf(es.Pos, "device %s, event %s: the single-phase shorthand needs both duration and current", ds.ID, es.Name)
			return e, false
		}
		e.Phases = []energy.Phase{{Duration: energy.Seconds(*es.Duration), Current: energy.Amps(*es.Current), BatterySide: es.Side == "battery"}}
	case len(es.Phases) == 0:
		c.errorf(es.Pos, "device %s, event %s: needs phases (each a duration or a lora packet, with a current), or duration and current", ds.ID, es.Name)
		return e, false
	}
	for i, ps := range es.Phases {
		p := energy.Phase{Uplink: ps.Uplink.uplink()}
		if ps.LoRa != nil && ps.Uplink != nil {
			c.errorf(ps.Uplink.Pos, "device %s, event %s, phase %d: a lora packet is the phase's message already (its payload is the bytes sent); drop uplink", ds.ID, es.Name, i+1)
			ok = false
		}
		if ps.Current != nil {
			p.Current = energy.Amps(*ps.Current)
		}
		switch {
		case ps.Duration != nil && ps.LoRa != nil:
			c.errorf(ps.Pos, "device %s, event %s, phase %d: give a duration or a lora packet, not both (a packet's duration is its time on air)", ds.ID, es.Name, i+1)
			ok = false
		case ps.Duration != nil:
			p.Duration = energy.Seconds(*ps.Duration)
		case ps.LoRa != nil:
			ok = c.loraPayload(ds, es, i, ps.LoRa) && ok
			l := loraPacket(ps.LoRa)
			if err := l.Validate(); err != nil && !c.decodeErrors { // decode errors cover the ranges
				c.errorf(ps.LoRa.Pos, "device %s, event %s, phase %d: %v", ds.ID, es.Name, i+1, err)
				ok = false
			}
			p.LoRa = &l
		default:
			c.errorf(ps.Pos, "device %s, event %s, phase %d: has no duration; give duration or a lora packet", ds.ID, es.Name, i+1)
			ok = false
		}
		side := es.Side
		if ps.Side != "" {
			side = ps.Side
		}
		p.BatterySide = side == "battery"
		e.Phases = append(e.Phases, p)
	}
	if ds.Supply == nil && (es.Side != "" || slices.ContainsFunc(es.Phases, func(p PhaseSpec) bool { return p.Side != "" })) {
		c.errorf(es.Pos, "device %s, event %s: side says where a current is drawn, before or after the regulator, and the device has none: give it supply: {voltage: 3.0V, efficiency: 85%%}, or drop side", ds.ID, es.Name)
		ok = false
	}
	return e, ok
}

// loRaWANOverhead is what LoRaWAN adds to an uplink's application payload:
// MHDR 1, FHDR 7 (without options), FPort 1 and MIC 4 bytes.
const loRaWANOverhead = 13

// loraPayload checks a packet's payload: the PHY payload or the
// application's, one of them; a PHY payload under LoRaWAN's 13 bytes of
// headers and MIC is most likely the application's written where the PHY
// payload belongs (a time on air a quarter short), and is warned of.
func (c *deviceChecker) loraPayload(ds DeviceSpec, es EventSpec, i int, s *LoRaSpec) bool {
	if c.packets[s.Pos] {
		return true // said at the event it came from
	}
	if c.packets == nil {
		c.packets = map[Pos]bool{}
	}
	c.packets[s.Pos] = true
	where := fmt.Sprintf("device %s, event %s, phase %d", ds.ID, es.Name, i+1)
	raw := s.LoRaWAN != nil && !*s.LoRaWAN
	switch {
	case s.Payload != nil && s.AppPayload != nil:
		c.errorf(s.Pos, "%s: give payload (the PHY payload) or app_payload (the application's bytes; LoRaWAN adds %d), not both", where, loRaWANOverhead)
		return false
	case s.Payload == nil && s.AppPayload == nil:
		if !c.decodeErrors {
			c.errorf(s.Pos, "%s: the lora packet needs its size: payload (the PHY payload in bytes) or app_payload (the application's; LoRaWAN adds %d)", where, loRaWANOverhead)
		}
		return false
	case s.AppPayload != nil && raw:
		c.errorf(s.Pos, "%s: app_payload counts LoRaWAN's headers and MIC on top, and lorawan: false says there are none: give payload", where)
		return false
	case s.Payload != nil && *s.Payload < loRaWANOverhead && !raw:
		c.diags.Warnf(diag.Plan, c.file, s.Pos.Line, s.Pos.Col, "%s: payload %d is the PHY payload, and a LoRaWAN uplink's is at least %d bytes (headers and MIC): for %d bytes of application data write app_payload: %d (a PHY payload of %d); a raw LoRa packet: say lorawan: false",
			where, *s.Payload, loRaWANOverhead, *s.Payload, *s.Payload, *s.Payload+loRaWANOverhead)
	}
	return true
}

// loraPacket applies LoRaWAN uplink defaults to what the file gives.
func loraPacket(s *LoRaSpec) energy.LoRa {
	payload := 0
	switch {
	case s.Payload != nil:
		payload = *s.Payload
	case s.AppPayload != nil:
		payload = *s.AppPayload + loRaWANOverhead
	}
	l := energy.LoRaWANUplink(s.SF, 125e3, payload)
	if s.BW != nil {
		l.BandwidthHz = float64(*s.BW)
	}
	if s.CR != nil {
		l.CodingRate = int(*s.CR)
	}
	if s.Preamble != nil {
		l.Preamble = *s.Preamble
	}
	if s.ExplicitHeader != nil {
		l.ExplicitHeader = *s.ExplicitHeader
	}
	if s.CRC != nil {
		l.CRC = *s.CRC
	}
	l.LowDataRateOptimize = s.LowDataRateOptimize
	return l
}

// withBase fills what a variant omits from the event it replaces: the
// period, the uplink, and the phases (or the single-phase duration and current).
func withBase(v, b EventSpec) EventSpec {
	if v.Every == nil {
		v.Every = b.Every
	}
	if v.Uplink == nil {
		v.Uplink = b.Uplink
	}
	if v.Image == nil {
		v.Image = b.Image
	}
	if len(v.Phases) == 0 && v.Duration == nil && v.Current == nil {
		v.Phases, v.Duration, v.Current = b.Phases, b.Duration, b.Current
		if v.Side == "" {
			v.Side = b.Side
		}
	}
	return v
}

// checkin resolves a profile's check-in schedule: every: as given, or the
// interval of the wake event it names (today's, not a planned variant's:
// the fleet runs the firmware it runs).
func (c *deviceChecker) checkin(ds DeviceSpec) (Checkin, bool) {
	cs := ds.Checkin
	if cs == nil {
		return Checkin{}, false
	}
	ci := Checkin{Event: cs.Event, Grace: DefaultGrace, Pos: cs.Pos, Profile: string(ds.ID)}
	if cs.Grace != nil {
		ci.Grace = *cs.Grace
	}
	switch {
	case cs.Event != "" && cs.Every != nil:
		c.errorf(cs.Pos, "device %s, checkin: give event (a wake event whose every is the interval) or every, not both", ds.ID)
		return ci, false
	case cs.Every != nil:
		ci.Every = float64(*cs.Every)
	case cs.Event != "":
		var names []string
		for _, es := range ds.Events {
			if es.Replaces != "" {
				if string(es.Name) == cs.Event {
					c.errorf(cs.Pos, "device %s, checkin: event %q is a planned variant of %s; check-ins follow the schedule the fleet runs today: event: %s", ds.ID, cs.Event, es.Replaces, es.Replaces)
					return ci, false
				}
				continue
			}
			names = append(names, string(es.Name))
			if string(es.Name) == cs.Event {
				if es.Every == nil || es.Every.Never || es.Every.Seconds <= 0 {
					// the event has no interval: its own error says why
					// (missing, or a value that did not read)
					return ci, false
				}
				ci.Every = es.Every.Seconds
			}
		}
		if ci.Every == 0 {
			c.errorf(cs.Pos, "device %s, checkin: event %q is no wake event of the device%s", ds.ID, cs.Event, didYouMean(cs.Event, names))
			return ci, false
		}
	default:
		c.errorf(cs.Pos, "device %s, checkin: say how often it checks in: event: (one of its wake events) or every: (1h)", ds.ID)
		return ci, false
	}
	return ci, true
}

// seasons resolves a device's temperature: every month once.
func (c *deviceChecker) seasons(ds DeviceSpec) []energy.Season {
	if len(ds.Temperature) == 0 {
		return nil
	}
	var out []energy.Season
	seen := map[int]Pos{}
	for _, s := range ds.Temperature {
		if s.Celsius == nil {
			continue
		}
		for _, m := range s.Months {
			switch first, dup := seen[m]; {
			case m < 1 || m > 12:
				c.errorf(s.Pos, "device %s, temperature: month %d is not 1–12", ds.ID, m)
			case dup:
				c.errorf(s.Pos, "device %s, temperature: month %d is in two seasons (first at line %d)", ds.ID, m, first.Line)
			default:
				seen[m] = s.Pos
			}
		}
		out = append(out, energy.Season{Months: s.Months, Celsius: float64(*s.Celsius)})
	}
	var missing []string
	for m := 1; m <= 12; m++ {
		if _, ok := seen[m]; !ok {
			missing = append(missing, strconv.Itoa(m))
		}
	}
	if len(missing) > 0 && len(out) > 0 {
		c.errorf(ds.Temperature[0].Pos, "device %s, temperature: the seasons leave out month %s; cover the twelve months once", ds.ID, strings.Join(missing, ", "))
	}
	return out
}
