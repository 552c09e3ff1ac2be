package commands

import "fmt"

func runVersion(f *Factory, args []string) int {
	fs := newFlagSet(f, "version", "")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	fmt.Fprintf(f.Stdout, "stackui %s\n", f.Version)
	return exitOK
}
