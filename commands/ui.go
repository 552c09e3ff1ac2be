package commands

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/stackui/stackui/backend"
	"github.com/stackui/stackui/internal/crash"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
	"github.com/stackui/stackui/ui"
)

// The backend's adapters are what the TUI is given.
var (
	_ ui.Ops           = (*backend.Ops)(nil)
	_ ui.Inspector     = (*backend.Ops)(nil)
	_ ui.Doctor        = (*backend.Doctor)(nil)
	_ ui.Verifier      = (*backend.Doctor)(nil)
	_ ui.Usage         = (*backend.Usage)(nil)
	_ ui.LogStreamer   = (*docker.Client)(nil)
	_ ui.Source        = (*stack.Live)(nil)
	_ ui.Inventory     = (*backend.Backend)(nil)
	_ ui.ProjectOpener = (*backend.Backend)(nil)
	_ ui.VolumeRemover = (*backend.Ops)(nil)
)

// frameRate is how often Bubble Tea's renderer wakes to put the latest
// frame on the terminal: a key's effect shows within 1/frameRate s. The
// renderer's ticker runs whether or not anything changed, and each wake
// costs the most where switching threads is dear (a virtual machine):
// with 100 containers' merged logs, 20 against 30 took 14 % fewer context
// switches (13.7-14.1 k against 16.0-16.3 k in 30 s), and on an idle
// project a tenth of a core's percent. The first frame does not wait for
// the ticker: the TUI draws it before Bubble Tea starts (launchFrame).
const frameRate = 20

