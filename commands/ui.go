package commands

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/backend"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
	"github.com/stackui/stackui/ui"
)

// The backend's adapters are what the TUI is given.
var (
	_ ui.Ops         = (*backend.Ops)(nil)
	_ ui.Doctor      = (*backend.Doctor)(nil)
	_ ui.Usage       = (*backend.Usage)(nil)
	_ ui.LogStreamer = (*docker.Client)(nil)
	_ ui.Source      = (*stack.Live)(nil)
)

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
	b.StartCompose() // the status line names it once the first frame is up
	opts := f.compose.loadOptions()
	p, loadErr := b.Load(ctx, opts)
	if loadErr != nil {
		var le *stack.LoadError
		if !errors.As(loadErr, &le) && !errors.Is(loadErr, stack.ErrNoComposeFile) {
			fmt.Fprintf(f.Stderr, "stackui: %v\n", loadErr)
			return exitFailure
		}
	}
	// The engine's state fills in as it arrives: nothing here waits for it.
	live := stack.NewLive(p, b.LiveEngine(), stack.LiveOptions{})
	go live.Run(ctx)
	if p != nil {
		// Drift needs the compose CLI's config hashes: the first frame
		// does not wait for them.
		go func() {
			if q := b.WithConfigHashes(ctx, p); q != p && live.Snapshot().Project == p {
				live.SetProject(q)
			}
		}()
	}

	// A bad config file or theme is reported in the status line; stackui
	// starts with the defaults.
	cfg, cfgErr := ui.LoadConfig(ui.DefaultConfigPath(os.Getenv))
	noColor := os.Getenv("NO_COLOR") != "" // no-color.org
	dark, light, themeErr := ui.LoadTheme(cfg, noColor)
	o := tuiOptions(ctx, b, live, p, loadErr, opts, cfg)
	o.Styles, o.Light, o.Keys = dark, &light, cfg.Keys
	if err := cmp.Or(cfgErr, themeErr); err != nil {
		o.Notice = err.Error() + "; using the defaults"
	}
	if _, err := tea.NewProgram(ui.New(live, o), tea.WithContext(ctx), tea.WithFPS(30)).Run(); err != nil {
		fmt.Fprintf(f.Stderr, "stackui: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// tuiOptions hands the TUI the backend's adapters for the project live
// watches (p at start, or none with loadErr saying why): whatever the TUI
// does with the engine and the compose CLI goes through b.
func tuiOptions(ctx context.Context, b *backend.Backend, live *stack.Live, p *stack.Project, loadErr error, opts stack.LoadOptions, cfg ui.Config) ui.Options {
	watch := backend.NewFileWatcher(ctx)
	watch.Set(backend.WatchedFiles(p, loadErr, opts))
	o := ui.Options{
		Context:  ctx,
		Ops:      b.Ops(func() *stack.Project { return live.Snapshot().Project }, cfg.Exec.Command),
		LogLines: cfg.Logs.BufferLines,
		Doctor:   b.Doctor(),
		LoadErr:  loadErr,
		DetectCompose: func() string {
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
			np, err := b.Load(ctx, opts)
			return b.WithConfigHashes(ctx, np), err
		},
	}
	// A broken docker context is shown like a missing engine: the services
	// still list, and the status line says why; there are no logs or
	// figures to show.
	if eng, err := b.Engine(); err == nil {
		o.Logs = eng
		o.Usage = b.Usage(ctx)
		o.EngineInfo = func() (stack.EngineInfo, error) {
			ictx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			return eng.Info(ictx)
		}
	}
	return o
}
