package stack

import (
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// LoadOptions say which compose project to load, shaped like the flags and
// environment of `docker compose`.
type LoadOptions struct {
	Files       []string // -f, repeatable; empty means COMPOSE_FILE, then default discovery
	ProjectDir  string   // --project-directory
	ProjectName string   // -p
	Profiles    []string // --profile, repeatable; nil means COMPOSE_PROFILES
	EnvFiles    []string // --env-file, repeatable; nil means <project dir>/.env
	// Overrides are files stackui generated (the doctor's no-GPU
	// override), loaded after the files above and passed to the compose
	// CLI with them, so the user's own files stay untouched.
	Overrides []string
	// ResetCopies, when set, is the folder for copies of the files without
	// the keys the overrides `!reset`, for a compose CLI that cannot read
	// the tag (ComposeCLI.ReadsReset); Project.CLIFiles then names them.
	ResetCopies string
	// WorkDir is where discovery starts; "" means the process's current directory.
	WorkDir string
	// Env is the environment used for COMPOSE_* variables and interpolation;
	// nil means the process environment. Tests pass their own.
	Env map[string]string
	// Timeout bounds how long a load may take; 0 means
	// DefaultLoadTimeout. A load past it is a *LoadError.
	Timeout time.Duration
}

// Project is a loaded compose project: every service, including those of
// inactive profiles, with what stackui needs to know about each.
type Project struct {
	Name       string
	WorkingDir string
	Files      []string // absolute paths of the files that were loaded, in order
	EnvFiles   []string // env files that were read
	// CLIFiles, when set, replace Files on the compose CLI's command line:
	// copies made for docker-compose 1.29 (LoadOptions.ResetCopies).
	CLIFiles []string
	// Profiles lists every profile named by any service, sorted.
	Profiles []string
	// ActiveProfiles are the profiles turned on for this session, sorted.
	ActiveProfiles []string
	// Services lists every service, sorted by name; those of inactive
	// profiles have Enabled false.
	Services []Service
	// Warnings are what the loader would have printed: unset variables, the
	// obsolete `version` key, and the like.
	Warnings []string
	// ConfigHashes are the compose CLI's hash of each service's
	// configuration as the files say now (ComposeCLI.ConfigHashes); nil
	// when not asked for or not known. A container whose config-hash label
	// differs has drifted: `up` would recreate it.
	ConfigHashes map[string]string
	// Model is compose-go's view with every profile enabled.
	Model *types.Project
	// Options are the options the project was loaded with, so the compose CLI
	// can be handed exactly the same view.
	Options LoadOptions
}

// Service is one service of the project.
type Service struct {
	Name      string
	Profiles  []string
	Enabled   bool // no profiles, or one of them is active
	Image     string
	HasBuild  bool
	Platform  string
	GPU       bool  // requests an NVIDIA GPU (deploy reservation or `gpus:`)
	MemLimit  int64 // bytes; 0 when unlimited
	DependsOn []string
	Config    types.ServiceConfig
}

// Service returns the named service, or false.
func (p *Project) Service(name string) (Service, bool) {
	for _, s := range p.Services {
		if s.Name == name {
			return s, true
		}
	}
	return Service{}, false
}
