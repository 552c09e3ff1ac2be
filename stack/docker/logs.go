package docker

import (
	"context"
	"strconv"
	"time"

	"github.com/moby/moby/client"
	"github.com/stackui/stackui/stack"
)

// Logs streams a container's output line by line to fn, stdout and stderr
// apart, until the output ends (or, with opts.Follow, the container stops),
// ctx is done (Logs then returns ctx's error) or fn returns an error (which
// Logs returns). fn runs on the calling goroutine; it must not keep the
// LogLine's Text beyond what a string allows (it is an ordinary string).
func (c *Client) Logs(ctx context.Context, id string, opts stack.LogOptions, fn func(stack.LogLine) error) error {
	// A TTY container's stream has no framing; only inspect can tell.
	info, err := c.api.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return c.wrap("logs of "+id, err)
	}
	tty := info.Container.Config != nil && info.Container.Config.Tty
	lo := client.ContainerLogsOptions{
		ShowStdout: true,
		ShowStderr: true,
		Follow:     opts.Follow,
		Timestamps: opts.Timestamps,
		Tail:       "all",
	}
	if opts.Tail >= 0 {
		lo.Tail = strconv.Itoa(opts.Tail)
	}
	if !opts.Since.IsZero() {
		lo.Since = opts.Since.UTC().Format(time.RFC3339Nano)
	}
	body, err := c.api.ContainerLogs(ctx, info.Container.ID, lo)
	if err != nil {
		return c.wrap("logs of "+id, err)
	}
	defer body.Close()

	sp := newLineSplitter(info.Container.ID, opts.Timestamps, fn)
	if tty {
		err = sp.copyRaw(body)
	} else {
		err = sp.copyMux(body)
	}
	if sp.fnErr != nil {
		return sp.fnErr
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil && isConnFailure(err) {
		return c.wrap("logs of "+id, err)
	}
	return err
}
