package fleetmetrics

import "github.com/iotpm/iotpm/internal/planfile"

// Flags are the settings of a metrics run given on the command line, as
// written: Job merges them over iotpm.yaml's. The command binds its flags
// to these fields; Set reports whether one was given (a flag left at its
// default does not override the file).
type Flags struct {
	Inputs map[planfile.InputKind]string // kind → path
	Maps   []string                      // --map kind.column=Header
	Month  string
	From   string
	To     string

	ActivationWindow string
	SLO              string
	MaxBadRows       int
	Health           string

	// Formats (--format KIND=NAME) and Zones (--tz KIND=ZONE) per input.
	Formats []string
	Zones   []string

	// AsOf sets the data horizon; DormantAfter the dormancy threshold;
	// Now fixes the clock.
	AsOf         string
	DormantAfter string
	MaxExpansion int
	Now          string

	// Source (--source files|postgres), DSNEnv and Timeout choose and bound
	// the database source.
	Source  string
	DSNEnv  string
	Timeout string
	// AllowTables limits the tables the database source may read
	// (overrides IOTPM_DB_ALLOW_TABLES).
	AllowTables string

	// Set reports whether the flag of that name was given.
	Set func(name string) bool
}

// Given reports whether the flag of that name was given (false without
// Set: flags filled by a test or a caller that parsed none).
func (o *Flags) Given(name string) bool { return o.Set != nil && o.Set(name) }
