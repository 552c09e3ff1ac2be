package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/compose-spec/compose-go/v2/consts"
)

// ComposeCLI is the compose command line that runs project lifecycle
// actions (up, down, build, pull, stop, rm): `docker compose` if the plugin
// is there, else the standalone `docker-compose`.
type ComposeCLI struct {
	Name    string   // "docker compose" or "docker-compose"
	Path    string   // the executable
	Prefix  []string // arguments before the project flags: ["compose"] for docker
	Version string   // as `version --short` prints it, e.g. "2.29.1" or "1.29.2"
}

// detectTimeout bounds each `version` probe: a wedged CLI must not hang
// startup.
const detectTimeout = 15 * time.Second

// ComposeChoiceEnv names the variable that picks one compose CLI instead of
// the first that works: "docker compose" (or "v2", "plugin") or
// "docker-compose" (or "v1", "standalone"). Tests run once under each.
const ComposeChoiceEnv = "STACKUI_COMPOSE"

// DetectCompose finds the compose CLI on PATH, preferring the docker plugin
// as `docker compose` does. Each candidate must answer `version`, so a docker
// CLI without the plugin falls through to docker-compose. STACKUI_COMPOSE
// limits the search to the one CLI it names.
func DetectCompose(ctx context.Context) (ComposeCLI, error) {
	candidates := []ComposeCLI{
		{Name: "docker compose", Path: "docker", Prefix: []string{"compose"}},
		{Name: "docker-compose", Path: "docker-compose"},
	}
	switch choice := strings.ToLower(strings.TrimSpace(os.Getenv(ComposeChoiceEnv))); choice {
	case "":
	case "docker compose", "docker", "plugin", "v2", "v5":
		candidates = candidates[:1]
	case "docker-compose", "standalone", "v1":
		candidates = candidates[1:]
	default:
		return ComposeCLI{}, fmt.Errorf("%s=%q: say \"docker compose\" or \"docker-compose\"", ComposeChoiceEnv, choice)
	}
	key := detectKey(candidates)
	var known ComposeCLI
	if readCache("detect", key, &known) && known.Path != "" {
		return known, nil
	}
	var whyNot []string
	// An answer is kept only when every CLI before it was missing: one
	// that failed may have failed once (a timeout on a busy machine), and
	// must be asked again next time, not passed over for good.
	keep := true
	for _, c := range candidates {
		path, err := exec.LookPath(c.Path)
		if err != nil {
			whyNot = append(whyNot, fmt.Sprintf("%s: not found on PATH", c.Name))
			continue
		}
		c.Path = path
		pctx, cancel := context.WithTimeout(ctx, detectTimeout)
		out, err := exec.CommandContext(pctx, path, append(slices.Clone(c.Prefix), "version", "--short")...).CombinedOutput()
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return ComposeCLI{}, fmt.Errorf("detect compose CLI: %w", ctx.Err())
			}
			whyNot = append(whyNot, fmt.Sprintf("%s: %v (%s)", c.Name, err, firstLine(string(out))))
			// A docker CLI without the plugin says so every time
			// ("'compose' is not a docker command", "unknown command"):
			// that is missing, not failing, and installing the plugin
			// changes the key anyway.
			keep = keep && pluginMissing(string(out))
			continue
		}
		c.Version = strings.TrimPrefix(firstLine(string(out)), "v")
		if keep {
			writeCache("detect", key, c)
		}
		return c, nil
	}
	return ComposeCLI{}, fmt.Errorf("no compose CLI: neither `docker compose` nor `docker-compose` works; install the Docker Compose plugin or docker-compose (%s)",
		strings.Join(whyNot, "; "))
}

// pluginMissing says whether the docker CLI's answer says it has no
// compose command.
func pluginMissing(out string) bool {
	return strings.Contains(out, "is not a docker command") || strings.Contains(out, "unknown command")
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}

// String names the CLI with its version, for messages.
func (c ComposeCLI) String() string {
	if c.Version == "" {
		return c.Name
	}
	return c.Name + " " + c.Version
}

