package backend

import (
	"context"
	"testing"
	"time"

	"github.com/stackui/stackui/internal/testenv"
)

// A guess that named another project than the one that loaded: its
// sampler, already reading that project's running container, is stopped
// when Measure asks, not left running beside the real measurement.
func TestPrefetchOfAnotherProjectStops(t *testing.T) {
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	project := testenv.ProjectName(t)
	t.Cleanup(func() { testenv.RemoveProject(t, api, project) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := testenv.StartService(ctx, api, project, "app", nil); err != nil {
		t.Fatal(err)
	}
	b := New(Options{})
	defer b.Close()
	b.StartProject(project, true)
	select {
	case <-b.proj.started:
	case <-ctx.Done():
		t.Fatal("the prefetch never finished starting")
	}
	b.proj.mu.Lock()
	m := b.proj.measure
	b.proj.mu.Unlock()
	if m == nil {
		t.Fatalf("no prefetched measurement of %s's running container (listed %d, err %v)", project, len(b.proj.containers), b.proj.err)
	}
	if got := b.prefetchedMeasurement(ctx, project+"-other"); got != nil {
		t.Fatal("another project's measurement was handed over")
	}
	select {
	case <-m.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the other project's sampler still runs")
	}
	if got := b.prefetchedMeasurement(ctx, project); got != nil {
		t.Error("a stopped measurement was handed over later")
	}
}
