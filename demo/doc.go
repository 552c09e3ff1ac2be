// Package demo builds stackui's offline demo: two images assembled from
// stackui's own executable and loaded straight into the engine (no
// Dockerfile, no registry, no network), and a compose project that uses
// them to show what stackui explains — an out-of-memory kill, a wrong CPU
// architecture, a missing GPU, health checks.
//
// stackui-demo/workload:latest holds a static stackui for the engine's
// architecture at /stackui, with ["/stackui", "workload"] as entrypoint
// (see package workload). stackui-demo/workload:foreign declares the other
// architecture and holds a tiny hand-made executable for it, so a host
// without emulation fails to run it with "exec format error".
package demo
