package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/stackui/stackui/demo"
	"github.com/stackui/stackui/stack/docker"
)

func runDemo(env *cliEnv, args []string) int {
	fs := newFlagSet(env, "demo", "[--dir DIR] [--images-only] [--no-tui] [--binary PATH]")
	dir := fs.String("dir", "", "write the demo project into `dir` (default: stackui-demo under the user's cache folder)")
	imagesOnly := fs.Bool("images-only", false, "only build the demo images")
	noTUI := fs.Bool("no-tui", false, "build and write the project, but do not open it")
	binary := fs.String("binary", "", "static linux stackui `path` to put in the image (default: this executable)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "stackui demo: unexpected arguments %q\n", fs.Args())
		return exitBadArgs
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := buildDemoImages(ctx, env, *binary)
	stop()
	if err != nil {
		fmt.Fprintf(env.stderr, "stackui demo: %v\n", err)
		return exitFailure
	}
	if *imagesOnly {
		return exitOK
	}

	if *dir == "" {
		d, err := demo.DefaultDir()
		if err != nil {
			fmt.Fprintf(env.stderr, "stackui demo: %v\n", err)
			return exitFailure
		}
		*dir = d
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		fmt.Fprintf(env.stderr, "stackui demo: %v\n", err)
		return exitFailure
	}
	path, outcome, err := demo.WriteProject(abs)
	if err != nil {
		fmt.Fprintf(env.stderr, "stackui demo: %v\n", err)
		return exitFailure
	}
	switch outcome {
	case demo.KeptUser:
		fmt.Fprintf(env.stdout, "%s: kept your edited file (delete it to get stackui's again)\n", path)
	default:
		fmt.Fprintf(env.stdout, "%s: %s\n", path, outcome)
	}
	if *noTUI {
		fmt.Fprintf(env.stdout, "open it with: stackui --project-directory %s\n", abs)
		return exitOK
	}
	env.compose.files = stringList{path}
	env.compose.projectDir = abs
	return runUI(env, nil)
}

// buildDemoImages builds both demo images on the engine, printing one line
// per image.
func buildDemoImages(ctx context.Context, env *cliEnv, binary string) error {
	conn, err := docker.Connect(ctx, docker.Options{})
	if err != nil {
		return err
	}
	defer conn.Close()
	info, err := conn.Info(ctx)
	if err != nil {
		return fmt.Errorf("ask the engine for its architecture: %w", err)
	}
	results, err := demo.BuildImages(ctx, conn.API(), demo.BuildOptions{Arch: info.Arch, Binary: binary})
	for _, r := range results {
		state := "up to date"
		if r.Built {
			state = "built"
		}
		fmt.Fprintf(env.stdout, "%s (linux/%s): %s\n", r.Image, r.Arch, state)
	}
	return err
}
