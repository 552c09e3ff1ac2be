// Command stackui is a terminal UI for local Docker Compose stacks: it loads
// the compose files with their profiles, starts and stops services, streams
// logs, and explains why containers die.
//
// main.go parses the command line (flags shaped like docker compose's) and
// hands each subcommand to its cmd_*.go file, which wires the packages.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/stackui/stackui/stack"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitBadArgs = 2 // usage errors and compose files that do not load
)

// version is stamped by goreleaser (-X main.version=...).
var version = "dev"

// command is one subcommand.
type command struct {
	name    string
	summary string
	hidden  bool
	run     func(env *cliEnv, args []string) int
}

// cliEnv is what every subcommand gets: its output streams and the compose
// flags given before the subcommand's name.
type cliEnv struct {
	stdout, stderr io.Writer
	compose        composeFlags
}

func commands() []command {
	return []command{
		{name: "ps", summary: "print the project's services and their state", run: runPs},
		{name: "doctor", summary: "say why containers died or never started, with evidence and fixes", run: runDoctor},
		{name: "fix", summary: "apply a fix the doctor offers, after showing its diff", run: runFix},
		{name: "top", summary: "print the running containers' CPU, memory and GPU use, once", run: runTop},
		{name: "demo", summary: "build the offline demo images, write a demo project and open it", run: runDemo},
		{name: "version", summary: "print stackui's version", run: runVersion},
		{name: "workload", summary: "the demo images' workload (internal)", hidden: true, run: runWorkload},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	env := &cliEnv{stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("stackui", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env.compose.register(fs)
	fs.Usage = func() { rootUsage(fs, stderr) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitBadArgs
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return runUI(env, nil)
	}
	if rest[0] == "help" {
		if len(rest) > 1 {
			return run(append(append([]string{}, rest[1:]...), "--help"), stdout, stderr)
		}
		rootUsage(fs, stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == rest[0] {
			return c.run(env, rest[1:])
		}
	}
	fmt.Fprintf(stderr, "stackui: unknown command %q; run 'stackui --help'\n", rest[0])
	return exitBadArgs
}

func rootUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, `stackui: a terminal UI for local Docker Compose stacks.

Usage:
  stackui [compose flags]              open the TUI on the project here
  stackui [compose flags] COMMAND [flags]

Commands:
`)
	for _, c := range commands() {
		if !c.hidden {
			fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
		}
	}
	fmt.Fprintf(w, "\nCompose flags (as docker compose takes them):\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintf(w, "\nRun 'stackui COMMAND --help' for a command's own flags.\n")
}

// newFlagSet makes a subcommand's flag set with a usage text of one line.
func newFlagSet(env *cliEnv, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("stackui "+name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "Usage: stackui %s %s\n\nFlags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses a subcommand's flags; done is true when the caller should
// return code right away (help, or a usage error).
func parseFlags(fs *flag.FlagSet, args []string) (code int, done bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, true
		}
		return exitBadArgs, true
	}
	return exitOK, false
}

// composeFlags are docker compose's project flags.
type composeFlags struct {
	files       stringList
	profiles    stringList
	envFiles    stringList
	projectDir  string
	projectName string
}

// register adds the compose flags to fs. A subcommand registers them again
// after the root parsed its own, so current values are kept as defaults.
func (c *composeFlags) register(fs *flag.FlagSet) {
	fs.Var(&c.files, "f", "compose `file` (repeatable; default: COMPOSE_FILE, then compose.yaml, docker-compose.yml, ...)")
	fs.Var(&c.files, "file", "same as -f")
	fs.Var(&c.profiles, "profile", "turn a `profile` on (repeatable; default: COMPOSE_PROFILES)")
	fs.Var(&c.envFiles, "env-file", "read variables from this `file` (repeatable; default: .env)")
	fs.StringVar(&c.projectDir, "project-directory", c.projectDir, "project `dir` (default: the first file's folder)")
	fs.StringVar(&c.projectName, "p", c.projectName, "project `name` (default: COMPOSE_PROJECT_NAME, then the folder's name)")
	fs.StringVar(&c.projectName, "project-name", c.projectName, "same as -p")
}

func (c *composeFlags) loadOptions() stack.LoadOptions {
	return stack.LoadOptions{
		Files:       c.files,
		ProjectDir:  c.projectDir,
		ProjectName: c.projectName,
		Profiles:    c.profiles,
		EnvFiles:    c.envFiles,
	}
}

// stringList is a repeatable string flag; "a,b" also counts as two values for
// --profile, as docker compose accepts.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

func runVersion(env *cliEnv, args []string) int {
	fs := newFlagSet(env, "version", "")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	fmt.Fprintf(env.stdout, "stackui %s\n", version)
	return exitOK
}
