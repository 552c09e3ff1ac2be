package demo

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// readArchive unpacks a docker-archive into its files.
func readArchive(t *testing.T, r io.Reader) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatalf("archive is not a tar: %v", err)
		}
		b, _ := io.ReadAll(tr)
		files[hdr.Name] = b
	}
}

// checkedArchive validates a docker-archive the way the engine's loader
// does, and returns its config.
func checkedArchive(t *testing.T, files map[string][]byte) (manifestEntry, imageConfig) {
	t.Helper()
	var m []manifestEntry
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil || len(m) != 1 {
		t.Fatalf("manifest.json %q: %v", files["manifest.json"], err)
	}
	cfgJSON, ok := files[m[0].Config]
	if !ok {
		t.Fatalf("manifest names config %q, which is not in the archive", m[0].Config)
	}
	sum := sha256.Sum256(cfgJSON)
	if m[0].Config != hex.EncodeToString(sum[:])+".json" {
		t.Errorf("config file %q is not named by its digest", m[0].Config)
	}
	var cfg imageConfig
	if err := json.Unmarshal(cfgJSON, &cfg); err != nil {
		t.Fatalf("config: %v", err)
	}
	if len(m[0].Layers) != 1 || len(cfg.RootFS.DiffIDs) != 1 {
		t.Fatalf("layers %v, diff_ids %v; want one of each", m[0].Layers, cfg.RootFS.DiffIDs)
	}
	layer, ok := files[m[0].Layers[0]]
	if !ok {
		t.Fatalf("layer %q missing", m[0].Layers[0])
	}
	lsum := sha256.Sum256(layer)
	if cfg.RootFS.DiffIDs[0] != "sha256:"+hex.EncodeToString(lsum[:]) {
		t.Errorf("diff_id %s does not match the layer", cfg.RootFS.DiffIDs[0])
	}
	return m[0], cfg
}

func TestArchive(t *testing.T) {
	payload := []byte("\x7fELF pretend binary")
	created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var b bytes.Buffer
	err := writeArchive(&b, imageSpec{Ref: "x/y:z", Arch: "arm64", Payload: payload, Labels: map[string]string{"k": "v"}, Created: created})
	if err != nil {
		t.Fatal(err)
	}
	files := readArchive(t, &b)
	m, cfg := checkedArchive(t, files)
	if len(m.RepoTags) != 1 || m.RepoTags[0] != "x/y:z" {
		t.Errorf("RepoTags %v", m.RepoTags)
	}
	if cfg.Architecture != "arm64" || cfg.Variant != "v8" || cfg.OS != "linux" || !cfg.Created.Equal(created) {
		t.Errorf("platform %s/%s/%s created %s", cfg.OS, cfg.Architecture, cfg.Variant, cfg.Created)
	}
	if strings.Join(cfg.Config.Entrypoint, " ") != "/stackui workload" || cfg.Config.Labels["k"] != "v" {
		t.Errorf("entrypoint %v labels %v", cfg.Config.Entrypoint, cfg.Config.Labels)
	}
	tr := tar.NewReader(bytes.NewReader(files[m.Layers[0]]))
	hdr, err := tr.Next()
	if err != nil {
		t.Fatalf("layer: %v", err)
	}
	body, _ := io.ReadAll(tr)
	if hdr.Name != "stackui" || hdr.Mode != 0o755 || !bytes.Equal(body, payload) {
		t.Errorf("layer holds %s mode %o (%d bytes)", hdr.Name, hdr.Mode, len(body))
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Errorf("layer holds more than the payload")
	}
}

// fakeImages is an engine's image store: it keeps what ImageLoad is given,
// after checking it as the engine would.
type fakeImages struct {
	t       *testing.T
	images  map[string]imageConfig // by ref
	ids     map[string]string
	loads   int
	removed []string
	loadErr string // answered in the load's body, as engines do
}

func (f *fakeImages) ImageInspect(ctx context.Context, ref string, _ ...client.ImageInspectOption) (client.ImageInspectResult, error) {
	var res client.ImageInspectResult
	cfg, ok := f.images[ref]
	if !ok {
		return res, notFound(ref)
	}
	raw, _ := json.Marshal(map[string]any{"Id": f.ids[ref], "Architecture": cfg.Architecture, "Config": map[string]any{"Labels": cfg.Config.Labels}})
	err := json.Unmarshal(raw, &res)
	return res, err
}

