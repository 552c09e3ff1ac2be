package stack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"
)

// Load reads a compose project the way `docker compose` does, with
// compose-go, from the flags and environment in opts. Every service is
// listed, those of inactive profiles with Enabled false.
//
// Bad input (a file that does not parse or validate, a missing required
// variable, an unknown profile) is one *LoadError naming the file and line.
// When nothing says which files to load and discovery finds none, the error
// matches ErrNoComposeFile. Loader warnings are returned in
// Project.Warnings, never printed.
func Load(ctx context.Context, opts LoadOptions) (*Project, error) {
	return load(ctx, opts, nil)
}

// load is Load, with the files named in overlay read with the given
// contents instead of what is on disk (see LoadOverlay).
func load(ctx context.Context, opts LoadOptions, overlay map[string][]byte) (*Project, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("load compose project: %w", err)
	}
	return runBounded(ctx, opts, func(ctx context.Context, prog *loadProgress) (*Project, error) {
		return loadNow(ctx, opts, overlay, prog)
	})
}

// loadNow is load without the deadline; prog learns which file it is at.
func loadNow(ctx context.Context, opts LoadOptions, overlay map[string][]byte, prog *loadProgress) (*Project, error) {
	// resolveLoad is captured too: reading .env files interpolates them, and
	// compose-go warns about unset variables there as well.
	var (
		plan    *loadPlan
		planErr error
		model   *types.Project
		ov      *overlayLoader // nil without an overlay
	)
	defer func() { ov.remove() }()
	warnings, err := captureWarnings(func() error {
		if plan, planErr = resolveLoad(opts); planErr != nil {
			return nil
		}
		prog.set(plan.files[0])
		if planErr = preflight(plan); planErr != nil {
			return nil
		}
		var extra []cli.ProjectOptionsFn
		if len(overlay) > 0 {
			if ov, planErr = newOverlayLoader(plan, overlay); planErr != nil {
				return nil
			}
			extra = append(extra, cli.WithResourceLoader(ov))
		}
		var err error
		model, err = loadModel(ctx, plan, extra...)
		return err
	})
	if planErr != nil {
		return nil, planErr
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("load compose project: %w", ctx.Err())
		}
		if overlay == nil && strings.Contains(err.Error(), "invalid hostPort") {
			if cut, warns := withoutBadPorts(plan.workDir, plan.files); len(cut) > 0 {
				// loadNow, not load: this load already holds the one
				// load slot, and its deadline covers the second pass.
				if p, err := loadNow(ctx, opts, cut, prog); err == nil {
					p.Warnings = appendNewWarnings(p.Warnings, warns...)
					return p, nil
				}
			}
		}
		var le *LoadError
		if !errors.As(err, &le) {
			le = newExplainer(plan.workDir, ov.tempFiles(plan.files)).explain(err)
		}
		return nil, ov.restoreNames(le, plan.workDir)
	}

	p := &Project{
		Name:       model.Name,
		WorkingDir: model.WorkingDir,
		EnvFiles:   plan.envFiles,
		Model:      model,
		Options:    plan.opts,
	}
	for _, f := range model.ComposeFiles {
		p.Files = append(p.Files, ov.original(f))
	}
	if ov != nil {
		model.ComposeFiles = append([]string(nil), p.Files...)
	}
	p.Warnings = appendNewWarnings(p.Warnings, plan.warnings...)
	for _, w := range warnings {
		p.Warnings = appendNewWarnings(p.Warnings, ov.replaceNames(w))
	}
	p.Warnings = appendNewWarnings(p.Warnings, versionWarnings(p.Files, ov.readFile)...)

	for name, svc := range model.AllServices() {
		p.Services = append(p.Services, newService(name, svc))
		for _, prof := range svc.Profiles {
			if !slices.Contains(p.Profiles, prof) {
				p.Profiles = append(p.Profiles, prof)
			}
		}
	}
	sort.Slice(p.Services, func(i, j int) bool { return p.Services[i].Name < p.Services[j].Name })
	sort.Strings(p.Profiles)

	if err := p.activate(plan.profiles, plan.fromEnv); err != nil {
		return nil, err
	}
	if opts.ResetCopies != "" && overlay == nil {
		if err := p.resetCopies(opts.ResetCopies); err != nil {
			return nil, fmt.Errorf("load compose project: %w", err)
		}
	}
	return p, nil
}

