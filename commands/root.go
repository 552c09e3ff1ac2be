// Package commands is stackui's command line: the root's compose flags and
// dispatch (root.go), one file per subcommand (ps.go, top.go, doctor.go,
// fix.go, demo.go, version.go, workload.go, and ui.go for the TUI, the
// default), and the output helpers they share (output.go). Every
// subcommand works through the process's one backend.Backend, which the
// Factory carries; tests hand in a scripted one.
package commands

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/stackui/stackui/backend"
	"github.com/stackui/stackui/internal/textsafe"
	"github.com/stackui/stackui/stack"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitBadArgs = 2 // usage errors and compose files that do not load
	// exitNoEngine: doctor and fix could not reach the engine, so they
	// saw no container; "no findings" then means nothing.
	exitNoEngine = 3
)

// Factory is what every subcommand gets, as gh's cmdutil.Factory: its
// streams, the version stamp, the process's one backend, and the compose
// flags given before the subcommand's name.
type Factory struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Version        string
	Backend        *backend.Backend

	compose composeFlags
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	hidden  bool
	// once: the command looks, prints and exits (no TUI, no workload), so
	// it trades memory for CPU: the garbage collector runs less often
	// (GOGC 400). A load of 300 services took a third less CPU.
	once bool
	run  func(f *Factory, args []string) int
}

func commands() []command {
	return []command{
		{name: "ps", summary: "print the project's services and their state", once: true, run: runPs},
		{name: "doctor", summary: "say why containers died or never started, with evidence and fixes", once: true, run: runDoctor},
		{name: "fix", summary: "apply a fix the doctor offers, after showing its diff", once: true, run: runFix},
		{name: "resources", summary: "print the project's images, volumes and networks with their sizes", once: true, run: runResources},
		{name: "top", summary: "print the running containers' CPU, memory and GPU use, once", once: true, run: runTop},
		{name: "demo", summary: "build the offline demo images, write a demo project and open it", run: runDemo},
		{name: "version", summary: "print stackui's version", run: runVersion},
		{name: "workload", summary: "the demo images' workload (internal)", hidden: true, run: runWorkload},
	}
}

// Main runs stackui with the process's arguments and streams and one real
// backend, and returns the exit status. version is the release stamp.
func Main(args []string, version string) int {
	defer startCPUProfile()()
	defer writeMemProfile()
	b := backend.New(backend.Options{})
	defer b.Close()
	return Run(&Factory{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Version: version, Backend: b}, args)
}

// Run parses the root's compose flags and runs the subcommand args name,
// or the TUI when there is none. It leaves f.Backend open.
func Run(f *Factory, args []string) int {
	// Every text mode prints through the one sanitizer: whatever a printer
	// writes (container output, compose strings, engine messages) reaches
	// the terminal with only SGR colours left. JSON goes around it (rawOut).
	out, errOut := textsafe.NewWriter(f.Stdout), textsafe.NewWriter(f.Stderr)
	f.Stdout, f.Stderr = out, errOut
	defer out.Flush()
	defer errOut.Flush()
	fs := flag.NewFlagSet("stackui", flag.ContinueOnError)
	fs.SetOutput(f.Stderr)
	f.compose.register(fs)
	fs.Usage = func() { rootUsage(fs, f.Stderr) }
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-version") {
		return runVersion(f, nil) // as most CLIs take it
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitBadArgs
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return runUI(f, nil)
	}
	if rest[0] == "help" {
		if len(rest) > 1 {
			return Run(f, append(append([]string{}, rest[1:]...), "--help"))
		}
		rootUsage(fs, f.Stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == rest[0] {
			if c.once && os.Getenv("GOGC") == "" {
				debug.SetGCPercent(400)
			}
			return c.run(f, rest[1:])
		}
	}
	fmt.Fprintf(f.Stderr, "stackui: unknown command %q; run 'stackui --help'\n", rest[0])
	return exitBadArgs
}

func rootUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, `stackui: a terminal UI for local Docker Compose stacks.

Usage:
  stackui [compose flags]              open the TUI on the project here
  stackui [compose flags] COMMAND [flags]
  stackui --version                    the same as stackui version

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
func newFlagSet(f *Factory, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("stackui "+name, flag.ContinueOnError)
	fs.SetOutput(f.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(f.Stderr, "Usage: stackui %s %s\n\nFlags:\n", name, usage)
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

// loadProject loads the project named by the compose flags, with its
// override files, printing the one clear error when it does not load.
func loadProject(ctx context.Context, f *Factory) (*stack.Project, int, bool) {
	p, err := f.Backend.Load(ctx, f.compose.loadOptions())
	if err != nil {
		fmt.Fprintf(f.Stderr, "stackui: %v\n", err)
		var le *stack.LoadError
		if errors.As(err, &le) || errors.Is(err, stack.ErrNoComposeFile) {
			return nil, exitBadArgs, false
		}
		return nil, exitFailure, false
	}
	return p, exitOK, true
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
