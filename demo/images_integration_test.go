package demo

import (
	"bytes"
	"context"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stackui/stackui/internal/testenv"
)

func TestCheckStaticAcceptsStackui(t *testing.T) {
	if err := CheckStatic(testenv.Binary(t), runtime.GOARCH); err != nil {
		t.Errorf("the CGO_ENABLED=0 stackui build is rejected: %v", err)
	}
}

func TestDemoImagesOnEngine(t *testing.T) {
	cli := testenv.Engine(t)
	testenv.DemoImages(t)
	ctx := context.Background()
	arch := runtime.GOARCH // the engine is local
	for ref, wantArch := range map[string]string{ImageLatest: arch, ImageForeign: ForeignArch(arch)} {
		img, err := cli.ImageInspect(ctx, ref)
		if err != nil {
			t.Fatalf("inspect %s: %v", ref, err)
		}
		if img.Architecture != wantArch || img.Os != "linux" {
			t.Errorf("%s: platform %s/%s, want linux/%s", ref, img.Os, img.Architecture, wantArch)
		}
		if img.Config == nil || strings.Join(img.Config.Entrypoint, " ") != "/stackui workload" {
			t.Errorf("%s: entrypoint %v", ref, img.Config)
		} else if !strings.HasPrefix(img.Config.Labels[LabelSource], "sha256:") {
			t.Errorf("%s: labels %v lack %s", ref, img.Config.Labels, LabelSource)
		}
	}

	// The same binary again: nothing to do.
	out, err := exec.Command(testenv.Binary(t), "demo", "--images-only").CombinedOutput()
	if err != nil {
		t.Fatalf("second build: %v\n%s", err, out)
	}
	for _, ref := range []string{ImageLatest, ImageForeign} {
		if !strings.Contains(string(out), ref+" (linux/") || !strings.Contains(string(out), "): up to date") {
			t.Errorf("second build did not report %s up to date:\n%s", ref, out)
		}
	}
	if strings.Contains(string(out), "built") {
		t.Errorf("second build rebuilt something:\n%s", out)
	}
}

// runContainer runs image with cmd to completion and returns its exit
// status and output; the container is removed afterwards.
func runContainer(t *testing.T, image string, cmd []string) (int64, string) {
	t.Helper()
	cli := testenv.Engine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{Image: image, Cmd: cmd, Labels: map[string]string{"org.stackui.test": t.Name()}},
		Name:   testenv.ProjectName(t),
	})
	if err != nil {
		t.Fatalf("create from %s: %v", image, err)
	}
	t.Cleanup(func() {
		cli.ContainerRemove(context.Background(), created.ID, client.ContainerRemoveOptions{Force: true})
	})
	wait := cli.ContainerWait(ctx, created.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		return -1, err.Error()
	}
	var status int64
	select {
	case r := <-wait.Result:
		status = r.StatusCode
	case err := <-wait.Error:
		t.Fatalf("wait: %v", err)
	}
	logs, err := cli.ContainerLogs(ctx, created.ID, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		t.Fatalf("logs: %v", err)
	}
	defer logs.Close()
	var all bytes.Buffer
	if _, err := stdcopy.StdCopy(&all, &all, logs); err != nil {
		t.Fatalf("read logs: %v", err)
	}
	return status, all.String()
}

func TestWorkloadContainerExitCode(t *testing.T) {
	testenv.DemoImages(t)
	status, logs := runContainer(t, ImageLatest, []string{"--print", "hi", "--exit-code", "3", "--exit-after", "100ms"})
	if status != 3 {
		t.Errorf("exit status %d, want 3; logs:\n%s", status, logs)
	}
	if !strings.Contains(logs, "hi\n") || !strings.Contains(logs, "exiting with code 3") {
		t.Errorf("logs lack the printed text and the exit line:\n%s", logs)
	}
}

func TestForeignImageFailsToExec(t *testing.T) {
	testenv.DemoImages(t)
	status, logs := runContainer(t, ImageForeign, nil)
	// Hosts with qemu binfmt emulation run it; then it says so and exits 0.
	if strings.Contains(logs, "ran under emulation") {
		t.Logf("this host emulates the foreign architecture")
		if status != 0 {
			t.Errorf("emulated run exited %d", status)
		}
		return
	}
	if status == 0 || !strings.Contains(logs, "exec format error") {
		t.Errorf("status %d, logs %q; want a failure with 'exec format error'", status, logs)
	}
}
