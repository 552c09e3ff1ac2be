package docker

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/moby/client"
)

func getenv(k string) string { return os.Getenv(k) }

// configDir is the docker CLI's configuration folder: $DOCKER_CONFIG or
// ~/.docker.
func configDir(e env) string {
	if d := e.Getenv("DOCKER_CONFIG"); d != "" {
		return d
	}
	home := e.Getenv("HOME")
	if home == "" {
		if h, err := os.UserHomeDir(); err == nil {
			home = h
		}
	}
	return filepath.Join(home, ".docker")
}

// currentContext is config.json's currentContext, "" when there is no
// config file or it names none.
func currentContext(e env) (string, error) {
	path := filepath.Join(configDir(e), "config.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read docker config: %w", err)
	}
	var cfg struct {
		CurrentContext string `json:"currentContext"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return "", fmt.Errorf("parse docker config %s: %w", path, err)
	}
	return cfg.CurrentContext, nil
}

// contextMeta is the part of a context store's meta.json that matters here.
type contextMeta struct {
	Name      string `json:"Name"`
	Endpoints map[string]struct {
		Host          string `json:"Host"`
		SkipTLSVerify bool   `json:"SkipTLSVerify"`
	} `json:"Endpoints"`
}

// contextEndpoint reads a context from the docker CLI's context store,
// which keys each context's folder by the sha256 of its name.
func contextEndpoint(name string, e env) (endpoint, error) {
	if name == "default" {
		// The CLI's built-in context: DOCKER_HOST or the platform socket.
		if h := e.Getenv("DOCKER_HOST"); h != "" {
			return envEndpoint(h, e)
		}
		return endpoint{Host: client.DefaultDockerHost}, nil
	}
	sum := sha256.Sum256([]byte(name))
	id := hex.EncodeToString(sum[:])
	dir := configDir(e)
	metaPath := filepath.Join(dir, "contexts", "meta", id, "meta.json")
	data, err := os.ReadFile(metaPath)
	if errors.Is(err, fs.ErrNotExist) {
		return endpoint{}, fmt.Errorf("docker context %q not found (no %s)", name, metaPath)
	}
	if err != nil {
		return endpoint{}, fmt.Errorf("read docker context %q: %w", name, err)
	}
	var meta contextMeta
	if err := json.Unmarshal(data, &meta); err != nil {
		return endpoint{}, fmt.Errorf("parse docker context %q (%s): %w", name, metaPath, err)
	}
	d, ok := meta.Endpoints["docker"]
	if !ok || d.Host == "" {
		return endpoint{}, fmt.Errorf("docker context %q has no docker endpoint", name)
	}
	ep := endpoint{Host: d.Host}
	tlsConf, err := contextTLS(filepath.Join(dir, "contexts", "tls", id, "docker"), d.SkipTLSVerify)
	if err != nil {
		return endpoint{}, fmt.Errorf("docker context %q: %w", name, err)
	}
	ep.TLS = tlsConf
	return ep, nil
}

// contextTLS builds the TLS settings from a context's ca.pem, cert.pem and
// key.pem, whichever exist. No files and no SkipTLSVerify means plain TCP.
func contextTLS(dir string, skipVerify bool) (*tls.Config, error) {
	read := func(n string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read TLS %s: %w", n, err)
		}
		return b, nil
	}
	ca, err := read("ca.pem")
	if err != nil {
		return nil, err
	}
	cert, err := read("cert.pem")
	if err != nil {
		return nil, err
	}
	key, err := read("key.pem")
	if err != nil {
		return nil, err
	}
	if ca == nil && cert == nil && key == nil && !skipVerify {
		return nil, nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: skipVerify} //nolint:gosec // the user asked for it in the context
	if ca != nil {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, fmt.Errorf("%s: no certificate in ca.pem", dir)
		}
		conf.RootCAs = pool
	}
	if (cert == nil) != (key == nil) {
		return nil, fmt.Errorf("%s: cert.pem and key.pem must come together", dir)
	}
	if cert != nil {
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("%s: client certificate: %w", dir, err)
		}
		conf.Certificates = []tls.Certificate{pair}
	}
	return conf, nil
}

// envEndpoint is DOCKER_HOST with the TLS settings of DOCKER_CERT_PATH and
// DOCKER_TLS_VERIFY. DOCKER_CERT_PATH alone means TLS without verifying
// the engine (as client.FromEnv has it); DOCKER_TLS_VERIFY without a cert
// path reads the certificates from the config folder, as the docker CLI
// does.
func envEndpoint(host string, e env) (endpoint, error) {
	certPath := e.Getenv("DOCKER_CERT_PATH")
	verify := e.Getenv("DOCKER_TLS_VERIFY") != ""
	if (certPath == "" && !verify) || strings.HasPrefix(host, "ssh://") {
		// An ssh tunnel is encrypted already; the CLI ignores TLS for it.
		return endpoint{Host: host}, nil
	}
	if certPath == "" {
		certPath = configDir(e)
	}
	conf, err := envTLS(certPath, verify)
	if err != nil {
		return endpoint{}, fmt.Errorf("TLS for DOCKER_HOST=%s: %w", host, err)
	}
	return endpoint{Host: host, TLS: conf}, nil
}

// envTLS loads ca.pem, cert.pem and key.pem from dir. Verifying needs
// ca.pem: TLS that was asked for never degrades to less. The client
// certificate is optional, as in the CLI, but needs both of its files.
func envTLS(dir string, verify bool) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: !verify} //nolint:gosec // DOCKER_CERT_PATH without DOCKER_TLS_VERIFY asks for it
	if verify {
		ca, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
		if err != nil {
			return nil, fmt.Errorf("DOCKER_TLS_VERIFY is set but the CA is unreadable: %w", err)
		}
		// Added to the system roots, as the docker client does.
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(ca) {
			return nil, fmt.Errorf("%s: no certificate in ca.pem", dir)
		}
		conf.RootCAs = pool
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	_, certErr := os.Stat(certFile)
	_, keyErr := os.Stat(keyFile)
	if errors.Is(certErr, fs.ErrNotExist) && errors.Is(keyErr, fs.ErrNotExist) {
		return conf, nil
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("%s: client certificate: %w", dir, err)
	}
	conf.Certificates = []tls.Certificate{pair}
	return conf, nil
}
