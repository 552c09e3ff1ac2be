package resources

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// replayStats is an Engine API stream that sends n recorded documents,
// decoding each as the real client does, then stays open.
type replayStats struct {
	doc     []byte
	n       int
	allSent sync.WaitGroup // Done once per stream, after its last document
}

func (r *replayStats) Stats(ctx context.Context, id string, stream bool, fn func(stack.Stats) error) error {
	for i := range r.n {
		st, err := docker.DecodeStats(r.doc)
		if err != nil {
			return err
		}
		st.Read = st.Read.Add(time.Duration(i) * time.Second)
		st.CPUTotal += uint64(i) * 1e7
		st.SystemCPU += uint64(i) * 2e9
		if err := fn(st); err != nil {
			return err
		}
	}
	r.allSent.Done()
	<-ctx.Done()
	return ctx.Err()
}

// BenchmarkPipeline50 is the stats pipeline with 50 containers' Engine API
// streams: decoding each document, turning it into a sample, recording its
// history and publishing snapshots. One op is one sample of each of the 50
// containers, i.e. one second of a 50-container stack.
func BenchmarkPipeline50(b *testing.B) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "testdata", "engine", "stats-cgroupv2.json"))
	if err != nil {
		b.Fatal(err)
	}
	const n = 50
	r := &replayStats{doc: doc, n: b.N}
	s := NewSampler(Options{Engine: r, MemTotal: 8 << 30})
	var cs []stack.Container
	var ids []string
	for i := range n {
		id := fmt.Sprintf("%064x", i)
		ids = append(ids, id)
		cs = append(cs, stack.Container{ID: id, Service: "svc", Number: i + 1, State: stack.StateRunning, Pid: 1})
	}
	p := &stack.Project{Name: "p", Services: []stack.Service{{Name: "svc", Enabled: true}}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.allSent.Add(n)
	b.ReportAllocs()
	b.ResetTimer()
	go s.Run(ctx)
	s.Update(stack.SnapshotOf(p, stack.EngineStatus{Reachable: true}, cs))
	s.SetVisible(ids...)
	// Every stream has handed over its last document once allSent is
	// done; at most the channel's few are left to record, so the clock
	// stops there rather than at the next publication, which waits for
	// the flush timer.
	r.allSent.Wait()
	b.StopTimer()
	deadline := time.Now().Add(time.Minute)
	for {
		done := true
		for _, c := range s.Snapshot().Containers {
			if len(c.History) < min(b.N-16, DefaultHistory) {
				done = false
			}
		}
		if done && len(s.Snapshot().Containers) == n {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("pipeline stalled")
		}
		<-s.Changed()
	}
}

// BenchmarkCgroupRead50 is one tick of the cgroup path with 50 containers:
// reading each one's files (cgroup v2 layout, on a temporary folder) and
// making a sample.
func BenchmarkCgroupRead50(b *testing.B) {
	files := map[string]string{}
	var fs []cgroupFiles
	root := b.TempDir()
	for i := range 50 {
		id := fmt.Sprintf("%064x", i)
		for k, v := range v2Host {
			if strings.HasPrefix(k, "cg/") {
				files[strings.ReplaceAll(k, testID, id)] = v
			}
		}
		dir := filepath.Join(root, "cg/system.slice/docker-"+id+".scope")
		fs = append(fs, cgroupFiles{v2: true, mem: dir, cpu: dir, netDev: filepath.Join(root, "net-dev")})
	}
	files["net-dev"] = v2Host["proc/4242/net/dev"]
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	var r reader
	prev := make([]Counters, len(fs))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for i, f := range fs {
			cur, err := r.counters(f, time.Now)
			if err != nil {
				b.Fatal(err)
			}
			_ = SampleBetween(prev[i], cur, 8<<30)
			prev[i] = cur
		}
	}
}
