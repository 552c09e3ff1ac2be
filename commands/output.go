package commands

import (
	"encoding/json"
	"fmt"
)

// writeJSON prints v as indented JSON, the shape of every --json.
func writeJSON(f *Factory, v any) int {
	enc := json.NewEncoder(f.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(f.Stderr, "stackui: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// nonNil makes a nil list print as [] rather than null: scripts iterate.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// dash stands in for an empty table cell.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
