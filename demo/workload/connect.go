package workload

import (
	"context"
	"fmt"
	"net"
	"time"
)

// connectTimeout bounds --connect's dial, as a client library's would.
const connectTimeout = 5 * time.Second

// connect dials addr once. Its error is Go's own ("dial tcp
// 172.18.0.2:5432: connect: connection refused", "dial tcp: lookup databse
// on 127.0.0.11:53: no such host"), which is what the doctor must read in a
// real app's last lines.
func connect(ctx context.Context, addr string) error {
	d := net.Dialer{Timeout: connectTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return conn.Close()
}

// serveAfter is --serve with --serve-after: it waits, then listens and
// serves until ctx ends, like a database that takes a while to accept
// connections.
func serveAfter(ctx context.Context, o *output, addr string, delay, unhealthyAfter time.Duration) error {
	o.logf("listening on %s in %s (--serve-after)", addr, delay)
	select {
	case <-ctx.Done():
		return nil
	case <-time.After(delay):
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	srv := newServer()
	o.logf("serving http on %s", ln.Addr())
	stop := context.AfterFunc(ctx, srv.shutdown)
	defer stop()
	if unhealthyAfter > 0 {
		t := time.AfterFunc(unhealthyAfter, func() {
			srv.unhealthy.Store(true)
			o.logf("health: answering 500 from now on (--unhealthy-after %s)", unhealthyAfter)
		})
		defer t.Stop()
	}
	return srv.serve(ln)
}
