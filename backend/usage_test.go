package backend

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// On a local socket the sampler runs before the engine has described
// itself: Podman answers /info seconds late while compose starts
// containers, and a container killed for memory meanwhile went
// unwatched. The engine here never answers /info; the container the UI
// shows is tracked all the same.
func TestUsageDoesNotWaitForInfoOnALocalSocket(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("cgroups are read only on Linux")
	}
	sock := filepath.Join(t.TempDir(), "engine.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	infoAsked := make(chan struct{}, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if filepath.Base(r.URL.Path) == "info" {
			select {
			case infoAsked <- struct{}{}:
			default:
			}
			<-r.Context().Done() // never answers
			return
		}
		http.NotFound(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	b := New(Options{Connect: func(ctx context.Context) (*docker.Client, error) {
		return docker.Connect(ctx, docker.Options{Host: "unix://" + sock})
	}})
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u := b.Usage(ctx, nil)
	if u == nil {
		t.Fatal("no usage")
	}
	p := &stack.Project{Name: "p", Services: []stack.Service{{Name: "app", Enabled: true}}}
	c := stack.Container{ID: "c0", Name: "p-app-1", Service: "app", Number: 1, State: stack.StateRunning, Pid: os.Getpid()}
	u.Update(stack.SnapshotOf(p, stack.EngineStatus{Reachable: true}, []stack.Container{c}))
	select {
	case <-infoAsked:
	case <-time.After(30 * time.Second):
		t.Fatal("the engine was never asked for /info")
	}
	deadline := time.After(30 * time.Second)
	for {
		if _, ok := u.Snapshot().Container("c0"); ok {
			return
		}
		select {
		case <-u.Changed():
		case <-deadline:
			t.Fatal("the container is not tracked while /info is unanswered")
		}
	}
}