// ComposeError is a compose command that failed: it exited non-zero, could
// not start, or was cancelled.
type ComposeError struct {
	Command  []string // the full command line, executable first
	ExitCode int      // -1 when it did not exit by itself
	Output   []string // the last lines it printed (stdout and stderr merged)
	Err      error
}

// errorTailLines is how much output Error() repeats: enough for compose's
// own error message, which comes last, without flooding a status line.
const errorTailLines = 5

func (e *ComposeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %v", strings.Join(e.Command, " "), e.Err)
	tail := e.Output[max(0, len(e.Output)-errorTailLines):]
	if len(tail) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(tail, " | "))
	}
	return b.String()
}

func (e *ComposeError) Unwrap() error { return e.Err }

// outputTailLines is how many lines a ComposeError keeps.
const outputTailLines = 200

// droppedEnv are the variables the CLI would read to pick files and name on
// its own. Run passes those as flags, which win in both CLIs; dropping them
// as well keeps the child's environment from contradicting its flags.
// COMPOSE_PROGRESS goes too: a plugin older than --progress (see
// progressArgs) would otherwise redraw in place or print JSON into the
// actions drawer. So does COMPOSE_ANSI: v5.6.0 with COMPOSE_ANSI=always
// refuses --progress plain ("can't use --progress plain while ANSI support
// is forced"), even when --ansi never is passed too; the output goes to a
// pipe, where colours are only noise.
var droppedEnv = []string{"COMPOSE_FILE", "COMPOSE_PROJECT_NAME", "COMPOSE_PROGRESS", "COMPOSE_ANSI"}

// composeEnv is the child's environment: the variables the project was
// loaded with (Options.Env or the process's, plus what its env files
// added), so that the CLI interpolates exactly as the loader did although
// ComposeArgs hands it one env file at most (docker-compose 1.29 takes one).
// The environment beats env files in both CLIs, so these values win.
//
// COMPOSE_PROFILES is set empty rather than dropped: with no --profile both
// CLIs fall back to it, and would read it from the project's .env, turning
// on profiles the user turned off in stackui. Empty means none in both.
func composeEnv(p *Project) []string {
	vars := map[string]string{}
	if p != nil && p.Options.Env != nil {
		maps.Copy(vars, p.Options.Env)
		// The engine stackui watches is the one the process's DOCKER_*
		// variables name (the Engine API client reads them there), so the
		// CLI must talk to that one too, whatever env the project was
		// loaded with: without this, a project loaded with its own env
		// was brought up on the default socket, not on Podman's.
		for _, kv := range os.Environ() {
			if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "DOCKER_") {
				if _, set := vars[k]; !set {
					vars[k] = v
				}
			}
		}
	} else {
		for _, kv := range os.Environ() {
			if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
				vars[k] = v
			}
		}
	}
	if p != nil && p.Model != nil {
		for k, v := range p.Model.Environment {
			// The docker CLI takes DOCKER_HOST and the like from the process
			// environment only: one in a .env must not send the `docker
			// compose` plugin to another engine than the one stackui watches.
			if _, set := vars[k]; !set && !strings.HasPrefix(k, "DOCKER_") {
				vars[k] = v
			}
		}
	}
	for _, k := range droppedEnv {
		delete(vars, k)
	}
	vars[consts.ComposeProfiles] = ""
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	slices.Sort(env)
	return env
}

// AtLeast reports whether the CLI's version is major.minor or later; an
// unknown or unreadable version is not.
func (c ComposeCLI) AtLeast(major, minor int) bool {
	ma, rest, _ := strings.Cut(c.Version, ".")
	mi, _, _ := strings.Cut(rest, ".")
	gotMa, err := strconv.Atoi(ma)
	if err != nil {
		return false
	}
	gotMi, _ := strconv.Atoi(mi) // "2" alone is 2.0
	return gotMa > major || (gotMa == major && gotMi >= minor)
}

