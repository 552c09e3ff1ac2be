package stack

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// The compose CLI is a separate program that takes a third of a second to
// start (docker-compose 1.29, a Python program, more), and two of its
// answers depend only on what it is handed: which CLI answers `version`,
// and the hash of each service's configuration. stackui keeps those
// answers under $XDG_CACHE_HOME/stackui/compose, keyed by a digest of
// every input, so asking again with nothing changed costs a file read
// instead of a run (`ps --json` went from half a second to a few hundred
// milliseconds at 300 services). A key that misses, an entry that cannot
// be read, or a cache that cannot be written only means the CLI runs.

// CacheEnv turns the cache off when set to "off".
const CacheEnv = "STACKUI_CACHE"

// cacheEntries bounds each kind of entry: the oldest go first.
const cacheEntries = 64

// cacheKey digests the parts of a key; each part is length-prefixed, so
// no two lists of parts digest alike.
type cacheKey struct{ h hash.Hash }

func newCacheKey(kind string) *cacheKey {
	k := &cacheKey{h: sha256.New()}
	k.add(kind)
	return k
}

func (k *cacheKey) add(parts ...string) {
	for _, s := range parts {
		fmt.Fprintf(k.h, "%d:", len(s))
		io.WriteString(k.h, s)
	}
}

// addFile adds a file's name, identity and, when contents is set, its
// bytes. A file that cannot be read adds why, so the key still differs
// from the one of a readable file.
func (k *cacheKey) addFile(path string, contents bool) {
	k.add(path)
	// A link's own time does not change when what it points to is
	// replaced (snap's /snap/docker/current, a Homebrew or Docker
	// Desktop link to a versioned folder): the target is what counts.
	if target, err := filepath.EvalSymlinks(path); err == nil && target != path {
		k.add("-> " + target)
		path = target
	}
	st, err := os.Stat(path)
	if err != nil {
		k.add("missing")
		return
	}
	k.add(fmt.Sprintf("%d %d %v", st.Size(), st.ModTime().UnixNano(), st.Mode()))
	if !contents {
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		k.add("unreadable")
		return
	}
	k.add(string(b))
}

func (k *cacheKey) sum() string { return hex.EncodeToString(k.h.Sum(nil)) }

// cacheDir is where entries of one kind go; "" when caching is off or
// there is no cache folder.
func cacheDir(kind string) string {
	if kind == "" || strings.EqualFold(os.Getenv(CacheEnv), "off") {
		return ""
	}
	base, err := os.UserCacheDir()
	if err != nil || !filepath.IsAbs(base) {
		return ""
	}
	return filepath.Join(base, "stackui", "compose", kind)
}

// readCache fills v from the entry key of kind; false when there is none
// or it does not decode.
func readCache(kind, key string, v any) bool {
	dir := cacheDir(kind)
	if dir == "" || key == "" {
		return false
	}
	b, err := os.ReadFile(filepath.Join(dir, key+".json"))
	if err != nil {
		return false
	}
	return json.Unmarshal(b, v) == nil
}

// writeCache stores v as the entry key of kind, atomically (a reader sees
// the old entry or the new one, never half of one), then drops the oldest
// entries past cacheEntries. Errors are dropped: the cache only saves time.
func writeCache(kind, key string, v any) {
	dir := cacheDir(kind)
	if dir == "" || key == "" {
		return
	}
	b, err := json.Marshal(v)
	if err != nil || os.MkdirAll(dir, 0o700) != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), filepath.Join(dir, key+".json")) != nil {
		os.Remove(tmp.Name())
		return
	}
	pruneCache(dir)
}

// pruneCache keeps the newest cacheEntries entries of dir.
func pruneCache(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) <= cacheEntries {
		return
	}
	type aged struct {
		name string
		mod  int64
	}
	var files []aged
	for _, e := range entries {
		if info, err := e.Info(); err == nil && strings.HasSuffix(e.Name(), ".json") {
			files = append(files, aged{e.Name(), info.ModTime().UnixNano()})
		}
	}
	slices.SortFunc(files, func(a, b aged) int { return int(min(max(b.mod-a.mod, -1), 1)) })
	for _, f := range files[min(cacheEntries, len(files)):] {
		os.Remove(filepath.Join(dir, f.name))
	}
}

