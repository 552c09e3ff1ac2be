package doctor

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/edit"
)

// GPUUser is one container that holds GPU memory, as nvidia-smi's process
// list attributes it (probes/gpu maps the PIDs to containers).
type GPUUser struct {
	Container string `json:"container"`
	Project   string `json:"project,omitempty"`
	Service   string `json:"service,omitempty"`
	Bytes     uint64 `json:"bytes"`
}

// MemRaise is a memory limit stackui raised, from the edit journal.
type MemRaise struct {
	From int64     `json:"from_bytes"`
	To   int64     `json:"to_bytes"`
	When time.Time `json:"when"`
}

// envExampleName is the file projects keep to list the variables they
// need; stackui reads only its names.
const envExampleName = ".env.example"

// gatherLocal reads what lives on this machine rather than on the engine:
// the caller's GPU attribution, .env.example and the edit journal.
func gatherLocal(ev *Evidence, o Options) {
	ev.GPUUsers = slices.Clone(o.GPUUsers)
	if o.Project.WorkingDir != "" {
		b, err := os.ReadFile(filepath.Join(o.Project.WorkingDir, envExampleName))
		switch {
		case err == nil:
			ev.EnvExample = envNames(b)
		case !errors.Is(err, os.ErrNotExist):
			ev.Gaps = append(ev.Gaps, envExampleName+": "+err.Error())
		}
	}
	if stops, err := IssuedStops(ev.Project); err != nil {
		ev.Gaps = append(ev.Gaps, err.Error())
	} else {
		for _, st := range stops {
			for i := range ev.Services {
				if st.Service == "" || st.Service == ev.Services[i].Model.Name {
					ev.Services[i].Stops = append(ev.Services[i].Stops, st)
				}
			}
		}
	}
	recs, err := edit.Receipts(ev.Project)
	if err != nil {
		ev.Gaps = append(ev.Gaps, "edit journal: "+err.Error())
		return
	}
	for _, r := range recs {
		st := r.Setting
		if st == nil || st.Key != "memory" || st.To <= st.From {
			continue
		}
		if s := ev.Service(st.Service); s != nil {
			s.LastRaise = &MemRaise{From: st.From, To: st.To, When: r.When}
		}
	}
}

var envNameRe = lazyRegexp(`^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=`)

// envNames are the variable names a dotenv file defines, in order.
func envNames(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if m := envNameRe.FindSubmatch(sc.Bytes()); m != nil && !slices.Contains(out, string(m[1])) {
			out = append(out, string(m[1]))
		}
	}
	return out
}

// unexplainedKills are the latest containers that exited 137 without the
// engine reporting an OOM kill, on an engine whose cgroups are this
// host's: the kernel's log may say what the engine did not.
func (g *gatherer) unexplainedKills() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !resources.LocalEngine(g.ev.Engine, runtime.GOOS) {
		return nil
	}
	var ids []string
	for _, s := range g.ev.Services {
		c := latest(s.Containers)
		if c != nil && c.ExitCode == 137 && !c.OOMKilled && (c.State == stack.StateExited || c.State == stack.StateDead) {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// kernelOOMs adds the kernel log's OOM kills in these containers' cgroups.
func (g *gatherer) kernelOOMs(ids []string) error {
	ks, err := resources.KernelOOMs(ids)
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, k := range ks {
		for i := range g.ev.Services {
			s := &g.ev.Services[i]
			if slices.ContainsFunc(s.Containers, func(c stack.Container) bool { return c.ID == k.ContainerID }) {
				s.OOMSeen = append(s.OOMSeen, OOMSeen{Container: k.ContainerID, Service: s.Model.Name, At: k.At, Kills: 1,
					Source: fmt.Sprintf("kernel log (oom-kill of %s, pid %d)", k.Task, k.PID)})
			}
		}
	}
	return err
}
