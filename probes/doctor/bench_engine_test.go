package doctor_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// BenchmarkGather measures one gathering on the real engine: inspect,
// image platforms, past events and the logs of a dead container.
func BenchmarkGather(b *testing.B) {
	api := testenv.Engine(b)
	testenv.DemoImages(b)
	ctx := b.Context()
	cli, err := stack.DetectCompose(ctx)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	spec := "services:\n  job:\n    image: stackui-demo/workload:latest\n    command: [\"--exit-code\", \"2\", \"--print\", \"panic: boom\"]\n" +
		"  web:\n    image: stackui-demo/workload:latest\n    command: [\"--log-rate\", \"5\"]\n"
	if err := os.WriteFile(file, []byte(spec), 0o644); err != nil {
		b.Fatal(err)
	}
	p, err := stack.Load(ctx, stack.LoadOptions{Files: []string{file}, ProjectName: testenv.ProjectName(b), WorkDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { testenv.RemoveProject(b, api, p.Name) })
	if err := cli.Up(ctx, p, stack.UpOptions{}, nil); err != nil {
		b.Fatal(err)
	}
	eng, err := docker.Connect(ctx, docker.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	src := doctor.DockerSource{Client: eng}
	for range 100 { // until the job has exited
		if fs := doctor.Diagnose(doctor.Gather(ctx, doctor.Options{Project: p, Source: src})); len(fs) == 1 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.ResetTimer()
	for b.Loop() {
		if fs := doctor.Diagnose(doctor.Gather(ctx, doctor.Options{Project: p, Source: src})); len(fs) != 1 {
			b.Fatalf("findings %v", fs)
		}
	}
}
