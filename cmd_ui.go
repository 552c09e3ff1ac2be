package main

import (
	"context"
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
	"github.com/stackui/stackui/themes"
	"github.com/stackui/stackui/ui"
)

// runUI opens the TUI on the project named by the compose flags (those in
// env.compose plus any in args).
func runUI(env *cliEnv, args []string) int {
	fs := newFlagSet(env, "", "[compose flags]")
	env.compose.register(fs)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, code, ok := loadProject(ctx, env)
	if !ok {
		return code
	}
	// Connect never waits for the engine: the first frame comes up at once
	// and the engine's state fills in as it arrives.
	var eng stack.Engine
	if cli, err := docker.Connect(ctx, docker.Options{}); err != nil {
		// A broken docker context is shown like a missing engine: the
		// services still list, and the status line says why.
		eng = unusableEngine{err}
	} else {
		defer cli.Close()
		eng = cli
	}
	live := stack.NewLive(p, eng, stack.LiveOptions{})
	go live.Run(ctx)

	// A project whose files cannot be watched still works; it just does
	// not reload by itself.
	files := append(append([]string{}, p.Files...), p.EnvFiles...)
	changed, _ := stack.WatchFiles(ctx, files)
	noColor := os.Getenv("NO_COLOR") != "" // no-color.org
	model := ui.New(live, ui.Options{
		Styles: themes.Build(themes.Default(), true, noColor),
		DetectCompose: func() string {
			cli, err := stack.DetectCompose(ctx)
			if err != nil {
				return "not found"
			}
			return cli.String()
		},
		FilesChanged: changed,
		Reload: func() (*stack.Project, error) {
			return live.Snapshot().Project.Reload(ctx)
		},
	})
	if _, err := tea.NewProgram(model, tea.WithContext(ctx)).Run(); err != nil {
		fmt.Fprintf(env.stderr, "stackui: %v\n", err)
		return exitFailure
	}
	return exitOK
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
