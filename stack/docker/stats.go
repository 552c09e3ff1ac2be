package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stackui/stackui/stack"
)

// Stats reads a container's resource counters. With stream false it sends
// fn one sample, taken with the engine's previous sample so that
// CPUPercent is meaningful (the engine takes about a second for that);
// with stream true it sends a sample about every second until ctx is done
// (Stats then returns ctx's error), the container stops (nil), or fn
// returns an error (returned as is).
func (c *Client) Stats(ctx context.Context, id string, stream bool, fn func(stack.Stats) error) error {
	res, err := c.api.ContainerStats(ctx, id, client.ContainerStatsOptions{Stream: stream, IncludePreviousSample: true})
	if err != nil {
		return c.wrap("stats of "+id, err)
	}
	defer res.Body.Close()
	dec := json.NewDecoder(res.Body)
	for {
		var raw container.StatsResponse
		if err := dec.Decode(&raw); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, io.EOF) {
				return nil // the engine ended the stream: one sample sent, or the container stopped
			}
			return c.wrap("stats of "+id, err)
		}
		st := fromStatsResponse(raw)
		if !stream && st.PreCPUTotal == 0 && st.PreSystemCPU == 0 {
			// Podman's one-shot sample has no previous one, so no CPU
			// figure: take the second of a stream instead.
			res.Body.Close()
			return c.secondSample(ctx, id, fn)
		}
		if err := fn(st); err != nil {
			return err
		}
		if !stream {
			return nil
		}
	}
}

// secondSample sends fn the second sample of a stream, the first with a
// previous one to compare with.
func (c *Client) secondSample(ctx context.Context, id string, fn func(stack.Stats) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errDone := errors.New("second sample sent")
	n := 0
	err := c.Stats(ctx, id, true, func(st stack.Stats) error {
		if n++; n < 2 && st.PreCPUTotal == 0 && st.PreSystemCPU == 0 {
			return nil
		}
		if err := fn(st); err != nil {
			return err
		}
		return errDone
	})
	if errors.Is(err, errDone) {
		return nil
	}
	return err
}

// DecodeStats decodes one Engine API stats document (GET
// /containers/{id}/stats), cgroup v1 or v2.
func DecodeStats(data []byte) (stack.Stats, error) {
	var raw container.StatsResponse
	if err := json.Unmarshal(data, &raw); err != nil {
		return stack.Stats{}, fmt.Errorf("decode stats: %w", err)
	}
	return fromStatsResponse(raw), nil
}

func fromStatsResponse(r container.StatsResponse) stack.Stats {
	s := stack.Stats{
		Read:         r.Read,
		CPUTotal:     r.CPUStats.CPUUsage.TotalUsage,
		SystemCPU:    r.CPUStats.SystemUsage,
		OnlineCPUs:   r.CPUStats.OnlineCPUs,
		PreCPUTotal:  r.PreCPUStats.CPUUsage.TotalUsage,
		PreSystemCPU: r.PreCPUStats.SystemUsage,
		MemUsage:     r.MemoryStats.Usage,
		MemLimit:     r.MemoryStats.Limit,
		Pids:         r.PidsStats.Current,
	}
	if s.OnlineCPUs == 0 {
		// Engines before API 1.27, and some cgroup v1 setups, leave it out.
		s.OnlineCPUs = uint32(len(r.CPUStats.CPUUsage.PercpuUsage))
	}
	// cgroup v2 names it inactive_file, cgroup v1 total_inactive_file (the
	// hierarchy's total; v1's plain inactive_file is this cgroup alone).
	if v, ok := r.MemoryStats.Stats["inactive_file"]; ok && !hasKey(r.MemoryStats.Stats, "total_inactive_file") {
		s.MemInactive = v
	} else {
		s.MemInactive = r.MemoryStats.Stats["total_inactive_file"]
	}
	for _, n := range r.Networks {
		s.NetRx += n.RxBytes
		s.NetTx += n.TxBytes
	}
	for _, e := range r.BlkioStats.IoServiceBytesRecursive {
		switch {
		case strings.EqualFold(e.Op, "read"):
			s.BlkRead += e.Value
		case strings.EqualFold(e.Op, "write"):
			s.BlkWrite += e.Value
		}
	}
	return s
}

func hasKey(m map[string]uint64, k string) bool {
	_, ok := m[k]
	return ok
}
