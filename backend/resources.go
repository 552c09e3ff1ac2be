package backend

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/stackui/stackui/stack"
)

// resourcesTimeout bounds one look at the project's resources: the disk
// usage call measures every volume, which takes a while on a big one.
const resourcesTimeout = 30 * time.Second

// Resources are p's images (with size, age, platform and whether it is
// foreign to the engine), volumes (size, driver, mountpoint, users) and
// networks (driver, subnets, services), as `stackui resources` prints
// them and the TUI's resources view shows them. It asks the engine each
// time: the TUI calls it only while the view is open. Without sizes it
// skips the disk usage call, which takes seconds on a busy engine, and
// volumes have Size -1.
func (b *Backend) Resources(ctx context.Context, p *stack.Project, sizes bool) (stack.Resources, error) {
	if p == nil {
		return stack.Resources{}, errors.New("no compose project loaded")
	}
	eng, err := b.Engine()
	if err != nil {
		return stack.Resources{Project: p.Name}, err
	}
	ctx, cancel := context.WithTimeout(ctx, resourcesTimeout)
	defer cancel()
	info, err := eng.Info(ctx)
	if err != nil {
		return stack.Resources{Project: p.Name}, err
	}
	e, err := eng.EngineResources(ctx, sizes)
	if err != nil {
		return stack.Resources{Project: p.Name}, err
	}
	r := stack.ProjectResources(p, e)
	r.Platform = info.Platform()
	for i := range r.Images {
		img := &r.Images[i]
		if img.Missing {
			continue
		}
		plat, err := eng.ImagePlatform(ctx, img.ID)
		if err != nil {
			if errors.Is(err, stack.ErrEngineUnavailable) {
				return r, err
			}
			continue // removed since the list: no platform to show
		}
		img.Platform = plat
		img.Foreign = foreignPlatform(plat, info)
	}
	return r, nil
}

// foreignPlatform says whether an image's os/arch is not the engine's,
// so that it runs only under emulation (if at all). The variant is not
// compared: an engine runs its architecture's variants.
func foreignPlatform(plat string, info stack.EngineInfo) bool {
	parts := strings.Split(plat, "/")
	if len(parts) < 2 || info.Arch == "" {
		return false
	}
	return parts[0] != info.OS || parts[1] != info.Arch
}

// RemoveVolume deletes a volume with its data. The TUI reaches it only
// through a confirmation that has the volume's name typed out, and no
// doctor fix ever calls it. A volume a container (running or stopped)
// mounts is refused, naming the containers.
func (b *Backend) RemoveVolume(ctx context.Context, name string) error {
	eng, err := b.Engine()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, resourcesTimeout)
	defer cancel()
	return eng.RemoveVolume(ctx, name)
}

// Projects are the compose projects the engine has containers of,
// stopped ones included, from the containers' labels.
func (b *Backend) Projects(ctx context.Context) ([]stack.ProjectSummary, error) {
	eng, err := b.Engine()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, engineTimeout)
	defer cancel()
	cs, err := eng.AllContainers(ctx)
	if err != nil {
		return nil, err
	}
	return stack.Projects(cs), nil
}

// FilesGoneError says a project cannot be opened from the files its
// containers were made from: they are no longer there.
type FilesGoneError struct {
	Project string
	Missing []string
	// NoLabel: its containers do not say which files made them.
	NoLabel bool
}

func (e *FilesGoneError) Error() string {
	if e.NoLabel {
		return fmt.Sprintf("project %s: its containers do not name their compose files (no %s label)", e.Project, stack.LabelConfigFiles)
	}
	return fmt.Sprintf("project %s: its compose file %s is gone", e.Project, strings.Join(e.Missing, ", "))
}

// OpenProject loads the project s from the compose files its containers
// were created from, in its working directory and under its own name, as
// Load does (overrides and config hashes included). Files that are gone
// are a *FilesGoneError naming them.
func (b *Backend) OpenProject(ctx context.Context, s stack.ProjectSummary) (*stack.Project, error) {
	if len(s.Files) == 0 {
		return nil, &FilesGoneError{Project: s.Name, NoLabel: true}
	}
	var missing []string
	s.Files = slices.Clone(s.Files)
	for i, f := range s.Files {
		// A label with a relative path (an engine or CLI that records the
		// -f as given) is relative to the project's folder, as compose
		// reads it, not to the folder stackui runs in: there it could find
		// this project's compose.yaml and load it under the other's name.
		if !filepath.IsAbs(f) && s.WorkingDir != "" {
			f = filepath.Join(s.WorkingDir, f)
			s.Files[i] = f
		}
		if _, err := os.Stat(f); err != nil || !filepath.IsAbs(f) {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return nil, &FilesGoneError{Project: s.Name, Missing: missing}
	}
	p, err := b.Load(ctx, stack.LoadOptions{Files: s.Files, ProjectDir: s.WorkingDir, ProjectName: s.Name, WorkDir: s.WorkingDir})
	if err != nil {
		return nil, err
	}
	return b.WithConfigHashes(ctx, p), nil
}

// RemoveVolume is Backend.RemoveVolume for the TUI's actions (the
// optional ui.VolumeRemover), which say in the drawer what they did.
func (o *Ops) RemoveVolume(ctx context.Context, name string, onLine func(string)) error {
	if err := o.b.RemoveVolume(ctx, name); err != nil {
		return err
	}
	onLine("removed volume " + name)
	return nil
}
