package docker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// sshArgv turns ssh://[user@]host[:port] into the command the docker CLI
// runs for it: the remote `docker system dial-stdio` relays the engine's
// socket over the ssh session's stdin and stdout.
//
// Authentication must work without a prompt (a key without a passphrase,
// or ssh-agent): BatchMode=yes makes ssh fail instead of asking for a
// password, a passphrase or a new host key on /dev/tty, which the TUI owns
// while it runs. ConnectTimeout=30, as the docker CLI sets, bounds how long
// a dead host takes to fail.
func sshArgv(host string) ([]string, error) {
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("ssh host %q: %w", host, err)
	}
	if u.Scheme != "ssh" {
		return nil, fmt.Errorf("ssh host %q: scheme is not ssh", host)
	}
	if _, ok := u.User.Password(); ok {
		return nil, fmt.Errorf("ssh host %q: passwords in the URL are not supported, use ssh keys or an agent", host)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("ssh host %q: no host name", host)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("ssh host %q: a path, query or fragment is not allowed", host)
	}
	argv := []string{"ssh", "-o", "ConnectTimeout=30", "-o", "BatchMode=yes"}
	if name := u.User.Username(); name != "" {
		argv = append(argv, "-l", name)
	}
	if p := u.Port(); p != "" {
		argv = append(argv, "-p", p)
	}
	// "--" so that a host name starting with "-" cannot become an option.
	return append(argv, "--", u.Hostname(), "docker", "system", "dial-stdio"), nil
}

// sshDialer returns a dial function that starts one ssh process per
// connection and talks HTTP over its stdin and stdout.
func sshDialer(argv []string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Not CommandContext: the connection outlives the request that
		// opened it (keep-alive); Close ends the process.
		cmd := exec.Command(argv[0], argv[1:]...) //nolint:gosec // argv comes from sshArgv
		return newCommandConn(cmd)
	}
}

// commandConn is a net.Conn over a child process's stdin and stdout.
type commandConn struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout io.ReadCloser
	stderr *boundedBuffer

	closeOnce sync.Once
	waitOnce  sync.Once
	waitErr   error
}

func newCommandConn(cmd *exec.Cmd) (*commandConn, error) {
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("ssh stdin: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("ssh stdout: %w", err)
	}
	c := &commandConn{cmd: cmd, stdin: stdin, stdout: stdout, stderr: &boundedBuffer{max: 4096}}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", strings.Join(cmd.Args, " "), err)
	}
	return c, nil
}

// wait reaps the process. Only after stdout has ended or on Close: Wait
// closes the pipes, which would lose output not yet read.
func (c *commandConn) wait() error {
	c.waitOnce.Do(func() { c.waitErr = c.cmd.Wait() })
	return c.waitErr
}

// tunnelError explains a read or write failure with what ssh said, once
// the process has gone.
func (c *commandConn) tunnelError(op string, err error) error {
	if op == "write" {
		// A failed write usually means ssh is exiting: give it a moment,
		// so that what it printed on stderr (the reason) is all there.
		// Reaping it closes stdout, but nothing more can be sent on this
		// connection anyway.
		exited := make(chan struct{})
		go func() { c.wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(time.Second):
		}
		if msg := strings.TrimSpace(c.stderr.String()); msg != "" {
			return fmt.Errorf("ssh tunnel %s: %s: %w", op, msg, err)
		}
		return err
	}
	werr := c.wait()
	msg := strings.TrimSpace(c.stderr.String())
	if werr == nil && msg == "" {
		return err
	}
	// Keep err matchable (io.EOF): callers treat it as "the engine went away".
	return fmt.Errorf("ssh tunnel %s (%v): %s: %w", op, werr, msg, err)
}

func (c *commandConn) Read(p []byte) (int, error) {
	n, err := c.stdout.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		return n, c.tunnelError("read", err)
	}
	if errors.Is(err, io.EOF) && n == 0 {
		return 0, c.tunnelError("read", io.EOF)
	}
	return n, err
}

func (c *commandConn) Write(p []byte) (int, error) {
	n, err := c.stdin.Write(p)
	if err != nil {
		return n, c.tunnelError("write", err)
	}
	return n, nil
}

// CloseWrite half-closes, as hijacked connections (attach, exec) expect.
func (c *commandConn) CloseWrite() error { return c.stdin.Close() }

func (c *commandConn) Close() error {
	c.closeOnce.Do(func() {
		_ = c.stdin.Close()
		_ = c.stdout.Close()
		_ = c.cmd.Process.Kill()
		_ = c.wait()
	})
	return nil
}

func (c *commandConn) LocalAddr() net.Addr  { return dummyAddr{} }
func (c *commandConn) RemoteAddr() net.Addr { return dummyAddr{} }

// Deadlines are not supported by pipes; net/http copes without them and
// cancels through Close.
func (c *commandConn) SetDeadline(time.Time) error      { return nil }
func (c *commandConn) SetReadDeadline(time.Time) error  { return nil }
func (c *commandConn) SetWriteDeadline(time.Time) error { return nil }

type dummyAddr struct{}

func (dummyAddr) Network() string { return "ssh" }
func (dummyAddr) String() string  { return "ssh" }

// boundedBuffer keeps the first max bytes written to it: enough of ssh's
// stderr to explain a failure, never an unbounded amount.
type boundedBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		if len(p) > room {
			b.buf.Write(p[:room])
		} else {
			b.buf.Write(p)
		}
	}
	return len(p), nil
}

func (b *boundedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
