// Package docker is stackui's Docker Engine: it implements stack.Engine (and
// the optional logs, stats and action operations) over the Engine API with
// the moby client, negotiating the API version so that it works with old
// engines (20.10, API 1.41) and current ones alike.
//
// It finds the engine the way the docker CLI does (--host, DOCKER_HOST,
// docker contexts, the platform socket, ssh:// through `docker system
// dial-stdio`) and turns every "cannot reach the engine" failure into a
// *stack.EngineError, so callers can tell an engine that is down from a
// request that failed.
package docker

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/moby/moby/client"
)

// sshDummyHost is the http host that requests carry when the connection
// is an ssh tunnel: the tunnel ignores it, but net/http needs one.
const sshDummyHost = "http://docker.example.com"

// Options say which engine to connect to. Both empty means: what the
// environment and the docker CLI's configuration say.
type Options struct {
	Host    string // like `docker --host`: unix://, tcp://, ssh://, npipe://
	Context string // like `docker --context`
}

// Client is a connection to one Docker Engine. It is safe for concurrent use.
type Client struct {
	api   *client.Client
	host  string
	local bool

	mu        sync.Mutex
	platforms map[string]string // image ID -> os/arch[/variant]; image platforms never change
	product   string            // stack.EngineDocker or stack.EnginePodman once asked (Product)
}

// Connect builds a client for the engine that opts and the environment
// select. It does not talk to the engine: an engine that is down makes the
// calls fail with stack.ErrEngineUnavailable, not Connect. Connect fails only
// on configuration it cannot use (an unknown context, a malformed host).
func Connect(ctx context.Context, opts Options) (*Client, error) {
	ep, err := resolveEndpoint(opts, osEnv{})
	if err != nil {
		return nil, err
	}
	return connectEndpoint(ep)
}

func connectEndpoint(ep endpoint) (*Client, error) {
	u, err := url.Parse(ep.Host)
	if err != nil || u.Scheme == "" {
		return nil, fmt.Errorf("docker host %q: not a URL like unix:///var/run/docker.sock or ssh://user@host", ep.Host)
	}
	var ops []client.Opt
	switch u.Scheme {
	case "ssh":
		argv, err := sshArgv(ep.Host)
		if err != nil {
			return nil, err
		}
		ops = append(ops, tunnelOpts(argv)...)
	case "unix", "npipe", "tcp", "http", "https":
		// The transport goes first (as client.FromEnv orders it) so that
		// WithHost installs its dialer into it: an HTTP client replaced
		// after WithHost would lose the unix socket dialer.
		tr := engineTransport()
		tr.TLSClientConfig = ep.TLS
		ops = append(ops, client.WithHTTPClient(&http.Client{Transport: tr, CheckRedirect: client.CheckRedirect}), client.WithHost(ep.Host))
	default:
		return nil, fmt.Errorf("docker host %q: unsupported scheme %q (want unix, tcp, ssh or npipe)", ep.Host, u.Scheme)
	}
	ops = append(ops, client.WithAPIVersionFromEnv(), client.WithAPIVersionNegotiation())
	api, err := client.New(ops...)
	if err != nil {
		return nil, fmt.Errorf("docker client for %s: %w", ep.Host, err)
	}
	return newClient(api, ep.Host, isLocalHost(u)), nil
}

func newClient(api *client.Client, host string, local bool) *Client {
	return &Client{api: api, host: host, local: local, platforms: map[string]string{}}
}

// tunnelOpts make the client speak HTTP over the stdin and stdout of argv,
// one process per connection.
func tunnelOpts(argv []string) []client.Opt {
	// WithHost first: it installs a proxy-aware dialer, which the tunnel's
	// own transport then replaces (a proxy makes no sense inside a tunnel).
	return []client.Opt{
		client.WithHost(sshDummyHost),
		client.WithHTTPClient(&http.Client{
			Transport:     withDialer(engineTransport(), sshDialer(argv)),
			CheckRedirect: client.CheckRedirect,
		}),
	}
}

// connBufSize is each engine connection's read and write buffer, 4 KiB
// each by default. Every followed container's log stream holds a
// connection for as long as it is shown: with the merged logs of 100
// containers that was 800 KB of buffers for requests of a few hundred
// bytes and lines of about a hundred. Reads larger than the buffer (a
// body read into the caller's buffer) bypass it either way.
const connBufSize = 1 << 10

// engineTransport is the HTTP transport to the engine: the moby client's
// own settings (at most 6 idle connections, closed after 30 s, against
// moby/moby#45539) with smaller buffers. HTTP/1 only, as the engine
// speaks it: a transport with neither dialer nor TLS settings yet would
// otherwise set itself up for HTTP/2 when the moby client clones it, and
// that gives it a TLS configuration, so the client would talk HTTPS to
// the unix socket.
func engineTransport() *http.Transport {
	tr := &http.Transport{MaxIdleConns: 6, IdleConnTimeout: 30 * time.Second, ReadBufferSize: connBufSize, WriteBufferSize: connBufSize}
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetHTTP1(true)
	return tr
}

func withDialer(tr *http.Transport, dial func(ctx context.Context, network, addr string) (net.Conn, error)) *http.Transport {
	tr.DialContext = dial
	return tr
}

// API is the raw moby client, for what this package does not wrap (image
// loading, container creation in tests).
func (c *Client) API() *client.Client { return c.api }

// Host is the engine address in use, e.g. unix:///var/run/docker.sock.
func (c *Client) Host() string { return c.host }

// Local reports whether the engine is reached on this machine (a unix
// socket or a named pipe, or a TCP port of this host's): not yet that its
// containers run here (Docker Desktop's run in a VM), which Info tells.
func (c *Client) Local() bool { return c.local }

// Close releases idle connections (and their ssh processes).
func (c *Client) Close() error { return c.api.Close() }

// Ping checks that the engine answers, and negotiates the API version.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.api.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
	return c.wrap("ping", err)
}

// isLocalHost reports whether the engine runs on this machine, so its PIDs
// and cgroups are ours.
func isLocalHost(u *url.URL) bool {
	switch u.Scheme {
	case "unix", "npipe":
		return true
	case "tcp", "http", "https":
		h := u.Hostname()
		if h == "localhost" {
			return true
		}
		ip := net.ParseIP(h)
		return ip != nil && ip.IsLoopback()
	}
	return false
}

// endpoint is a resolved engine address.
type endpoint struct {
	Host string
	TLS  *tls.Config // from a context's TLS material or the environment; nil for none
}

// env is the process environment, abstracted so resolution can be tested.
type env interface{ Getenv(string) string }

type osEnv struct{}

func (osEnv) Getenv(k string) string { return getenv(k) }

// resolveEndpoint picks the engine the way the docker CLI does: an explicit
// host, then an explicit context, then DOCKER_HOST, then DOCKER_CONTEXT,
// then the config's currentContext, then the platform socket.
func resolveEndpoint(opts Options, e env) (endpoint, error) {
	if opts.Host != "" {
		return endpoint{Host: opts.Host}, nil
	}
	if opts.Context != "" {
		return contextEndpoint(opts.Context, e)
	}
	if h := e.Getenv("DOCKER_HOST"); h != "" {
		return envEndpoint(h, e)
	}
	if name := e.Getenv("DOCKER_CONTEXT"); name != "" {
		return contextEndpoint(name, e)
	}
	name, err := currentContext(e)
	if err != nil {
		return endpoint{}, err
	}
	if name != "" {
		return contextEndpoint(name, e)
	}
	return endpoint{Host: client.DefaultDockerHost}, nil
}
