package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
	"github.com/stackui/stackui/ui"
)

// runUI opens the TUI on the project named by the compose flags (those in
// env.compose plus any in args). A project that does not load still opens
// the TUI, on a screen that says why; it loads again when the files change.
func runUI(env *cliEnv, args []string) int {
	fs := newFlagSet(env, "", "[compose flags]")
	env.compose.register(fs)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := env.compose.loadOptions()
	p, loadErr := stack.Load(ctx, opts)
	if loadErr == nil {
		p, loadErr = withOverrides(ctx, p)
	}
	if loadErr != nil {
		var le *stack.LoadError
		if !errors.As(loadErr, &le) && !errors.Is(loadErr, stack.ErrNoComposeFile) {
			fmt.Fprintf(env.stderr, "stackui: %v\n", loadErr)
			return exitFailure
		}
	}
	// Connect never waits for the engine: the first frame comes up at once
	// and the engine's state fills in as it arrives.
	var eng stack.Engine
	cli, connErr := docker.Connect(ctx, docker.Options{})
	if connErr != nil {
		// A broken docker context is shown like a missing engine: the
		// services still list, and the status line says why.
		eng = unusableEngine{connErr}
	} else {
		defer cli.Close()
		eng = cli
	}
	live := stack.NewLive(p, eng, stack.LiveOptions{})
	go live.Run(ctx)

	watch := newFileWatcher(ctx)
	watch.set(watchedFiles(p, loadErr, opts))
	// A bad config file or theme is reported in the status line; stackui
	// starts with the defaults.
	cfg, cfgErr := ui.LoadConfig(ui.DefaultConfigPath(os.Getenv))
	noColor := os.Getenv("NO_COLOR") != "" // no-color.org
	dark, light, themeErr := ui.LoadTheme(cfg, noColor)
	notice := ""
	if err := cmp.Or(cfgErr, themeErr); err != nil {
		notice = err.Error() + "; using the defaults"
	}
	var (
		logs       ui.LogStreamer
		usage      ui.Usage
		engineInfo func() (stack.EngineInfo, error)
	)
	if cli != nil {
		logs = cli
		late := newLateSampler()
		late.start(ctx, cli)
		usage = late
		engineInfo = func() (stack.EngineInfo, error) {
			ictx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			return cli.Info(ictx)
		}
	}
	ops := newOps(func() *stack.Project { return live.Snapshot().Project }, cli, connErr, cfg.Exec.Command)
	model := ui.New(live, ui.Options{
		Context:    ctx,
		Ops:        ops,
		LogLines:   cfg.Logs.BufferLines,
		Logs:       logs,
		Usage:      usage,
		EngineInfo: engineInfo,
		Doctor:     newDoctorUI(cli),
		Styles:     dark,
		Light:      &light,
		Keys:       cfg.Keys,
		Notice:     notice,
		LoadErr:    loadErr,
		DetectCompose: func() string {
			cli, err := stack.DetectCompose(ctx)
			if err != nil {
				return "no compose CLI found"
			}
			return cli.String()
		},
		FilesChanged: watch.changed(),
		Watch:        watch.set,
		Reload: func() (*stack.Project, error) {
			if cur := live.Snapshot().Project; cur != nil {
				return cur.Reload(ctx)
			}
			p, err := stack.Load(ctx, opts)
			if err != nil {
				return nil, err
			}
			return withOverrides(ctx, p)
		},
	})
	if _, err := tea.NewProgram(model, tea.WithContext(ctx), tea.WithFPS(30)).Run(); err != nil {
		fmt.Fprintf(env.stderr, "stackui: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// watchedFiles are the files whose change should trigger a load: the
// project's files, or the broken file, or the names discovery looks for.
func watchedFiles(p *stack.Project, loadErr error, opts stack.LoadOptions) []string {
	if p != nil {
		return append(append([]string{}, p.Files...), p.EnvFiles...)
	}
	var le *stack.LoadError
	if errors.As(loadErr, &le) && le.File != "" {
		return append([]string{le.File}, opts.Files...)
	}
	var nf *stack.NoComposeFileError
	if errors.As(loadErr, &nf) && len(nf.Searched) > 0 {
		files := make([]string, 0, len(nf.Names))
		for _, n := range nf.Names {
			files = append(files, filepath.Join(nf.Searched[0], n))
		}
		return files
	}
	return opts.Files
}

// fileWatcher watches one set of files at a time and reports changes on a
// single channel, so the model can keep waiting on the same channel while
// the set changes (after a broken file was fixed, say).
type fileWatcher struct {
	ctx    context.Context
	out    chan struct{}
	mu     sync.Mutex
	cancel context.CancelFunc
}

func newFileWatcher(ctx context.Context) *fileWatcher {
	return &fileWatcher{ctx: ctx, out: make(chan struct{}, 1)}
}

func (w *fileWatcher) changed() <-chan struct{} { return w.out }

// set replaces the watched files. A set that cannot be watched (a folder
// that is gone) is not an error: the project works, it just does not reload
// by itself.
func (w *fileWatcher) set(files []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cancel != nil {
		w.cancel()
	}
	ctx, cancel := context.WithCancel(w.ctx)
	w.cancel = cancel
	in, err := stack.WatchFiles(ctx, files)
	if err != nil {
		return
	}
	go func() {
		for range in {
			select {
			case w.out <- struct{}{}:
			default:
			}
		}
	}()
}

// unusableEngine stands in for an engine whose configuration is broken (an
// unknown docker context, a bad DOCKER_HOST): every call says why.
type unusableEngine struct{ err error }

func (u unusableEngine) ProjectContainers(context.Context, string) ([]stack.Container, error) {
	return nil, u.err
}

func (u unusableEngine) InspectContainer(context.Context, string) (stack.Container, error) {
	return stack.Container{}, u.err
}

func (u unusableEngine) ProjectEvents(context.Context, string) (<-chan stack.Event, <-chan error) {
	errs := make(chan error, 1)
	errs <- u.err
	close(errs)
	events := make(chan stack.Event)
	close(events)
	return events, errs
}
