package commands

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/stackui/stackui/demo"
)

func runDemo(f *Factory, args []string) int {
	fs := newFlagSet(f, "demo", "[--dir DIR] [--images-only] [--no-tui] [--binary PATH]")
	dir := fs.String("dir", "", "write the demo project into `dir` (default: stackui-demo under the user's cache folder)")
	imagesOnly := fs.Bool("images-only", false, "only build the demo images")
	noTUI := fs.Bool("no-tui", false, "build and write the project, but do not open it")
	binary := fs.String("binary", "", "static linux stackui `path` to put in the image (default: this executable)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(f.Stderr, "stackui demo: unexpected arguments %q\n", fs.Args())
		return exitBadArgs
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := buildDemoImages(ctx, f, *binary)
	stop()
	if err != nil {
		fmt.Fprintf(f.Stderr, "stackui demo: %v\n", err)
		return exitFailure
	}
	if *imagesOnly {
		return exitOK
	}

	if *dir == "" {
		d, err := demo.DefaultDir()
		if err != nil {
			fmt.Fprintf(f.Stderr, "stackui demo: %v\n", err)
			return exitFailure
		}
		*dir = d
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		fmt.Fprintf(f.Stderr, "stackui demo: %v\n", err)
		return exitFailure
	}
	path, outcome, err := demo.WriteProject(abs)
	if err != nil {
		fmt.Fprintf(f.Stderr, "stackui demo: %v\n", err)
		return exitFailure
	}
	switch outcome {
	case demo.KeptUser:
		fmt.Fprintf(f.Stdout, "%s: kept your edited file (delete it to get stackui's again)\n", path)
	default:
		fmt.Fprintf(f.Stdout, "%s: %s\n", path, outcome)
	}
	if *noTUI {
		fmt.Fprintf(f.Stdout, "open it with: stackui --project-directory %s\n", abs)
		return exitOK
	}
	f.compose.files = stringList{path}
	f.compose.projectDir = abs
	return runUI(f, nil)
}

// buildDemoImages builds both demo images on the engine, printing one line
// per image.
func buildDemoImages(ctx context.Context, f *Factory, binary string) error {
	conn, err := f.Backend.Engine()
	if err != nil {
		return err
	}
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
		fmt.Fprintf(f.Stdout, "%s (linux/%s): %s\n", r.Image, r.Arch, state)
	}
	return err
}
