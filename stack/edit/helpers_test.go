package edit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	units "github.com/docker/go-units"
	"github.com/stackui/stackui/stack"
)

// fix is one fix as a test names it: "mem trainer 128m", "platform api
// linux/arm64", "grace worker 30s", "port web 8080 9001".
type fix struct {
	kind, service string
	bytes         int64
	platform      string
	grace         time.Duration
	oldPort       int
	newPort       int
}

func parseFix(s string) (fix, error) {
	f := strings.Fields(s)
	if len(f) < 3 {
		return fix{}, fmt.Errorf("fix %q: want KIND SERVICE VALUE", s)
	}
	x := fix{kind: f[0], service: f[1]}
	var err error
	switch x.kind {
	case "mem":
		x.bytes, err = units.RAMInBytes(f[2])
	case "platform":
		x.platform = f[2]
	case "grace":
		x.grace, err = time.ParseDuration(f[2])
	case "port":
		if len(f) != 4 {
			return fix{}, fmt.Errorf("fix %q: want port SERVICE OLD NEW", s)
		}
		if x.oldPort, err = strconv.Atoi(f[2]); err == nil {
			x.newPort, err = strconv.Atoi(f[3])
		}
	default:
		err = fmt.Errorf("unknown fix kind %q", x.kind)
	}
	return x, err
}

func (x fix) plan(p *stack.Project) (Plan, error) {
	switch x.kind {
	case "mem":
		return SetMemLimit(p, x.service, x.bytes)
	case "platform":
		return SetPlatform(p, x.service, x.platform)
	case "grace":
		return SetStopGracePeriod(p, x.service, x.grace)
	default:
		return RemapPort(p, x.service, x.oldPort, x.newPort)
	}
}

// applyTo makes the change the fix intends on a compose-go service
// config: what the service must load as after the edit.
func (x fix) applyTo(c types.ServiceConfig) types.ServiceConfig {
	switch x.kind {
	case "mem":
		// memswap_limit keeps its swap on top of the new limit, the
		// engine's rule checked independently of memSwapFor
		if c.MemSwapLimit > 0 {
			oldMem := int64(c.MemLimit)
			if oldMem == 0 && c.Deploy != nil && c.Deploy.Resources.Limits != nil {
				oldMem = int64(c.Deploy.Resources.Limits.MemoryBytes)
			}
			c.MemSwapLimit = types.UnitBytes(x.bytes + max(int64(c.MemSwapLimit)-oldMem, 0))
		}
		if c.MemLimit != 0 || c.Deploy == nil || c.Deploy.Resources.Limits == nil {
			c.MemLimit = types.UnitBytes(x.bytes)
		}
		if c.Deploy != nil && c.Deploy.Resources.Limits != nil {
			lim := *c.Deploy.Resources.Limits
			lim.MemoryBytes = types.UnitBytes(x.bytes)
			d := *c.Deploy
			d.Resources.Limits = &lim
			c.Deploy = &d
		}
	case "platform":
		c.Platform = x.platform
	case "grace":
		d := types.Duration(x.grace)
		c.StopGracePeriod = &d
	case "port":
		// checked by checkPorts: a range moves as a whole
		c.Ports = nil
	}
	return c
}

// checkPorts checks that the fix moved oldPort to newPort and left the
// rest of each ports entry alone.
func (x fix) checkPorts(before, after []types.ServicePortConfig) error {
	if len(before) != len(after) {
		return fmt.Errorf("%d ports entries before, %d after", len(before), len(after))
	}
	moved := false
	for i := range before {
		b, a := before[i], after[i]
		if a.Published == strconv.Itoa(x.oldPort) {
			return fmt.Errorf("port %d is still published: %+v", x.oldPort, a)
		}
		moved = moved || (b.Published == strconv.Itoa(x.oldPort) && a.Published == strconv.Itoa(x.newPort))
		b.Published, a.Published = "", ""
		if !reflect.DeepEqual(b, a) {
			return fmt.Errorf("ports entry %d changed beyond its host port: %+v -> %+v", i, before[i], after[i])
		}
	}
	if !moved {
		return fmt.Errorf("no entry moved from %d to %d: %+v", x.oldPort, x.newPort, after)
	}
	return nil
}

// loadDir loads the compose files in dir as `docker compose -f ...` would,
// with an empty environment.
func loadDir(t testing.TB, dir string, files ...string) *stack.Project {
	t.Helper()
	p, err := stack.Load(context.Background(), stack.LoadOptions{Files: files, WorkDir: dir, Env: map[string]string{}})
	if err != nil {
		t.Fatalf("load %v: %v", files, err)
	}
	return p
}

// checkSemantics writes the plan's files, reloads the project and checks
// that the fix did exactly what it says: the target service reads as the
// fix intends, and every other service is as it was.
func checkSemantics(t testing.TB, before *stack.Project, x fix, plan Plan) {
	t.Helper()
	for _, c := range plan.Changes {
		if err := os.WriteFile(c.File, c.After, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	after, err := stack.Load(context.Background(), before.Options)
	if err != nil {
		t.Fatalf("the edited project does not load: %v\n%s", err, plan.Diff())
	}
	if len(after.Services) != len(before.Services) {
		t.Fatalf("services: %d before, %d after", len(before.Services), len(after.Services))
	}
	for i, b := range before.Services {
		a := after.Services[i]
		want, got := b.Config, a.Config
		if b.Name == x.service {
			want = x.applyTo(want)
			if x.kind == "port" {
				if err := x.checkPorts(b.Config.Ports, a.Config.Ports); err != nil {
					t.Fatalf("service %s: %v\n%s", b.Name, err, plan.Diff())
				}
				got.Ports = nil
			}
		}
		if !reflect.DeepEqual(normalize(want), normalize(got)) {
			t.Fatalf("service %s after the fix:\n got %+v\nwant %+v\n%s", b.Name, a.Config, want, plan.Diff())
		}
	}
	for _, c := range plan.Changes {
		if err := os.WriteFile(c.File, c.Before, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// normalize drops what a reload may legitimately change.
func normalize(c types.ServiceConfig) types.ServiceConfig {
	c.CustomLabels = nil
	return c
}

// copyDir copies the regular files of src into a new temporary folder.
func copyDir(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
