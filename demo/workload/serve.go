package workload

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// probeTimeout is how long --probe waits for an answer. Compose
// healthchecks default to a 30s timeout, but a probe that hangs that long
// only delays the verdict.
const probeTimeout = 2 * time.Second

// server is the workload's HTTP side: / says what it is, /health says 200
// until --unhealthy-after has passed, then 500.
type server struct {
	unhealthy atomic.Bool
	srv       *http.Server
}

func newServer() *server {
	s := &server{}
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		if s.unhealthy.Load() {
			http.Error(w, "unhealthy", http.StatusInternalServerError)
			return
		}
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "stackui demo workload\n")
	})
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	return s
}

// serve answers on ln until shutdown; the error is nil after a shutdown.
func (s *server) serve(ln net.Listener) error {
	if err := s.srv.Serve(ln); err != http.ErrServerClosed {
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	}
	return nil
}

func (s *server) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if s.srv.Shutdown(ctx) != nil {
		s.srv.Close()
	}
}

// probe asks url once and reports whether it answered 200, for healthchecks
// in images that have no curl or wget.
func probe(ctx context.Context, url string, stdout io.Writer) int {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(stdout, "probe %s: %v\n", url, err)
		return 1
	}
	// No proxy: the probe asks the container itself, and a proxy from the
	// environment would answer in its place.
	c := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := c.Do(req)
	if err != nil {
		fmt.Fprintf(stdout, "probe %s: %v\n", url, err)
		return 1
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	fmt.Fprintf(stdout, "probe %s: %s\n", url, resp.Status)
	if resp.StatusCode != http.StatusOK {
		return 1
	}
	return 0
}