// loadModel runs compose-go with every profile enabled, so that services of
// inactive profiles are loaded, validated and listed too; extra adds
// compose-go options (LoadOverlay's resource loader).
func loadModel(ctx context.Context, plan *loadPlan, extra ...cli.ProjectOptionsFn) (model *types.Project, err error) {
	// compose-go is fed whatever bytes the user's files hold; should it
	// panic on some of them, that is bad input to report, not a crash.
	defer func() {
		if r := recover(); r != nil {
			err = newLoadError(plan.workDir, plan.files[0], 0, fmt.Sprintf("compose-go failed on this project: %v", r), nil)
		}
	}()
	fns := append([]cli.ProjectOptionsFn{
		cli.WithWorkingDirectory(plan.projectDir),
		cli.WithName(plan.opts.ProjectName),
		cli.WithProfiles([]string{"*"}),
		cli.WithLoadOptions(withBounds),
	}, extra...)
	po, err := cli.NewProjectOptions(plan.files, fns...)
	if err != nil {
		return nil, newLoadError(plan.workDir, "", 0, err.Error(), err)
	}
	po.Environment = plan.env
	po.EnvFiles = plan.envFiles
	model, err = po.LoadProject(ctx)
	if err != nil {
		return nil, err
	}
	return resolveServiceFiles(plan.workDir, model)
}

// versionWarnings repeats compose-go's warning about the obsolete `version`
// key, which it gives only once per file per process: a reload must show
// the same warnings as the first load. read reads a file as compose-go
// did (an overlaid one from its temporary copy).
func versionWarnings(files []string, read func(string) ([]byte, error)) []string {
	var out []string
	for _, f := range files {
		b, err := read(f)
		if err != nil {
			continue
		}
		var top map[string]yaml.Node
		if yaml.Unmarshal(b, &top) != nil {
			continue
		}
		if _, ok := top["version"]; ok {
			out = append(out, f+": the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion")
		}
	}
	return out
}

func newService(name string, c types.ServiceConfig) Service {
	s := Service{
		Name:     name,
		Profiles: append([]string(nil), c.Profiles...),
		Image:    c.Image,
		HasBuild: c.Build != nil,
		Platform: c.Platform,
		GPU:      wantsGPU(c),
		MemLimit: int64(c.MemLimit),
		Config:   c,
	}
	if s.MemLimit == 0 && c.Deploy != nil && c.Deploy.Resources.Limits != nil {
		s.MemLimit = int64(c.Deploy.Resources.Limits.MemoryBytes)
	}
	for dep := range c.DependsOn {
		s.DependsOn = append(s.DependsOn, dep)
	}
	sort.Strings(s.DependsOn)
	return s
}

// wantsGPU looks at the service itself: compose-go's
// Project.ServicesWithCapabilities skips disabled services and ignores both
// `gpus:` and a bare driver: nvidia.
func wantsGPU(c types.ServiceConfig) bool {
	if len(c.Gpus) > 0 {
		return true
	}
	if c.Deploy == nil || c.Deploy.Resources.Reservations == nil {
		return false
	}
	for _, d := range c.Deploy.Resources.Reservations.Devices {
		if d.Driver == "nvidia" || slices.Contains(d.Capabilities, "gpu") {
			return true
		}
	}
	return false
}

// activate sets ActiveProfiles and each service's Enabled for the requested
// profiles, with compose-go's own matching. "*" means every profile. With
// none requested, compose matches the profile "" (an unset COMPOSE_PROFILES
// splits into one empty name), so a service listing "" among its profiles
// runs by default and stops running once any profile is chosen.
//
// A selection compose would refuse is refused here too, with its reason: an
// enabled service that needs (depends_on, required) a service left disabled.
func (p *Project) activate(requested []string, fromEnv bool) error {
	active := []string{}
	for _, prof := range splitProfiles(requested) {
		if prof == "*" {
			active = append(active, p.Profiles...)
			continue
		}
		if !slices.Contains(p.Profiles, prof) {
			return p.unknownProfile(prof, fromEnv)
		}
		active = append(active, prof)
	}
	sort.Strings(active)
	active = slices.Compact(active)
	match := active
	if len(active) == 0 {
		match = []string{""}
	} else if i := slices.Index(active, ""); i >= 0 {
		active = slices.Delete(active, i, i+1) // "*" brought it in: not a name to show
	}
	p.ActiveProfiles = active
	for i := range p.Services {
		p.Services[i].Enabled = p.Services[i].Config.HasProfile(match)
	}
	return p.checkDependencies()
}

