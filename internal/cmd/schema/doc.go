// Package schema is `iotpm schema`: the JSON Schemas of the planning files,
// for editors and CI.
package schema
