// Package hygiene holds no code: its tests hold the module to the rules
// the review would otherwise have to remember (package docs, function
// length, which packages may import the commands).
package hygiene
