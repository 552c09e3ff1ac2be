package doctor

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/edit"
)

// PlanFixes works out each fix's change against the project's files: edit
// fixes get their Plan and Diff (a port fix first finds a free port, by
// binding it), the no-GPU fix the override it would write. A fix that
// cannot be planned (the value comes from a variable, say) is dropped, and
// why is added to its finding's explanation and to its Unoffered. overrideDir is where override
// files go; "" means OverrideDir(p.Name).
func PlanFixes(p *stack.Project, findings []Finding, overrideDir string) []Finding {
	out := make([]Finding, len(findings))
	for i, f := range findings {
		fixes := make([]Fix, 0, len(f.Fixes))
		for _, fix := range f.Fixes {
			planned, err := planFix(p, fix, overrideDir)
			if err != nil {
				f.Explanation += fmt.Sprintf("\n\nstackui cannot offer %q here: %v", fix.ID, err)
				f.Unoffered = append(f.Unoffered, Unoffered{FixID: fix.ID, Reason: err.Error(), Err: err})
				continue
			}
			fixes = append(fixes, planned)
		}
		f.Fixes = fixes
		out[i] = f
	}
	return out
}

func planFix(p *stack.Project, fix Fix, overrideDir string) (Fix, error) {
	a := fix.Action
	var (
		plan edit.Plan
		err  error
	)
	switch a.Kind {
	case ActSetMemLimit:
		plan, err = edit.SetMemLimit(p, a.Service, a.Bytes)
	case ActSetPlatform:
		plan, err = edit.SetPlatform(p, a.Service, a.Platform)
	case ActSetStopGrace:
		plan, err = edit.SetStopGracePeriod(p, a.Service, a.Grace)
	case ActSetShmSize:
		plan, err = edit.SetShmSize(p, a.Service, a.Bytes)
	case ActSetIPCHost:
		plan, err = edit.SetIPC(p, a.Service, "host")
	case ActRemapPort:
		if a.NewPort == 0 {
			near := a.OldPort + 1
			if near > 65535 {
				near = 0 // any free port
			}
			if a.NewPort, err = edit.FreePort(near); err != nil {
				return fix, err
			}
			fix.Action = a
			fix.Title = fmt.Sprintf("publish %s on host port %d instead of %d, then recreate it", a.Service, a.NewPort, a.OldPort)
		}
		plan, err = edit.RemapPort(p, a.Service, a.OldPort, a.NewPort)
	case ActSetRestart:
		plan, err = edit.SetRestart(p, a.Service, a.Policy)
	case ActDependsHealthy:
		plan, err = edit.SetDependsOnCondition(p, a.Service, a.Dependency, "service_healthy")
	case ActReplaceHost:
		plan, err = edit.ReplaceHost(p, a.Service, a.OldHost, a.NewHost)
	case ActNoGPUOverride:
		path, content, err := noGPUOverrideFile(p, a.Service, overrideDir)
		if err != nil {
			return fix, err
		}
		fix.Diff = newFileDiff(path, content)
		return fix, nil
	default:
		return fix, nil // restart and profile-off edit no file
	}
	if err != nil {
		return fix, err
	}
	if err := edit.Validate(p, plan); err != nil {
		return fix, err
	}
	if a.Kind == ActSetMemLimit {
		if err := checkMemSwap(p, plan, a.Service); err != nil {
			return fix, err
		}
	}
	fix.Plan = &plan
	fix.Diff = plan.Diff()
	return fix, nil
}

// noGPUOverrideFile is the path and content of the no-GPU override.
func noGPUOverrideFile(p *stack.Project, service, dir string) (string, []byte, error) {
	if dir == "" {
		var err error
		if dir, err = OverrideDir(p.Name); err != nil {
			return "", nil, err
		}
	}
	content, err := noGPUOverride(service)
	if err != nil {
		return "", nil, err
	}
	return filepath.Join(dir, noGPUOverrideName(service)), content, nil
}

// checkMemSwap refuses a memory limit above the service's memswap_limit
// (memory plus swap), which the engine rejects when it creates the
// container ("Minimum memoryswap limit should be larger than memory
// limit"), though compose-go loads it.
func checkMemSwap(p *stack.Project, plan edit.Plan, service string) error {
	overlay := make(map[string][]byte, len(plan.Changes))
	for _, c := range plan.Changes {
		overlay[c.File] = c.After
	}
	after, err := stack.LoadOverlay(context.Background(), p.Options, overlay)
	if err != nil {
		return err
	}
	s, ok := after.Service(service)
	if !ok {
		return fmt.Errorf("the edit loses service %s", service)
	}
	if swap := int64(s.Config.MemSwapLimit); swap > 0 && swap < s.MemLimit {
		return fmt.Errorf("its memswap_limit (%s) would be below the new memory limit (%s), which the engine refuses; raise both by hand",
			composeSize(swap), composeSize(s.MemLimit))
	}
	return nil
}
