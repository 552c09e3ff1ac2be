package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/stackui/stackui/stack"
)

func runResources(f *Factory, args []string) int {
	fs := newFlagSet(f, "resources", "[compose flags] [--json]\n\nThe project's images, volumes and networks, with their sizes.\nExit status: 0 listed, 2 usage or load error, 3 engine not reachable")
	f.compose.register(fs)
	asJSON := fs.Bool("json", false, "print JSON (a stable scripting interface)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(f.Stderr, "stackui resources: unexpected arguments %q\n", fs.Args())
		return exitBadArgs
	}
	ctx := context.Background()
	p, code, ok := loadProject(ctx, f)
	if !ok {
		return code
	}
	r, err := f.Backend.Resources(ctx, p, true)
	out := resourcesJSON{Engine: doctorEngine{Reachable: err == nil}, Resources: r}
	out.Project = p.Name
	out.Images, out.Volumes, out.Networks = nonNil(r.Images), nonNil(r.Volumes), nonNil(r.Networks)
	if err != nil {
		out.Engine.Error = err.Error()
	}
	if *asJSON {
		if code := writeJSON(f, out); code != exitOK {
			return code
		}
	} else if err == nil {
		printResources(f.Stdout, r)
	}
	if err != nil {
		if !*asJSON {
			fmt.Fprintf(f.Stderr, "stackui resources: %v\n", err)
		}
		var le *stack.EngineError
		if errors.As(err, &le) || errors.Is(err, stack.ErrEngineUnavailable) {
			return exitNoEngine
		}
		if _, cerr := f.Backend.Engine(); cerr != nil {
			return exitNoEngine // a docker context or host it cannot use
		}
		return exitFailure
	}
	return exitOK
}

// resourcesJSON is the shape of `stackui resources --json`: what the TUI's
// resources view shows. Fields are only ever added.
type resourcesJSON struct {
	Engine doctorEngine `json:"engine"`
	stack.Resources
}

func printResources(w io.Writer, r stack.Resources) {
	fmt.Fprintf(w, "project %s · engine %s\n\nIMAGES\n", r.Project, r.Platform)
	rows := [][]string{{"IMAGE", "ID", "SIZE", "CREATED", "PLATFORM", "SERVICES"}}
	for _, img := range r.Images {
		name, id := img.Label(), img.ShortID()
		plat := dash(img.Platform)
		if img.Foreign {
			plat += " (foreign)"
		}
		size, created := stack.DiskSize(img.Size), "-"
		if !img.Created.IsZero() {
			created = img.Age(time.Now())
		}
		if img.Missing {
			size, created, plat = "not on the engine", "-", "-"
		}
		rows = append(rows, []string{name, dash(id), size, created, plat, dash(strings.Join(img.Services, ","))})
	}
	table(w, rows)
	fmt.Fprintf(w, "\nVOLUMES\n")
	rows = [][]string{{"VOLUME", "SIZE", "DRIVER", "SERVICES", "USED BY", "MOUNTPOINT"}}
	for _, v := range r.Volumes {
		size := stack.DiskSize(v.Size)
		if v.Missing {
			size = "not created"
		}
		rows = append(rows, []string{v.Name, size, dash(v.Driver), dash(strings.Join(v.Services, ",")),
			dash(strings.Join(v.Containers, ",")), dash(v.Mountpoint)})
	}
	table(w, rows)
	fmt.Fprintf(w, "\nNETWORKS\n")
	rows = [][]string{{"NETWORK", "DRIVER", "SUBNET", "SERVICES"}}
	for _, n := range r.Networks {
		driver := dash(n.Driver)
		if n.Missing {
			driver = "not created"
		}
		rows = append(rows, []string{n.Name, driver, dash(strings.Join(n.Subnets, ",")), dash(strings.Join(n.Services, ","))})
	}
	table(w, rows)
}
