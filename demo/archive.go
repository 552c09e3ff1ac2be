package demo

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// payloadPath is where an image's only file lives, and so its entrypoint.
const payloadPath = "stackui"

// imageSpec is one single-file image: payload at /stackui, run as
// ["/stackui", "workload"].
type imageSpec struct {
	Ref     string // repo:tag
	Arch    string // Go architecture
	Payload []byte
	Labels  map[string]string
	Created time.Time
}

// imageConfig is the image config JSON of the docker image spec, with the
// fields a single-file image needs.
type imageConfig struct {
	Architecture string    `json:"architecture"`
	Variant      string    `json:"variant,omitempty"`
	OS           string    `json:"os"`
	Created      time.Time `json:"created"`
	Config       struct {
		Entrypoint []string          `json:"Entrypoint"`
		Env        []string          `json:"Env"`
		Labels     map[string]string `json:"Labels,omitempty"`
	} `json:"config"`
	RootFS struct {
		Type    string   `json:"type"`
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
	History []historyEntry `json:"history"`
}

type historyEntry struct {
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by"`
}

// manifestEntry is one image of a docker-archive's manifest.json.
type manifestEntry struct {
	Config   string   `json:"Config"`
	RepoTags []string `json:"RepoTags"`
	Layers   []string `json:"Layers"`
}

// layerTar is the image's one layer: the payload, executable, owned by root.
// Its bytes are deterministic, since the layer's digest goes into the config.
func layerTar(payload []byte) ([]byte, error) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	hdr := &tar.Header{
		Name:     payloadPath,
		Mode:     0o755,
		Size:     int64(len(payload)),
		Typeflag: tar.TypeReg,
		ModTime:  time.Unix(0, 0),
		Format:   tar.FormatPAX,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write(payload); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeArchive writes spec as a docker-archive, the format `docker save`
// writes and POST /images/load reads: manifest.json, the config JSON and
// the layer tar. Engines from 1.10 on load it; no registry is involved.
func writeArchive(w io.Writer, spec imageSpec) error {
	layer, err := layerTar(spec.Payload)
	if err != nil {
		return fmt.Errorf("layer of %s: %w", spec.Ref, err)
	}
	layerSum := sha256.Sum256(layer)
	layerHex := hex.EncodeToString(layerSum[:])

	var cfg imageConfig
	cfg.Architecture, cfg.Variant = spec.Arch, archVariant(spec.Arch)
	cfg.OS = "linux"
	cfg.Created = spec.Created.UTC()
	cfg.Config.Entrypoint = []string{"/" + payloadPath, "workload"}
	cfg.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	cfg.Config.Labels = spec.Labels
	cfg.RootFS.Type = "layers"
	cfg.RootFS.DiffIDs = []string{"sha256:" + layerHex}
	cfg.History = []historyEntry{{Created: cfg.Created, CreatedBy: "stackui demo"}}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("config of %s: %w", spec.Ref, err)
	}
	cfgSum := sha256.Sum256(cfgJSON)
	cfgName := hex.EncodeToString(cfgSum[:]) + ".json"
	layerName := layerHex + "/layer.tar"

	manifest, err := json.Marshal([]manifestEntry{{Config: cfgName, RepoTags: []string{spec.Ref}, Layers: []string{layerName}}})
	if err != nil {
		return fmt.Errorf("manifest of %s: %w", spec.Ref, err)
	}

	tw := tar.NewWriter(w)
	files := []struct {
		name string
		data []byte
	}{
		{layerName, layer},
		{cfgName, cfgJSON},
		{"manifest.json", manifest},
	}
	if err := tw.WriteHeader(&tar.Header{Name: layerHex + "/", Mode: 0o755, Typeflag: tar.TypeDir, ModTime: cfg.Created}); err != nil {
		return fmt.Errorf("archive of %s: %w", spec.Ref, err)
	}
	for _, f := range files {
		hdr := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg, ModTime: cfg.Created}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("archive of %s: %w", spec.Ref, err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return fmt.Errorf("archive of %s: %w", spec.Ref, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("archive of %s: %w", spec.Ref, err)
	}
	return nil
}

// archVariant is the platform variant registries use for arch, so that
// engines that check it do not warn.
func archVariant(arch string) string {
	switch arch {
	case "arm64":
		return "v8"
	case "arm":
		return "v7"
	}
	return ""
}
