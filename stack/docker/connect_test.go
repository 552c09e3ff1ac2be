package docker

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/moby/client"
)

type mapEnv map[string]string

func (m mapEnv) Getenv(k string) string { return m[k] }

// writeContext writes a context the way `docker context create` stores it.
func writeContext(t *testing.T, cfgDir, name, host string, skipTLS bool) string {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	id := hex.EncodeToString(sum[:])
	dir := filepath.Join(cfgDir, "contexts", "meta", id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	skip := "false"
	if skipTLS {
		skip = "true"
	}
	meta := `{"Name":"` + name + `","Metadata":{"Description":"test"},"Endpoints":{"docker":{"Host":"` + host + `","SkipTLSVerify":` + skip + `}}}`
	if err := os.WriteFile(filepath.Join(dir, "meta.json"), []byte(meta), 0o644); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestResolveEndpoint(t *testing.T) {
	home := t.TempDir()
	cfg := filepath.Join(home, ".docker")
	writeContext(t, cfg, "remote", "tcp://10.0.0.5:2376", false)
	writeContext(t, cfg, "current", "ssh://me@box:2222", false)
	writeContext(t, cfg, "insecure", "tcp://10.0.0.6:2376", true)
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"auths":{},"currentContext":"current"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	noCurrent := t.TempDir() // no config.json at all

	tests := []struct {
		name     string
		opts     Options
		env      mapEnv
		wantHost string
		wantTLS  bool
		wantErr  string
	}{
		{"explicit host wins over everything", Options{Host: "unix:///x.sock", Context: "remote"}, mapEnv{"DOCKER_HOST": "tcp://h:1", "DOCKER_CONFIG": cfg}, "unix:///x.sock", false, ""},
		{"explicit context beats DOCKER_HOST", Options{Context: "remote"}, mapEnv{"DOCKER_HOST": "tcp://h:1", "DOCKER_CONFIG": cfg}, "tcp://10.0.0.5:2376", false, ""},
		{"DOCKER_HOST beats DOCKER_CONTEXT and currentContext", Options{}, mapEnv{"DOCKER_HOST": "tcp://h:1", "DOCKER_CONTEXT": "remote", "DOCKER_CONFIG": cfg}, "tcp://h:1", false, ""},
		{"DOCKER_CONTEXT beats currentContext", Options{}, mapEnv{"DOCKER_CONTEXT": "remote", "DOCKER_CONFIG": cfg}, "tcp://10.0.0.5:2376", false, ""},
		{"currentContext from config.json", Options{}, mapEnv{"DOCKER_CONFIG": cfg}, "ssh://me@box:2222", false, ""},
		{"HOME/.docker when DOCKER_CONFIG unset", Options{}, mapEnv{"HOME": home}, "ssh://me@box:2222", false, ""},
		{"no config: platform socket", Options{}, mapEnv{"DOCKER_CONFIG": noCurrent}, client.DefaultDockerHost, false, ""},
		{"context default is the platform socket", Options{Context: "default"}, mapEnv{"DOCKER_CONFIG": cfg}, client.DefaultDockerHost, false, ""},
		{"SkipTLSVerify gives a TLS config", Options{Context: "insecure"}, mapEnv{"DOCKER_CONFIG": cfg}, "tcp://10.0.0.6:2376", true, ""},
		{"unknown context is an error", Options{Context: "nope"}, mapEnv{"DOCKER_CONFIG": cfg}, "", false, `docker context "nope" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, err := resolveEndpoint(tt.opts, tt.env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ep.Host != tt.wantHost {
				t.Errorf("host = %q, want %q", ep.Host, tt.wantHost)
			}
			if (ep.TLS != nil) != tt.wantTLS {
				t.Errorf("TLS = %v, want %v", ep.TLS != nil, tt.wantTLS)
			}
			if tt.wantTLS && !ep.TLS.InsecureSkipVerify {
				t.Errorf("InsecureSkipVerify not set from SkipTLSVerify")
			}
		})
	}
}

func TestContextTLSMaterial(t *testing.T) {
	cfg := t.TempDir()
	id := writeContext(t, cfg, "tls", "tcp://10.0.0.7:2376", false)
	tlsDir := filepath.Join(cfg, "contexts", "tls", id, "docker")
	if err := os.MkdirAll(tlsDir, 0o700); err != nil {
		t.Fatal(err)
	}
	// A ca.pem that holds no certificate must be reported, not ignored.
	if err := os.WriteFile(filepath.Join(tlsDir, "ca.pem"), []byte("not a cert"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := resolveEndpoint(Options{Context: "tls"}, mapEnv{"DOCKER_CONFIG": cfg})
	if err == nil || !strings.Contains(err.Error(), "no certificate in ca.pem") {
		t.Fatalf("err = %v, want a ca.pem error", err)
	}
	// A key without its certificate is an error too.
	os.Remove(filepath.Join(tlsDir, "ca.pem"))
	if err := os.WriteFile(filepath.Join(tlsDir, "key.pem"), []byte("k"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = resolveEndpoint(Options{Context: "tls"}, mapEnv{"DOCKER_CONFIG": cfg})
	if err == nil || !strings.Contains(err.Error(), "must come together") {
		t.Fatalf("err = %v, want a cert/key pairing error", err)
	}
}

func TestBrokenConfigIsAnError(t *testing.T) {
	cfg := t.TempDir()
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"currentContext":`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := resolveEndpoint(Options{}, mapEnv{"DOCKER_CONFIG": cfg}); err == nil || !strings.Contains(err.Error(), "parse docker config") {
		t.Fatalf("err = %v, want a parse error", err)
	}
}

// sshCmd is ssh with the options every tunnel gets: no prompts on the
// terminal the TUI owns, and a bounded connect time.
func sshCmd(args ...string) []string {
	return append([]string{"ssh", "-o", "ConnectTimeout=30", "-o", "BatchMode=yes"}, args...)
}

func TestSSHArgv(t *testing.T) {
	tests := []struct {
		host    string
		want    []string
		wantErr string
	}{
		{"ssh://box", sshCmd("--", "box", "docker", "system", "dial-stdio"), ""},
		{"ssh://me@box", sshCmd("-l", "me", "--", "box", "docker", "system", "dial-stdio"), ""},
		{"ssh://me@box:2222", sshCmd("-l", "me", "-p", "2222", "--", "box", "docker", "system", "dial-stdio"), ""},
		{"ssh://box:22/", sshCmd("-p", "22", "--", "box", "docker", "system", "dial-stdio"), ""},
		{"ssh://[fe80::1]:2200", sshCmd("-p", "2200", "--", "fe80::1", "docker", "system", "dial-stdio"), ""},
		{"ssh://me:secret@box", nil, "passwords in the URL"},
		{"ssh://box/some/path", nil, "path"},
		{"ssh://", nil, "no host name"},
		{"tcp://box", nil, "not ssh"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			got, err := sshArgv(tt.host)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("argv = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConnectHosts(t *testing.T) {
	tests := []struct {
		host      string
		wantLocal bool
		wantErr   string
	}{
		{"unix:///var/run/docker.sock", true, ""},
		{"tcp://127.0.0.1:2375", true, ""},
		{"tcp://localhost:2375", true, ""},
		{"tcp://10.1.2.3:2375", false, ""},
		{"ssh://me@box", false, ""},
		{"ftp://box", false, "unsupported scheme"},
		{"no-scheme", false, "not a URL"},
		{"ssh://a:b@box", false, "passwords"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			c, err := connectEndpoint(endpoint{Host: tt.host})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if c.local != tt.wantLocal {
				t.Errorf("local = %v, want %v", c.local, tt.wantLocal)
			}
			if c.Host() != tt.host {
				t.Errorf("Host() = %q", c.Host())
			}
		})
	}
}
