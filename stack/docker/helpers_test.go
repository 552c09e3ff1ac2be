package docker

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/stack"
)

// The demo images that `stackui demo --images-only` builds.
const (
	workloadImage = "stackui-demo/workload:latest"
	foreignImage  = "stackui-demo/workload:foreign"
)

// engineClient connects to the real engine through Connect, the way
// stackui does (skipped without an engine, a failure with CI=true).
func engineClient(t *testing.T) *Client {
	t.Helper()
	testenv.Engine(t)
	c, err := Connect(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// demoClient is engineClient plus the demo images.
func demoClient(t *testing.T) *Client {
	t.Helper()
	c := engineClient(t)
	testenv.DemoImages(t)
	return c
}

// workload creates (not starts) a container of the demo workload labelled
// as service svc of project, removed with the test.
func workload(t *testing.T, c *Client, project, svc, image string, args []string, host *container.HostConfig) string {
	t.Helper()
	return workloadN(t, c, project, svc, 1, image, args, host)
}

// workloadN is workload for container number num of the service.
func workloadN(t *testing.T, c *Client, project, svc string, num int, image string, args []string, host *container.HostConfig) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := c.API().ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{
			Image: image,
			Cmd:   args,
			Labels: map[string]string{
				stack.LabelProject:         project,
				stack.LabelService:         svc,
				stack.LabelContainerNumber: strconv.Itoa(num),
				stack.LabelOneoff:          "False",
			},
		},
		HostConfig: host,
		Name:       project + "-" + svc + "-" + strconv.Itoa(num),
	})
	if err != nil {
		t.Fatalf("create %s: %v", svc, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := c.API().ContainerRemove(ctx, res.ID, client.ContainerRemoveOptions{Force: true}); err != nil && !IsNotFound(err) {
			t.Errorf("remove %s: %v", svc, err)
		}
	})
	return res.ID
}

// waitEvent reads events until one matches, failing after timeout.
func waitEvent(t *testing.T, evs <-chan stack.Event, errc <-chan error, timeout time.Duration, match func(stack.Event) bool) stack.Event {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-evs:
			if !ok {
				t.Fatalf("event stream ended: %v", <-errc)
			}
			if match(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("no matching event within %v", timeout)
		}
	}
}

func action(a, id string) func(stack.Event) bool {
	return func(ev stack.Event) bool { return ev.Action == a && ev.ContainerID == id }
}

// waitExit waits until the container is no longer running.
func waitExit(t *testing.T, c *Client, id string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res := c.API().ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	select {
	case <-res.Result:
	case err := <-res.Error:
		t.Fatalf("wait for %s: %v", id, err)
	}
}

// waitLog follows the container's logs until a line contains want.
func waitLog(t *testing.T, c *Client, id, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	found := errors.New("found")
	err := c.Logs(ctx, id, stack.LogOptions{Tail: -1, Follow: true}, func(l stack.LogLine) error {
		if strings.Contains(l.Text, want) {
			return found
		}
		return nil
	})
	if err != found {
		t.Fatalf("waiting for log line %q: %v", want, err)
	}
}

// binfmtEmulates reports whether binfmt_misc (mounted at dir) has an
// enabled handler (qemu-user, or Rosetta for amd64) for the architecture
// of platform ("linux/arm64"), and names it.
func binfmtEmulates(dir, platform string) (bool, string) {
	if st, err := os.ReadFile(filepath.Join(dir, "status")); err != nil || strings.TrimSpace(string(st)) != "enabled" {
		return false, "" // not mounted, or all handlers disabled
	}
	arch := strings.Split(platform, "/")[1:]
	if len(arch) == 0 {
		return false, ""
	}
	prefixes := map[string][]string{
		"arm64": {"qemu-aarch64"},
		"amd64": {"qemu-x86_64", "rosetta"},
	}[arch[0]]
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, ""
	}
	for _, e := range entries {
		for _, pre := range prefixes {
			if !strings.HasPrefix(e.Name(), pre) {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err == nil && strings.HasPrefix(string(b), "enabled\n") {
				return true, e.Name()
			}
		}
	}
	return false, ""
}

func TestBinfmtEmulates(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	check := func(platform string, want bool) {
		t.Helper()
		if got, h := binfmtEmulates(dir, platform); got != want {
			t.Errorf("%s: emulates = %v (%q), want %v", platform, got, h, want)
		}
	}
	check("linux/arm64", false) // not mounted: no status file
	write("status", "enabled\n")
	write("qemu-aarch64", "disabled\ninterpreter /usr/bin/qemu-aarch64\n")
	write("qemu-riscv64", "enabled\ninterpreter /usr/bin/qemu-riscv64\n")
	check("linux/arm64", false) // its handler is disabled
	write("qemu-aarch64", "enabled\ninterpreter /usr/bin/qemu-aarch64\nflags: F\n")
	check("linux/arm64/v8", true)
	check("linux/amd64", false)
	write("status", "disabled\n")
	check("linux/arm64", false) // binfmt_misc switched off as a whole
}
