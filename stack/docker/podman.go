package docker

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"

	"github.com/stackui/stackui/stack"
)

// Podman's Docker-compatible service (podman system service, 4.3) answers
// the same API as Docker 20.10 (1.41), with differences stackui handles:
//
//   - /version lists a "Podman Engine" component: Product tells them apart.
//   - /events' until is a deadline on the clock, not a bound on the events'
//     times, and its event log is replayed slowly (about 0.2 s an event):
//     with until now it returns nothing. It takes stream=false, which
//     returns the log at once and ends: EventLog uses that.
//   - an OOM kill leaves OOMKilled false and no oom event; a stop that
//     outlasts its grace period leaves no kill and no stop event (only die
//     and cleanup); its kill event names no signal. The doctor's OOM
//     evidence comes from the memory cgroup instead (probes/resources).
//   - a removed container's event is remove, not destroy; init and
//     cleanup are events of their own.
//   - images loaded through the API are named localhost/NAME; compose's
//     NAME finds them.

// Product says which engine answers: stack.EnginePodman or
// stack.EngineDocker, from its version (asked once; Info is slower on
// Podman).
func (c *Client) Product(ctx context.Context) (string, error) {
	c.mu.Lock()
	p := c.product
	c.mu.Unlock()
	if p != "" {
		return p, nil
	}
	ver, err := c.api.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return "", c.wrap("engine version", err)
	}
	p = engineProduct(ver)
	c.mu.Lock()
	c.product = p
	c.mu.Unlock()
	return p, nil
}

// EventLog returns the engine's past container events since then that
// match filters, without following, from an engine that honours
// stream=false (Podman). The moby client has no such option, so this is
// a plain request over the client's own connection.
func (c *Client) EventLog(ctx context.Context, filters client.Filters, since time.Time) ([]events.Message, error) {
	f, err := json.Marshal(filters)
	if err != nil {
		return nil, fmt.Errorf("event log: %w", err)
	}
	q := url.Values{"stream": {"false"}, "since": {strconv.FormatInt(since.Unix(), 10)}, "filters": {string(f)}}
	dial := c.api.Dialer()
	hc := &http.Client{Transport: &http.Transport{
		DialContext:       func(ctx context.Context, _, _ string) (net.Conn, error) { return dial(ctx) },
		DisableKeepAlives: true,
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://engine/v"+c.api.ClientVersion()+"/events?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("event log: %w", err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, c.wrap("event log", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("event log: %s: %s", resp.Status, b)
	}
	var out []events.Message
	dec := json.NewDecoder(bufio.NewReader(resp.Body))
	for {
		var m events.Message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return out, fmt.Errorf("event log: %w", err)
		}
		out = append(out, m)
	}
}

// Event translates an engine event (as ProjectEvents does).
func Event(m events.Message) stack.Event { return eventFromMessage(m) }
