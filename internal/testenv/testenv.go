// Package testenv gives integration tests what they share: a real Docker
// engine (a failure, not a skip, when CI=true), the stackui binary built
// static once per test process, the demo images, and unique project names.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// InCI reports whether the tests run under CI, where nothing may be skipped
// for lack of an engine.
func InCI() bool { return os.Getenv("CI") == "true" }

// Engine returns a client for the real engine, negotiated to its API version.
// Without an engine the test is skipped, or fails when CI=true.
func Engine(t testing.TB) *client.Client {
	t.Helper()
	cli, err := client.New(client.FromEnv, client.WithAPIVersionNegotiation())
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err = cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
	}
	if err != nil {
		if InCI() {
			t.Fatalf("CI=true and no Docker engine answers: %v", err)
		}
		t.Skipf("no Docker engine: %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// EngineKind is the engine product the tests run against: "podman" when
// STACKUI_TEST_ENGINE says so (CI's Podman stage sets it, with DOCKER_HOST
// at Podman's socket), else "docker". Tests assert that stackui detects
// the same, so a Podman run that reached Docker fails instead of passing.
func EngineKind() string {
	if os.Getenv("STACKUI_TEST_ENGINE") == "podman" {
		return "podman"
	}
	return "docker"
}

// OnPodman reports whether the tests run against Podman (EngineKind).
func OnPodman() bool { return EngineKind() == "podman" }

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
	buildOut  []byte

	imagesOnce sync.Once
	imagesErr  error
	imagesOut  []byte
)

// ModuleRoot is the folder that holds go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// Binary builds the stackui command, static (CGO_ENABLED=0) as the demo
// images need it, once per test process, and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	root := ModuleRoot(t)
	buildOnce.Do(func() {
		removeStaleBinaries()
		dir, err := os.MkdirTemp("", "stackui-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "stackui")
		cmd := exec.Command("go", "build", "-o", buildPath, ".")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("build stackui: %v\n%s", buildErr, buildOut)
	}
	return buildPath
}

// removeStaleBinaries deletes the binaries earlier test processes built. A
// process cannot remove its own (other tests of it may still run it), so
// each removes those left over by processes more than an hour old.
func removeStaleBinaries() {
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), "stackui-bin-*"))
	for _, dir := range old {
		if fi, err := os.Stat(dir); err == nil && time.Since(fi.ModTime()) > time.Hour {
			os.RemoveAll(dir)
		}
	}
}

// DemoImages makes sure the demo images exist on the engine, by running
// `stackui demo --images-only` once per test process.
func DemoImages(t testing.TB) {
	t.Helper()
	Engine(t)
	bin := Binary(t)
	imagesOnce.Do(func() {
		cmd := exec.Command(bin, "demo", "--images-only")
		imagesOut, imagesErr = cmd.CombinedOutput()
	})
	if imagesErr != nil {
		t.Fatalf("stackui demo --images-only: %v\n%s", imagesErr, imagesOut)
	}
}

var unsafeName = regexp.MustCompile(`[^a-z0-9]+`)

// ProjectName returns a compose project name unique to this test run, made
// of the test's name so leftovers can be traced back to it.
func ProjectName(t testing.TB) string {
	var b [3]byte
	rand.Read(b[:])
	name := unsafeName.ReplaceAllString(strings.ToLower(t.Name()), "")
	if len(name) > 30 {
		name = name[:30]
	}
	return "sut" + name + hex.EncodeToString(b[:])
}

// RemoveProject removes, through the Engine API, every container and network
// labelled with project: what a test's compose down left behind (v1 skips
// services of profiles it was not given). Volumes are never touched.
func RemoveProject(t testing.TB, api *client.Client, project string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	label := make(client.Filters).Add("label", "com.docker.compose.project="+project)
	if res, err := api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: label}); err == nil {
		for _, c := range res.Items {
			if _, err := api.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true}); err != nil {
				t.Logf("remove container %s: %v", c.ID[:12], err)
			}
		}
	}
	if res, err := api.NetworkList(ctx, client.NetworkListOptions{Filters: label}); err == nil {
		for _, n := range res.Items {
			if _, err := api.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{}); err != nil {
				t.Logf("remove network %s: %v", n.Name, err)
			}
		}
	}
}

// DockerHost is the engine address the environment names (DOCKER_HOST),
// or "" for the default socket.
func DockerHost() string { return os.Getenv("DOCKER_HOST") }