// progressArgs make docker compose print each step as one plain line. It
// already does when its output is not a terminal, but COMPOSE_PROGRESS
// (tty: redraws with cursor moves; json; quiet) in the user's environment
// would override that. --progress is a global flag of the plugin, which
// every release since v2.20 has; docker-compose v1 does not know it.
func (c ComposeCLI) progressArgs() []string {
	if c.Name != "docker compose" || !c.AtLeast(2, 20) {
		return nil
	}
	return []string{"--progress", "plain"}
}

// Command is the full command line Run would execute.
func (c ComposeCLI) Command(p *Project, profiles []string, args []string) []string {
	cmd := append([]string{c.Path}, c.Prefix...)
	cmd = append(cmd, c.progressArgs()...)
	if p != nil {
		cmd = append(cmd, p.ComposeArgs(profiles)...)
	}
	return append(cmd, args...)
}

// Run runs one compose subcommand on p with the given profiles turned on.
// Output (stdout and stderr merged) goes to onLine line by line as it comes,
// without line endings or terminal escape codes; onLine may be nil. It
// returns a *ComposeError when the command fails. Cancelling ctx kills the
// command and everything it started.
func (c ComposeCLI) Run(ctx context.Context, p *Project, profiles []string, args []string, onLine func(string)) error {
	if p == nil {
		return errors.New("compose: no project")
	}
	if c.Path == "" {
		return errors.New("compose: no compose CLI detected")
	}
	argv := c.Command(p, profiles, args)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = p.WorkingDir
	cmd.Env = composeEnv(p)
	setProcessGroup(cmd)
	// If the CLI leaves a child holding the output pipe, give up on it
	// rather than wait forever.
	cmd.WaitDelay = 5 * time.Second
	lw := &lineWriter{onLine: onLine}
	cmd.Stdout = lw
	cmd.Stderr = lw
	err := cmd.Run()
	lw.flush()
	if err == nil {
		return nil
	}
	ce := &ComposeError{Command: argv, ExitCode: -1, Output: lw.tail(), Err: err}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		ce.ExitCode = exit.ExitCode()
	}
	if ctx.Err() != nil {
		ce.Err = ctx.Err()
	}
	return ce
}

// lineWriter turns the CLI's output into lines. A bare \r ends a line too,
// so progress bars that redraw in place come out as separate lines instead
// of one line of overdrawn text.
type lineWriter struct {
	onLine func(string)

	mu     sync.Mutex // exec promises one writer at a time; this is cheap insurance
	buf    []byte
	lastCR bool
	ring   []string
	next   int
}

// maxLine caps one line, so output without newlines cannot grow memory.
const maxLine = 64 << 10

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(b)
	for len(b) > 0 {
		if w.lastCR && b[0] == '\n' {
			b = b[1:]
			w.lastCR = false
			continue
		}
		w.lastCR = false
		i := bytes.IndexAny(b, "\r\n")
		if i < 0 {
			w.buf = append(w.buf, b...)
			for len(w.buf) >= maxLine {
				w.emit(w.buf[:maxLine])
				w.buf = append(w.buf[:0], w.buf[maxLine:]...)
			}
			break
		}
		w.buf = append(w.buf, b[:i]...)
		w.lastCR = b[i] == '\r'
		b = b[i+1:]
		w.emit(w.buf)
		w.buf = w.buf[:0]
	}
	return n, nil
}

func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.emit(w.buf)
		w.buf = w.buf[:0]
	}
}

// logrusLine is a message the docker CLI logs in logrus's text format, as
// compose v5 does for warnings when its output is not a terminal:
// time="2026-12-05T20:08:44Z" level=warning msg="Warning: No resource found to remove for project \"demo\"."
var logrusLine = regexp.MustCompile(`^time="[^"]*" level=(\w+) msg=("(?:[^"\\]|\\.)*")(.*)$`)