// runUI opens the TUI on the project named by the compose flags (those in
// f.compose plus any in args). A project that does not load still opens
// the TUI, on a screen that says why; it loads again when the files change.
func runUI(f *Factory, args []string) int {
	fs := newFlagSet(f, "", "[compose flags]")
	f.compose.register(fs)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := f.Backend
	opts := f.compose.loadOptions()
	// The project's load starts at once, beside the first frame, as the
	// TUI's first command, and never holds the frame back: a slow load (an
	// env_file that is a FIFO, a huge file) shows "loading …" and q still
	// quits. The engine's state fills in as it
	// arrives: nothing here waits for it. Besides the load, nothing starts
	// before the first frame is on the terminal, and the compose CLI's
	// detection waits for the load (startOrder).
	order := newStartOrder()
	live := stack.NewLive(nil, b.LiveEngine(), b.LiveOptions())

	// A bad config file or theme is reported in the status line; stackui
	// starts with the defaults.
	cfg, cfgErr := ui.LoadConfig(ui.DefaultConfigPath(os.Getenv))
	noColor := os.Getenv("NO_COLOR") != "" // no-color.org
	dark, light, themeErr := ui.LoadTheme(cfg, noColor)
	o := tuiOptions(ctx, b, live, opts, cfg, order)
	o.Styles, o.Light, o.Keys = dark, &light, cfg.Keys
	if err := cmp.Or(cfgErr, themeErr); err != nil {
		o.Notice = err.Error() + "; using the defaults"
	}
	tui := ui.New(live, o)
	var model tea.Model = tui
	if how := os.Getenv(crashTestEnv); how != "" {
		model = crashTest{Model: model, how: how, guard: b.Guard()}
	}
	prog := tea.NewProgram(model, tea.WithContext(ctx), tea.WithFPS(frameRate), tea.WithOutput(terminal{File: os.Stdout, order: order}), ui.ColorProfile())
	// Bubble Tea restores the terminal after a panic in Update, View or a
	// command; a panic in a goroutine it did not start would kill the
	// process on the alternate screen, in raw mode, with the mouse
	// captured. Those run under the backend's guard, which stops the
	// program (restoring the terminal) and reports the panic after.
	crashed := make(chan crash.Report, 1)
	b.Guard().Handle(func(r crash.Report) {
		select {
		case crashed <- r:
		default:
		}
		// Quit, not Kill: the event loop is sound, and its orderly exit
		// restores everything (Kill from another goroutine races with a
		// render and can leave the cursor hidden). Kill only if it hangs.
		go prog.Quit()
		time.AfterFunc(2*time.Second, prog.Kill)
	})
	defer b.Guard().Handle(nil)
	b.Guard().Go(func() {
		if order.afterFrame(ctx) {
			live.Run(ctx)
		}
	})
	// The first frame goes up before Bubble Tea starts (launchFrame).
	if w, h, ok := launchSize(os.Stdin, os.Stdout, runtime.GOOS); ok {
		guardLaunch(order, prog.Quit)
		launchFrame(lipgloss.Writer, tui.LaunchFrame(w, h))
		order.launched.Store(true)
	}
	_, err := prog.Run()
	if order.launched.Load() && !order.bubbleDrew.Load() {
		undoLaunchFrame(os.Stdout)
	}
	select {
	case r := <-crashed:
		// The stack first, the cause last: it is what stays on screen.
		fmt.Fprintf(f.Stderr, "%s\nstackui: panic: %v\n", r.Stack, r.Value)
		return exitFailure
	default:
	}
	if err != nil {
		fmt.Fprintf(f.Stderr, "stackui: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// loadingWhat names what the launch screen says is loading.
func loadingWhat(opts stack.LoadOptions) string {
	if len(opts.Files) > 0 {
		return strings.Join(opts.Files, ", ")
	}
	return "compose.yaml"
}

// tuiOptions hands the TUI the backend's adapters for the project live
// watches (none until the TUI's first load): whatever the TUI does with the
// engine and the compose CLI goes through b. Its background work starts in
// order's order (nil: at once).
func tuiOptions(ctx context.Context, b *backend.Backend, live *stack.Live, opts stack.LoadOptions, cfg ui.Config, order *startOrder) ui.Options {
	watch := backend.NewFileWatcher(ctx, b.Guard())
	o := ui.Options{
		Loading:  loadingWhat(opts),
		Context:  ctx,
		Ops:      b.Ops(func() *stack.Project { return live.Snapshot().Project }, cfg.Exec.Command),
		LogLines: cfg.Logs.BufferLines,
		LogBytes: cfg.Logs.BufferBytes,
		LogTotal: cfg.Logs.BufferTotal,
		DetectCompose: func() string {
			order.afterLoad(ctx)
			cli, err := b.Compose(ctx)
			if err != nil {
				return "no compose CLI found"
			}
			return cli.String()
		},
		FilesChanged: watch.Changed(),
		Watch:        watch.Set,
		Reload: func() (*stack.Project, error) {
			if cur := live.Snapshot().Project; cur != nil {
				np, err := cur.Reload(ctx)
				return b.WithConfigHashes(ctx, np), err
			}
			testLoadDelay(ctx)
			p, err := b.Load(ctx, opts)
			order.loadDone()
			if err != nil {
				// Watch the broken file (or the names looked for), so
				// fixing it loads again; a load that works tells the TUI
				// its files, and it sets them.
				watch.Set(backend.WatchedFiles(nil, err, opts))
				return p, err
			}
			// Drift needs the compose CLI's config hashes (an exec of the
			// CLI): the services list does not wait for them.
			b.Guard().Go(func() { setHashesLater(ctx, b, live, p) })
			return p, nil
		},
	}
	// A broken docker context is shown like a missing engine: the services
	// still list, and the status line says why; there are no logs or
	// figures to show.
	// The doctor reads the sampler's history: an OOM fix is sized from
	// the peak and growth measured before the kill.
	doc := b.Doctor()
	o.Doctor = doc
	o.Inventory, o.Projects = b, b
	if eng, err := b.Engine(); err == nil {
		o.Logs = eng
		u := b.Usage(ctx, order.frame())
		o.Usage = u
		doc.WithUsage(u)
		o.EngineInfo = func() (stack.EngineInfo, error) {
			// Podman's service takes seconds to describe itself when
			// busy; this runs off the UI goroutine.
			order.afterFrame(ctx)
			ictx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			return eng.Info(ictx)
		}
	}
	return o
}

// setHashesLater gives live the first project's drift, once the compose
// CLI has hashed its config. The TUI sets p as live's project when its first
// load lands, which is a moment after the load returns: wait a little for
// that, and leave a newer project (a reload, a toggle) alone.
func setHashesLater(ctx context.Context, b *backend.Backend, live *stack.Live, p *stack.Project) {
	q := b.WithConfigHashes(ctx, p)
	if q == p {
		return
	}
	for range 100 {
		switch cur := live.Snapshot().Project; {
		case cur == p:
			live.SetProject(q)
			return
		case cur != nil:
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}
