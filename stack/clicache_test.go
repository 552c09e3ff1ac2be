package stack

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runs counts the lines a counting script appended to its log.
func runs(t *testing.T, log string) int {
	t.Helper()
	b, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

// Detection is kept between processes: the second detection runs no CLI,
// a CLI replaced on disk is asked again, and STACKUI_CACHE=off always asks.
func TestDetectComposeCached(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	log := filepath.Join(dir, "runs")
	script := func(version string) {
		writeComposeScript(t, dir, "docker-compose", `echo run >> `+log+`; echo `+version)
	}
	script("2.20.0")
	t.Setenv("PATH", dir)
	t.Setenv(ComposeChoiceEnv, "docker-compose")
	detect := func(wantVer string, wantRuns int) {
		t.Helper()
		got, err := DetectCompose(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != wantVer || got.Path != filepath.Join(dir, "docker-compose") {
			t.Errorf("DetectCompose = %+v, want %s from %s", got, wantVer, dir)
		}
		if n := runs(t, log); n != wantRuns {
			t.Errorf("the CLI ran %d times, want %d", n, wantRuns)
		}
	}
	detect("2.20.0", 1)
	detect("2.20.0", 1) // from the cache
	// An upgrade in place: another file at the same path.
	time.Sleep(10 * time.Millisecond)
	script("2.21.10")
	detect("2.21.10", 2)
	detect("2.21.10", 2)
	t.Setenv(CacheEnv, "off")
	detect("2.21.10", 3)
	detect("2.21.10", 4)
}

// A failed detection is not kept: once the CLI works, it is found.
func TestDetectComposeFailureNotCached(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	t.Setenv(ComposeChoiceEnv, "docker-compose")
	writeComposeScript(t, dir, "docker-compose", `echo "ImportError" >&2; exit 1`)
	if _, err := DetectCompose(context.Background()); err == nil {
		t.Fatal("a broken CLI was detected")
	}
	writeComposeScript(t, dir, "docker-compose", `echo 1.29.2`)
	// The same size would not do: the script is rewritten, so its time
	// changes, but make sure of it.
	later := time.Now().Add(time.Second)
	os.Chtimes(filepath.Join(dir, "docker-compose"), later, later)
	if got, err := DetectCompose(context.Background()); err != nil || got.Version != "1.29.2" {
		t.Fatalf("DetectCompose = %+v, %v; want 1.29.2", got, err)
	}
}

// The real compose CLI's `config --hash` answer is kept for the plugin
// (v2 and later), whose hash depends only on the files and variables:
// asking again with nothing changed runs nothing; a changed file, a
// changed variable, or a damaged entry runs the CLI again, and the answer
// is the CLI's. docker-compose 1.29 hashes the image's ID too, which no
// file shows, so its answers are never kept.
func TestConfigHashesCached(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	real, err := DetectCompose(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keeps := real.AtLeast(2, 0)
	// The real CLI behind a script that counts its runs.
	bin := t.TempDir()
	log := filepath.Join(bin, "runs")
	writeComposeScript(t, bin, "compose", `echo run >> `+log+`; exec "`+real.Path+`" "$@"`)
	cli := real
	cli.Path = filepath.Join(bin, "compose")

	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	write := func(mode string) {
		t.Helper()
		yml := "services:\n  app:\n    image: stackui-demo/workload:${TAG:-latest}\n    environment:\n      MODE: " + mode + "\n  side:\n    image: stackui-demo/workload:latest\n    profiles: [extra]\n"
		if err := os.WriteFile(file, []byte(yml), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	load := func(env map[string]string) *Project {
		t.Helper()
		p, err := Load(ctx, LoadOptions{Files: []string{file}, WorkDir: dir, ProjectName: "hashcache", Env: env})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	want := 0
	hashes := func(p *Project, cached bool) map[string]string {
		t.Helper()
		got, err := cli.ConfigHashes(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if !cached || !keeps {
			want++
		}
		if n := runs(t, log); n != want {
			t.Errorf("the CLI ran %d times, want %d", n, want)
		}
		if got["app"] == "" || got["side"] == "" {
			t.Errorf("hashes = %v, want app and side", got)
		}
		return got
	}
	write("one")
	first := hashes(load(nil), false)
	again := hashes(load(nil), true)
	if !keeps {
		// 1.29's answers follow the engine's images (other tests rebuild
		// the demo image meanwhile): only that it ran each time is sure.
		return
	}
	if again["app"] != first["app"] || again["side"] != first["side"] {
		t.Errorf("kept answer %v differs from the CLI's %v", again, first)
	}
	write("two")
	edited := hashes(load(nil), false)
	if edited["app"] == first["app"] || edited["side"] != first["side"] {
		t.Errorf("after editing app: %v, before %v; want app's hash alone to change", edited, first)
	}
	tagged := hashes(load(map[string]string{"TAG": "other"}), false)
	if tagged["app"] == edited["app"] {
		t.Errorf("TAG=other kept app's hash %s", tagged["app"])
	}
	// A damaged entry is asked again, and replaced.
	p := load(nil)
	entry := filepath.Join(cacheDir("hashes"), cli.hashesKey(p, []string{"*"})+".json")
	if err := os.WriteFile(entry, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := hashes(p, false); got["app"] != edited["app"] {
		t.Errorf("after a damaged entry: %v, want %v", got, edited)
	}
	hashes(p, true)
}

// The cache keeps its newest entries only.
func TestCacheBounded(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	for i := range cacheEntries + 10 {
		writeCache("test", strings.Repeat("k", i+1), i)
	}
	entries, err := os.ReadDir(cacheDir("test"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != cacheEntries {
		t.Errorf("%d entries, want %d", len(entries), cacheEntries)
	}
	var v int
	if !readCache("test", strings.Repeat("k", cacheEntries+10), &v) || v != cacheEntries+9 {
		t.Errorf("the newest entry reads %d", v)
	}
}

// A fallback found after a CLI that failed (rather than one missing) is
// not kept: the failure may pass, and the first CLI must be asked again.
func TestDetectComposeFallbackNotCached(t *testing.T) {
	dir, log := detectSandbox(t)
	writeComposeScript(t, dir, "docker", `echo run >> `+log+`; [ -e `+dir+`/ok ] && echo v5.6.0 && exit 0; exit 1`)
	writeComposeScript(t, dir, "docker-compose", `echo 1.29.2`)
	if got, err := DetectCompose(context.Background()); err != nil || got.Name != "docker-compose" {
		t.Fatalf("with the plugin failing: %+v, %v", got, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ok"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := DetectCompose(context.Background()); err != nil || got.Name != "docker compose" || got.Version != "5.6.0" {
		t.Fatalf("once the plugin answers: %+v, %v", got, err)
	}
	if n := runs(t, log); n != 2 {
		t.Errorf("the plugin was asked %d times, want 2", n)
	}
}

// The keys follow the plugin wherever the docker CLI would find it: in a
// folder its configuration adds, and behind a link whose target changes.
func TestDetectKeyFollowsThePlugin(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("DOCKER_CONFIG", cfg)
	extra := t.TempDir()
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"cliPluginsExtraDirs": ["`+extra+`"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	candidates := []ComposeCLI{{Name: "docker compose", Path: "docker", Prefix: []string{"compose"}}}
	before := detectKey(candidates)
	if err := os.WriteFile(filepath.Join(extra, "v1"), []byte("#!/bin/sh\necho 2.99.0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(extra, "v1"), filepath.Join(extra, "docker-compose")); err != nil {
		t.Fatal(err)
	}
	linked := detectKey(candidates)
	if linked == before {
		t.Error("a plugin in cliPluginsExtraDirs did not change the key")
	}
	// An upgrade that only moves the link.
	if err := os.WriteFile(filepath.Join(extra, "v2"), []byte("#!/bin/sh\necho 2.99.1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(extra, "docker-compose"))
	if err := os.Symlink(filepath.Join(extra, "v2"), filepath.Join(extra, "docker-compose")); err != nil {
		t.Fatal(err)
	}
	if detectKey(candidates) == linked {
		t.Error("the link's new target did not change the key")
	}
}

// A docker CLI without the plugin is missing it for good, as a CLI not on
// PATH is: the fallback found after it is kept.
func TestDetectComposeWithoutThePluginCached(t *testing.T) {
	dir, log := detectSandbox(t)
	writeComposeScript(t, dir, "docker", `echo run >> `+log+`; echo "docker: 'compose' is not a docker command." >&2; exit 1`)
	writeComposeScript(t, dir, "docker-compose", `echo 1.29.2`)
	for range 2 {
		if got, err := DetectCompose(context.Background()); err != nil || got.Name != "docker-compose" {
			t.Fatalf("DetectCompose = %+v, %v", got, err)
		}
	}
	if n := runs(t, log); n != 1 {
		t.Errorf("the docker CLI was asked %d times, want 1", n)
	}
}

// detectSandbox is a PATH of one empty folder, a cache and a docker
// configuration of the test's own, and the log counting scripts append to.
func detectSandbox(t *testing.T) (dir, log string) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir = t.TempDir()
	t.Setenv("PATH", dir)
	t.Setenv(ComposeChoiceEnv, "")
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	return dir, filepath.Join(dir, "runs")
}
