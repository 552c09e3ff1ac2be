package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/stack"
)

// The test binary doubles as `docker system dial-stdio` on the far end of
// an ssh tunnel, so the tunnel code runs for real without an ssh server.
const (
	envDialStdio   = "STACKUI_TEST_DIAL_STDIO"
	envDieAfter    = "STACKUI_TEST_DIAL_STDIO_DIE_AFTER"
	tunnelDeathMsg = "Connection to box closed by remote host."
)

func TestMain(m *testing.M) {
	if sock := os.Getenv(envDialStdio); sock != "" {
		os.Exit(dialStdio(sock, os.Getenv(envDieAfter)))
	}
	os.Exit(m.Run())
}

// dialStdio relays stdin and stdout to the engine's socket, as `docker
// system dial-stdio` does; with dieAfter it dies like a dropped ssh link.
func dialStdio(sock, dieAfter string) int {
	conn, err := net.Dial("unix", sock)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if d, err := time.ParseDuration(dieAfter); err == nil {
		go func() {
			time.Sleep(d)
			fmt.Fprintln(os.Stderr, tunnelDeathMsg)
			os.Exit(255)
		}()
	}
	go func() {
		_, _ = io.Copy(conn, os.Stdin)
		_ = conn.(*net.UnixConn).CloseWrite()
	}()
	_, _ = io.Copy(os.Stdout, conn)
	return 0
}

// tunnelClient is a client whose connections go through the fake ssh.
func tunnelClient(t *testing.T, dieAfter string) *Client {
	t.Helper()
	// The fake dial-stdio relays to the socket of the engine that Connect
	// finds (DOCKER_HOST, a context or the platform default).
	direct := engineClient(t)
	u, err := url.Parse(direct.Host())
	if err != nil || u.Scheme != "unix" || u.Path == "" {
		t.Fatalf("the ssh tunnel test relays to a unix socket engine; the engine in use is %q", direct.Host())
	}
	sock := u.Path
	t.Setenv(envDialStdio, sock)
	t.Setenv(envDieAfter, dieAfter)
	api, err := client.New(append(tunnelOpts([]string{os.Args[0]}), client.WithAPIVersionNegotiation())...)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(api, "ssh://me@box", false)
	t.Cleanup(func() { c.Close() })
	return c
}

func TestIntegrationSSHTunnel(t *testing.T) {
	c := tunnelClient(t, "")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Local || info.Host != "ssh://me@box" || info.ServerVersion == "" || info.NCPU == 0 {
		t.Errorf("info through the tunnel: %+v", info)
	}
	ctrs, err := c.ProjectContainers(ctx, testenv.ProjectName(t))
	if err != nil || len(ctrs) != 0 {
		t.Errorf("ProjectContainers of an empty project = %v, %v", ctrs, err)
	}
}

func TestIntegrationSSHTunnelDiesMidStream(t *testing.T) {
	c := tunnelClient(t, "1s")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	evs, errc := c.ProjectEvents(ctx, testenv.ProjectName(t))
	select {
	case err := <-errc:
		var ee *stack.EngineError
		if !errors.Is(err, stack.ErrEngineUnavailable) || !errors.As(err, &ee) || ee.Host != "ssh://me@box" {
			t.Fatalf("events after the tunnel died: %v, want a stack.EngineError", err)
		}
		t.Logf("tunnel death: %v", err)
		if !strings.Contains(err.Error(), tunnelDeathMsg) {
			t.Errorf("error %q does not say what ssh said", err)
		}
	case <-ctx.Done():
		t.Fatal("the event stream did not notice the tunnel dying")
	}
	if _, ok := <-evs; ok {
		t.Error("events channel not closed after the error")
	}
}

func TestSSHTunnelRefused(t *testing.T) {
	api, err := client.New(tunnelOpts([]string{"sh", "-c", "echo 'ssh: connect to host box port 22: Connection refused' >&2; exit 255"})...)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(api, "ssh://box", false)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = c.Ping(ctx)
	if !errors.Is(err, stack.ErrEngineUnavailable) {
		t.Fatalf("Ping = %v, want ErrEngineUnavailable", err)
	}
	t.Logf("refused: %v", err)
	if !strings.Contains(err.Error(), "Connection refused") {
		t.Errorf("error %q hides ssh's reason", err)
	}
	_, err = c.ProjectContainers(ctx, "p")
	if !errors.Is(err, stack.ErrEngineUnavailable) {
		t.Fatalf("ProjectContainers = %v, want ErrEngineUnavailable", err)
	}
}
