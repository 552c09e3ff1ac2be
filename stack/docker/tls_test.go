package docker

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testPKI is a throwaway CA with a server certificate for 127.0.0.1 and a
// client certificate, as `docker-machine` or a hand-made TLS setup has.
type testPKI struct {
	caPEM         []byte
	pool          *x509.CertPool
	server        tls.Certificate
	clientCertPEM []byte
	clientKeyPEM  []byte
	caCert        *x509.Certificate
	caKey         *ecdsa.PrivateKey
	serial        int64
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "stackui test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p.caCert, err = x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	p.caKey = key
	p.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	p.pool = x509.NewCertPool()
	p.pool.AddCert(p.caCert)
	p.serial = 1

	certPEM, keyPEM := p.issue(t, "engine", x509.ExtKeyUsageServerAuth)
	p.server, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	p.clientCertPEM, p.clientKeyPEM = p.issue(t, "client", x509.ExtKeyUsageClientAuth)
	return p
}

// issue signs a leaf certificate valid for 127.0.0.1.
func (p *testPKI) issue(t *testing.T, cn string, usage x509.ExtKeyUsage) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p.serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(p.serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

// writeCerts puts ca.pem, cert.pem and key.pem into dir, as the docker CLI
// expects them in DOCKER_CERT_PATH or ~/.docker.
func (p *testPKI) writeCerts(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"ca.pem": p.caPEM, "cert.pem": p.clientCertPEM, "key.pem": p.clientKeyPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// tlsEngine is a fake engine that answers /_ping over TLS and demands a
// client certificate from the CA; on a unix socket when sock is not "".
func (p *testPKI) tlsEngine(t *testing.T, sock string) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
			http.Error(w, "no verified client certificate", http.StatusForbidden)
			return
		}
		w.Header().Set("Api-Version", "1.41")
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("OK"))
	}))
	if sock != "" {
		l, err := net.Listen("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		srv.Listener.Close()
		srv.Listener = l
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point of some cases
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{p.server},
		ClientCAs:    p.pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS12,
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// pingWith resolves the engine from env alone and pings it.
func pingWith(t *testing.T, e mapEnv) error {
	t.Helper()
	ep, err := resolveEndpoint(Options{}, e)
	if err != nil {
		return err
	}
	c, err := connectEndpoint(ep)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.Ping(ctx)
}

func TestEnvTLS(t *testing.T) {
	pki := newTestPKI(t)
	tcp := pki.tlsEngine(t, "")
	tcpHost := "tcp://" + tcp.Listener.Addr().String()
	// A short folder: unix socket paths are limited to about 100 bytes.
	sockDir, err := os.MkdirTemp("", "stackui-tls")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	sock := filepath.Join(sockDir, "docker.sock")
	pki.tlsEngine(t, sock)

	home := t.TempDir()
	pki.writeCerts(t, filepath.Join(home, ".docker"))
	certDir := filepath.Join(t.TempDir(), "certs")
	pki.writeCerts(t, certDir)
	other := newTestPKI(t)
	otherDir := filepath.Join(t.TempDir(), "other")
	other.writeCerts(t, otherDir)
	noCerts := t.TempDir()

	tests := []struct {
		name    string
		env     mapEnv
		wantErr string
	}{
		{"DOCKER_TLS_VERIFY without a cert path reads ~/.docker", mapEnv{"DOCKER_HOST": tcpHost, "DOCKER_TLS_VERIFY": "1", "HOME": home}, ""},
		{"DOCKER_TLS_VERIFY without a cert path reads DOCKER_CONFIG", mapEnv{"DOCKER_HOST": tcpHost, "DOCKER_TLS_VERIFY": "1", "DOCKER_CONFIG": certDir}, ""},
		{"DOCKER_CERT_PATH with verification", mapEnv{"DOCKER_HOST": tcpHost, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certDir, "HOME": noCerts}, ""},
		// TLS set up before the host: the unix socket dialer survives.
		{"TLS over a unix socket", mapEnv{"DOCKER_HOST": "unix://" + sock, "DOCKER_CERT_PATH": certDir}, ""},
		{"default context takes the environment's TLS", mapEnv{"DOCKER_HOST": "unix://" + sock, "DOCKER_CONTEXT": "default", "DOCKER_CERT_PATH": certDir}, ""},
		{"an engine signed by another CA is refused", mapEnv{"DOCKER_HOST": tcpHost, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": otherDir}, "certificate"},
		{"no TLS settings: plain HTTP to a TLS engine fails", mapEnv{"DOCKER_HOST": tcpHost, "HOME": home}, "HTTP request to an HTTPS server"},
		{"verification without a CA is an error, not plain TCP", mapEnv{"DOCKER_HOST": tcpHost, "DOCKER_TLS_VERIFY": "1", "DOCKER_CONFIG": noCerts}, "CA is unreadable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := pingWith(t, tt.env)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ping: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ping = %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}

func TestEnvTLSClientCertNeedsBothFiles(t *testing.T) {
	pki := newTestPKI(t)
	dir := t.TempDir()
	pki.writeCerts(t, dir)
	if err := os.Remove(filepath.Join(dir, "key.pem")); err != nil {
		t.Fatal(err)
	}
	_, err := resolveEndpoint(Options{}, mapEnv{"DOCKER_HOST": "tcp://h:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": dir})
	if err == nil || !strings.Contains(err.Error(), "client certificate") {
		t.Fatalf("err = %v, want a client certificate error", err)
	}
	// Without cert.pem and key.pem it verifies the engine only.
	if err := os.Remove(filepath.Join(dir, "cert.pem")); err != nil {
		t.Fatal(err)
	}
	ep, err := resolveEndpoint(Options{}, mapEnv{"DOCKER_HOST": "tcp://h:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": dir})
	if err != nil || ep.TLS == nil || ep.TLS.InsecureSkipVerify || len(ep.TLS.Certificates) != 0 {
		t.Fatalf("CA only: %+v, %v", ep.TLS, err)
	}
	// An ssh host ignores TLS settings, as the CLI does.
	ep, err = resolveEndpoint(Options{}, mapEnv{"DOCKER_HOST": "ssh://box", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": t.TempDir()})
	if err != nil || ep.TLS != nil {
		t.Fatalf("ssh with TLS env: %+v, %v", ep, err)
	}
}
