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
	resp, err := c.rawGet(ctx, "/v"+c.api.ClientVersion()+"/events?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("event log: %w", err)
	}
	defer resp.Body.Close()
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

// rawGet asks the engine for path over the client's own connection, for
// what the moby client has no option for. A status other than 200 is an
// error with the start of the engine's answer.
func (c *Client) rawGet(ctx context.Context, path string) (*http.Response, error) {
	dial := c.api.Dialer()
	hc := &http.Client{Transport: &http.Transport{
		DialContext:       func(ctx context.Context, _, _ string) (net.Conn, error) { return dial(ctx) },
		DisableKeepAlives: true,
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://engine"+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, c.wrap("GET "+path, err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		return nil, fmt.Errorf("%s: %s", resp.Status, b)
	}
	return resp, nil
}

// podmanTop lists a container's processes through Podman's own endpoint:
// its compatible /containers/{id}/top (4.3) answers 200 and then nothing
// at all, with stream=false too, so the top tab waited forever (EOF once
// the request timed out). The libpod one answers once with the same
// Titles and Processes.
func (c *Client) podmanTop(ctx context.Context, id string) (stack.Processes, error) {
	resp, err := c.rawGet(ctx, "/v4.0.0/libpod/containers/"+url.PathEscape(id)+"/top?stream=false")
	if err != nil {
		return stack.Processes{}, fmt.Errorf("list processes of container %s: %w", id, err)
	}
	defer resp.Body.Close()
	var top struct {
		Titles    []string
		Processes [][]string
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&top); err != nil {
		return stack.Processes{}, fmt.Errorf("list processes of container %s: %w", id, err)
	}
	return stack.Processes{Titles: top.Titles, Rows: top.Processes}, nil
}
