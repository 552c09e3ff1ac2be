package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/stackui/stackui/stack"
)

// IsNotFound reports whether the engine said the object does not exist.
func IsNotFound(err error) bool { return cerrdefs.IsNotFound(err) }

// wrap adds op as context to err and, when err means the engine could not
// be reached, makes it a *stack.EngineError.
func (c *Client) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if isConnFailure(err) {
		return &stack.EngineError{Host: c.host, Err: fmt.Errorf("%s: %w", op, err)}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// isConnFailure reports whether err says the engine is unreachable or went
// away, rather than that it answered with an error. A cancelled context is
// not a connection failure: the caller asked for it.
func isConnFailure(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, stack.ErrEngineUnavailable) || client.IsErrConnectionFailed(err) {
		return true
	}
	// A stream that ends mid-message (daemon restarted, ssh tunnel died).
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	for _, errno := range []syscall.Errno{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EPIPE, syscall.ENOENT, syscall.ECONNABORTED} {
		if errors.Is(err, errno) {
			return true
		}
	}
	var opErr *net.OpError
	return errors.As(err, &opErr)
}

// errStreamEnded is a stream that stopped with no error from the engine.
var errStreamEnded = errors.New("stream ended unexpectedly")