// plainLogLine turns a logrus line into its message, with the level in
// front unless the message says it already; other lines stay as they are.
func plainLogLine(line string) string {
	m := logrusLine.FindStringSubmatch(line)
	if m == nil {
		return line
	}
	msg, err := strconv.Unquote(m[2])
	if err != nil {
		return line
	}
	// An escaped line break must not split the line again.
	msg = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(msg)
	if !strings.HasPrefix(strings.ToLower(msg), strings.ToLower(m[1])) {
		msg = m[1] + ": " + msg
	}
	return msg + m[3]
}

func (w *lineWriter) emit(raw []byte) {
	line := plainLogLine(strings.TrimRight(ansi.Strip(string(raw)), " \t"))
	if strings.TrimSpace(line) == "" {
		return
	}
	if len(w.ring) < outputTailLines {
		w.ring = append(w.ring, line)
	} else {
		w.ring[w.next] = line
		w.next = (w.next + 1) % outputTailLines
	}
	if w.onLine != nil {
		w.onLine(line)
	}
}

// tail returns the kept lines, oldest first.
func (w *lineWriter) tail() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append(slices.Clone(w.ring[w.next:]), w.ring[:w.next]...)
}

// UpOptions select what Up starts.
type UpOptions struct {
	// Services to start; empty means every service of the active profiles.
	Services []string
	// Profiles to turn on; nil means the project's ActiveProfiles.
	Profiles      []string
	ForceRecreate bool
	Build         bool
	NoDeps        bool
}

// Up creates and starts services, detached.
func (c ComposeCLI) Up(ctx context.Context, p *Project, o UpOptions, onLine func(string)) error {
	profiles := o.Profiles
	if profiles == nil && p != nil {
		profiles = p.ActiveProfiles
	}
	args := []string{"up", "-d"}
	if o.ForceRecreate {
		args = append(args, "--force-recreate")
	}
	if o.Build {
		args = append(args, "--build")
	}
	if o.NoDeps {
		args = append(args, "--no-deps")
	}
	return c.Run(ctx, p, profiles, append(args, o.Services...), onLine)
}

// Down stops and removes the project's containers and networks, of every
// profile. It never removes volumes: that destroys data, and stackui does
// not do it on one call.
func (c ComposeCLI) Down(ctx context.Context, p *Project, onLine func(string)) error {
	return c.Run(ctx, p, allProfiles(p), []string{"down"}, onLine)
}

// Build builds the images of the named services, or of every service of
// the active profiles when none is named.
func (c ComposeCLI) Build(ctx context.Context, p *Project, services []string, onLine func(string)) error {
	return c.Run(ctx, p, profilesFor(p, services), append([]string{"build"}, services...), onLine)
}

// Pull pulls the images of the named services, or of every service of the
// active profiles when none is named.
func (c ComposeCLI) Pull(ctx context.Context, p *Project, services []string, onLine func(string)) error {
	return c.Run(ctx, p, profilesFor(p, services), append([]string{"pull"}, services...), onLine)
}

// Stop stops the named services (all of the given profiles when none is
// named) without removing them.
func (c ComposeCLI) Stop(ctx context.Context, p *Project, profiles, services []string, onLine func(string)) error {
	return c.Run(ctx, p, profiles, append([]string{"stop"}, services...), onLine)
}

// Remove stops and removes the named services' containers (`rm -f -s`). It
// never removes volumes.
func (c ComposeCLI) Remove(ctx context.Context, p *Project, profiles, services []string, onLine func(string)) error {
	return c.Run(ctx, p, profiles, append([]string{"rm", "-f", "-s"}, services...), onLine)
}

// allProfiles turns on every profile, so that commands about the whole
// project (down) reach the containers of inactive profiles too.
func allProfiles(p *Project) []string {
	if p == nil {
		return nil
	}
	return p.Profiles
}

// profilesFor is every profile when services are named, so that a service
// of an inactive profile can still be built or pulled by name, and the
// active profiles otherwise.
func profilesFor(p *Project, services []string) []string {
	if p == nil {
		return nil
	}
	if len(services) > 0 {
		return p.Profiles
	}
	return p.ActiveProfiles
}