func (f *fakeImages) ImageLoad(ctx context.Context, r io.Reader, _ ...client.ImageLoadOption) (client.ImageLoadResult, error) {
	f.loads++
	files := readArchive(f.t, r)
	if f.loadErr != "" {
		return io.NopCloser(strings.NewReader(fmt.Sprintf(`{"errorDetail":{"message":%q},"error":%q}`, f.loadErr, f.loadErr))), nil
	}
	m, cfg := checkedArchive(f.t, files)
	f.images[m.RepoTags[0]] = cfg
	f.ids[m.RepoTags[0]] = fmt.Sprintf("sha256:id%d", f.loads)
	return io.NopCloser(strings.NewReader(`{"stream":"Loaded image: ` + m.RepoTags[0] + `\n"}`)), nil
}

func (f *fakeImages) ImageRemove(ctx context.Context, id string, _ client.ImageRemoveOptions) (client.ImageRemoveResult, error) {
	f.removed = append(f.removed, id)
	return client.ImageRemoveResult{}, nil
}

type notFound string

func (e notFound) Error() string { return "No such image: " + string(e) }
func (notFound) NotFound()       {}

// staticPayload is a static executable for arch that CheckStatic accepts.
func staticPayload(t *testing.T, arch string, extra string) string {
	t.Helper()
	b, err := tinyELF(arch)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "stackui")
	if err := os.WriteFile(path, append(b, extra...), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBuildImagesIsIdempotent(t *testing.T) {
	f := &fakeImages{t: t, images: map[string]imageConfig{}, ids: map[string]string{}}
	bin := staticPayload(t, "amd64", "")
	opts := BuildOptions{Arch: "amd64", Binary: bin}
	res, err := BuildImages(context.Background(), f, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []BuildResult{{ImageLatest, "amd64", true}, {ImageForeign, "arm64", true}}
	if fmt.Sprint(res) != fmt.Sprint(want) {
		t.Errorf("first build %v, want %v", res, want)
	}
	if f.images[ImageLatest].Architecture != "amd64" || f.images[ImageForeign].Architecture != "arm64" {
		t.Errorf("architectures %s, %s", f.images[ImageLatest].Architecture, f.images[ImageForeign].Architecture)
	}

	res, err = BuildImages(context.Background(), f, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Built || res[1].Built || f.loads != 2 {
		t.Errorf("second build %v after %d loads; want both up to date and no new load", res, f.loads)
	}

	// A new stackui build replaces :latest, and the image it replaced is
	// cleaned up; :foreign stays.
	opts.Binary = staticPayload(t, "amd64", "v2")
	res, err = BuildImages(context.Background(), f, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Built || res[1].Built {
		t.Errorf("after a new binary: %v, want only :latest rebuilt", res)
	}
	if fmt.Sprint(f.removed) != "[sha256:id1]" {
		t.Errorf("removed %v, want the replaced :latest image", f.removed)
	}
}

func TestBuildImagesReportsLoadErrors(t *testing.T) {
	f := &fakeImages{t: t, images: map[string]imageConfig{}, ids: map[string]string{}, loadErr: "no space left on device"}
	_, err := BuildImages(context.Background(), f, BuildOptions{Arch: "amd64", Binary: staticPayload(t, "amd64", "")})
	if err == nil || !strings.Contains(err.Error(), "no space left on device") || !strings.Contains(err.Error(), ImageLatest) {
		t.Errorf("error %v, want the engine's message about %s", err, ImageLatest)
	}
}

func TestBuildImagesRejectsWrongBinary(t *testing.T) {
	f := &fakeImages{t: t, images: map[string]imageConfig{}, ids: map[string]string{}}
	_, err := BuildImages(context.Background(), f, BuildOptions{Arch: "amd64", Binary: staticPayload(t, "arm64", "")})
	if err == nil || !strings.Contains(err.Error(), "engine runs amd64") || f.loads != 0 {
		t.Errorf("error %v after %d loads; want an architecture error and no load", err, f.loads)
	}
	if _, err := BuildImages(context.Background(), f, BuildOptions{}); err == nil {
		t.Errorf("no error without an architecture")
	}
}

func TestForeignArch(t *testing.T) {
	if ForeignArch("amd64") != "arm64" || ForeignArch("arm64") != "amd64" {
		t.Errorf("ForeignArch is not the other architecture")
	}
	if _, err := tinyELF(ForeignArch(runtime.GOARCH)); err != nil {
		t.Errorf("no tiny ELF for this host's foreign architecture: %v", err)
	}
}