// dockerConfig is the docker CLI's configuration file.
func dockerConfig() string {
	if d := os.Getenv("DOCKER_CONFIG"); d != "" {
		return filepath.Join(d, "config.json")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".docker", "config.json")
	}
	return ""
}

// pluginDirs are where the docker CLI looks for its plugins on this
// system: the folders its configuration adds (cliPluginsExtraDirs), its
// user's folder, then the system's.
func pluginDirs() []string {
	var dirs []string
	if b, err := os.ReadFile(dockerConfig()); err == nil {
		var cfg struct {
			Extra []string `json:"cliPluginsExtraDirs"`
		}
		if json.Unmarshal(b, &cfg) == nil {
			dirs = append(dirs, cfg.Extra...)
		}
	}
	if cfg := dockerConfig(); cfg != "" {
		dirs = append(dirs, filepath.Join(filepath.Dir(cfg), "cli-plugins"))
	}
	dirs = append(dirs, "/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins",
		"/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins",
		"/opt/homebrew/lib/docker/cli-plugins", "/Applications/Docker.app/Contents/Resources/cli-plugins",
		"/snap/docker/current/usr/libexec/docker/cli-plugins")
	for _, v := range []string{"ProgramData", "ProgramFiles"} {
		if d := os.Getenv(v); d != "" {
			dirs = append(dirs, filepath.Join(d, "Docker", "cli-plugins"))
		}
	}
	return dirs
}

// addPlugin adds the identity of every file the docker CLI could run as
// the compose plugin, and of its configuration.
func (k *cacheKey) addPlugin() {
	k.addFile(dockerConfig(), false)
	for _, d := range pluginDirs() {
		k.addFile(filepath.Join(d, "docker-compose"), false)
		k.addFile(filepath.Join(d, "docker-compose.exe"), false)
	}
}

// detectKey is what DetectCompose's answer depends on: the candidates and
// where PATH finds them, the plugin files the docker CLI would run, and
// its configuration (which can name more plugin folders). Replacing or
// upgrading any of them changes the key.
func detectKey(candidates []ComposeCLI) string {
	k := newCacheKey("detect")
	k.add(os.Getenv("PATH"), os.Getenv("DOCKER_CONFIG"))
	for _, c := range candidates {
		k.add(c.Name)
		if path, err := exec.LookPath(c.Path); err == nil {
			k.addFile(path, false)
		} else {
			k.add("not on PATH")
		}
		if c.Name == "docker compose" {
			k.addPlugin()
		}
	}
	return k.sum()
}

// hashesKey is what `config --hash` answers from: the CLI (its executable
// and, for the plugin, the plugin's), the command line, the variables
// that steer compose (COMPOSE_*, DOCKER_*), the bytes of every file it is
// handed, and the project as loaded: interpolation, env files, extends
// and includes all end up in the model, so a change to any of them
// changes the key. "" (no caching) when the model cannot be digested.
func (c ComposeCLI) hashesKey(p *Project, profiles []string) string {
	k := newCacheKey("hashes")
	k.add(c.Name, c.Version)
	k.addFile(c.Path, false)
	if c.Name == "docker compose" {
		k.addPlugin()
	}
	k.add(c.Command(p, profiles, []string{"config", "--hash=*"})...)
	k.add(p.WorkingDir)
	for _, kv := range composeEnv(p) {
		if strings.HasPrefix(kv, "COMPOSE_") || strings.HasPrefix(kv, "DOCKER_") {
			k.add(kv)
		}
	}
	for _, files := range [][]string{p.Files, p.CLIFiles, p.EnvFiles} {
		for _, f := range files {
			k.addFile(f, true)
		}
	}
	if p.Model == nil {
		return ""
	}
	b, err := json.Marshal(p.Model)
	if err != nil {
		return "" // no key: the CLI runs
	}
	k.add(string(b))
	return k.sum()
}