// checkDependencies refuses what compose refuses before it runs anything:
// an enabled service whose required dependency the profiles leave disabled
// (compose says "depends on undefined service"). The error names the file
// and line of the depends_on entry.
func (p *Project) checkDependencies() error {
	enabled := map[string]bool{}
	for _, s := range p.Services {
		enabled[s.Name] = s.Enabled
	}
	for _, s := range p.Services {
		if !s.Enabled {
			continue
		}
		for _, dep := range s.DependsOn {
			if enabled[dep] || !s.Config.DependsOn[dep].Required {
				continue
			}
			msg := fmt.Sprintf("service %q depends on %q, which the active profiles leave off (%s); compose refuses this selection: turn on a profile of %q, or mark the dependency required: false",
				s.Name, dep, p.profileText(), dep)
			le := &LoadError{Msg: msg, Err: ErrProfileSelection}
			if len(p.Files) > 0 {
				x := newExplainer(p.WorkingDir, p.Files)
				file, line := x.where("", []string{"services", s.Name, "depends_on", dep}, "")
				le = newLoadError(p.WorkingDir, file, line, msg, ErrProfileSelection)
			}
			return le
		}
	}
	return nil
}

// profileText names the active profiles for a message.
func (p *Project) profileText() string {
	if len(p.ActiveProfiles) == 0 {
		return "no profile is on"
	}
	return "on: " + strings.Join(p.ActiveProfiles, ", ")
}

func (p *Project) unknownProfile(prof string, fromEnv bool) error {
	name := fmt.Sprintf("%q", prof)
	if fromEnv {
		name += " (set by COMPOSE_PROFILES)"
	}
	msg := fmt.Sprintf("unknown profile %s; the project has no profiles", name)
	if len(p.Profiles) > 0 {
		msg = fmt.Sprintf("unknown profile %s; the project has profiles: %s", name, strings.Join(p.Profiles, ", "))
	}
	return &LoadError{Msg: msg, Err: ErrUnknownProfile}
}

// WithProfiles returns a copy of the project with active as its active
// profiles, without reading the files again; the TUI toggles profiles with
// it. An unknown profile is a *LoadError matching ErrUnknownProfile.
func (p *Project) WithProfiles(active []string) (*Project, error) {
	q := *p
	q.Services = append([]Service(nil), p.Services...)
	q.Warnings = append([]string(nil), p.Warnings...)
	if err := q.activate(active, false); err != nil {
		return nil, err
	}
	q.Options.Profiles = append([]string{}, q.ActiveProfiles...)
	return &q, nil
}

// Reload loads the project again from its files with the same options.
func (p *Project) Reload(ctx context.Context) (*Project, error) {
	return Load(ctx, p.Options)
}

// ComposeArgs returns the global flags that hand the compose CLI exactly
// this project: name, directory, files, an env file and profiles, with
// absolute paths. profiles nil means the active profiles.
//
// Only the first env file read is passed, since docker-compose 1.29 accepts
// one --env-file; naming it keeps the CLI from reading another default
// .env. The values of all of them must reach the CLI through its
// environment, as ComposeCLI.Run does: that environment beats env files in
// both CLIs. Run also sets COMPOSE_PROFILES empty, since with no --profile
// the CLI falls back to COMPOSE_PROFILES, from its environment or the .env.
func (p *Project) ComposeArgs(profiles []string) []string {
	if profiles == nil {
		profiles = p.ActiveProfiles
	}
	args := []string{"-p", p.Name, "--project-directory", p.WorkingDir}
	for _, f := range p.cliFiles() {
		args = append(args, "-f", f)
	}
	if len(p.EnvFiles) > 0 {
		args = append(args, "--env-file", p.EnvFiles[0])
	}
	for _, prof := range profiles {
		args = append(args, "--profile", prof)
	}
	return args
}
