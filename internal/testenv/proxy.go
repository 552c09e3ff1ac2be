package testenv

import (
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// SocketProxy forwards a unix socket to the engine's, and can go away and
// come back, standing for an engine that restarts (the machine's real one
// is shared, and stays up). Host is the address to give stackui.
type SocketProxy struct {
	Host string

	path, target string

	mu    sync.Mutex
	ln    net.Listener
	open  int // which Open the proxy is in; 0 while closed
	opens int
	conns map[net.Conn]bool
}

// NewSocketProxy opens a proxy to the engine under test (DOCKER_HOST's
// socket, else Docker's default) in a folder of the test's; it closes
// when the test ends.
func NewSocketProxy(t testing.TB) *SocketProxy {
	t.Helper()
	target := "/var/run/docker.sock"
	if h := DockerHost(); h != "" {
		target = strings.TrimPrefix(h, "unix://")
	}
	path := filepath.Join(t.TempDir(), "docker.sock")
	p := &SocketProxy{Host: "unix://" + path, path: path, target: target, conns: map[net.Conn]bool{}}
	p.Open(t)
	t.Cleanup(p.Close)
	return p
}

// Open listens again: the engine answers from the moment it returns.
func (p *SocketProxy) Open(t testing.TB) {
	t.Helper()
	ln, err := net.Listen("unix", p.path)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln = ln
	p.opens++
	p.open = p.opens
	open := p.open
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c, open)
		}
	}()
}

// forward joins c to the engine. A connection accepted just before Close
// is dropped here, so none outlives the outage it was accepted before.
func (p *SocketProxy) forward(c net.Conn, open int) {
	e, err := net.Dial("unix", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.open != open {
		p.mu.Unlock()
		c.Close()
		e.Close()
		return
	}
	p.conns[c], p.conns[e] = true, true
	p.mu.Unlock()
	go func() { io.Copy(e, c); e.Close() }()
	io.Copy(c, e)
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, e)
	p.mu.Unlock()
}

// Close stops listening and cuts every connection, as an engine that
// stops does.
func (p *SocketProxy) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.open = 0
	if p.ln != nil {
		p.ln.Close()
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}
