package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/moby/moby/client"
	"github.com/stackui/stackui/stack/docker"
)

// The demo images. The demo compose file names them.
const (
	ImageLatest  = "stackui-demo/workload:latest"  // stackui itself, for the engine's architecture
	ImageForeign = "stackui-demo/workload:foreign" // a tiny program for the other architecture
)

// LabelSource holds a digest of what an image was built from; an image
// whose label matches is up to date and is not loaded again.
const LabelSource = "org.stackui.demo.source"

// archiveVersion goes into the source digest, so that a change in how the
// images are assembled rebuilds them even when the payload is the same.
const archiveVersion = "stackui-demo-archive/1"

// ImageAPI is the part of the Engine API that building the images needs;
// *client.Client has it.
type ImageAPI interface {
	ImageInspect(ctx context.Context, ref string, opts ...client.ImageInspectOption) (client.ImageInspectResult, error)
	ImageLoad(ctx context.Context, input io.Reader, opts ...client.ImageLoadOption) (client.ImageLoadResult, error)
}

// BuildOptions say what to build the images from.
type BuildOptions struct {
	// Arch is the engine's architecture, as Go names it (stack.EngineInfo.Arch).
	Arch string
	// Binary is a static linux build of stackui for Arch; empty means the
	// running executable.
	Binary string
}

// BuildResult says what happened to one image.
type BuildResult struct {
	Image string
	Arch  string
	Built bool // false: it was up to date
}

// ForeignArch is the architecture the foreign image declares: one the
// engine's host cannot run without emulation.
func ForeignArch(arch string) string {
	if arch == "amd64" {
		return "arm64"
	}
	return "amd64"
}

// BuildImages makes sure both demo images exist on the engine, loading
// each one only when it is missing or was built from something else.
func BuildImages(ctx context.Context, api ImageAPI, opts BuildOptions) ([]BuildResult, error) {
	if opts.Arch == "" {
		return nil, errors.New("build demo images: the engine's architecture is unknown")
	}
	bin := opts.Binary
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find stackui's own executable: %w; pass --binary", err)
		}
		bin = exe
	}
	if err := CheckStatic(bin, opts.Arch); err != nil {
		return nil, err
	}
	payload, err := os.ReadFile(bin)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", bin, err)
	}
	foreignArch := ForeignArch(opts.Arch)
	foreign, err := tinyELF(foreignArch)
	if err != nil {
		return nil, err
	}
	specs := []imageSpec{
		{Ref: ImageLatest, Arch: opts.Arch, Payload: payload},
		{Ref: ImageForeign, Arch: foreignArch, Payload: foreign},
	}
	var results []BuildResult
	for _, spec := range specs {
		built, err := ensureImage(ctx, api, spec)
		if err != nil {
			return results, err
		}
		results = append(results, BuildResult{Image: spec.Ref, Arch: spec.Arch, Built: built})
	}
	return results, nil
}

// sourceDigest identifies what spec would build, labels aside.
func sourceDigest(spec imageSpec) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n", archiveVersion, spec.Ref, spec.Arch)
	h.Write(spec.Payload)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// ensureImage loads spec unless the engine already has it; built says
// whether it loaded it.
func ensureImage(ctx context.Context, api ImageAPI, spec imageSpec) (built bool, err error) {
	digest := sourceDigest(spec)
	current, oldID, err := imageSource(ctx, api, spec.Ref)
	if err != nil {
		return false, err
	}
	if current == digest {
		return false, nil
	}
	spec.Labels = map[string]string{
		LabelSource:                            digest,
		"org.opencontainers.image.title":       "stackui demo workload",
		"org.opencontainers.image.source":      "https://github.com/stackui/stackui",
		"org.opencontainers.image.description": "built offline by `stackui demo` from " + spec.Arch + " executable",
	}
	spec.Created = time.Now()
	if err := loadImage(ctx, api, spec); err != nil {
		return false, err
	}
	// Check the load took: an engine can answer 200 and still drop an
	// image it did not like.
	current, newID, err := imageSource(ctx, api, spec.Ref)
	if err != nil {
		return false, err
	}
	if current != digest {
		return false, fmt.Errorf("load %s: the engine accepted the image but does not have it afterwards", spec.Ref)
	}
	removeReplaced(ctx, api, oldID, newID)
	return true, nil
}

// imageRemover is the optional operation that lets a rebuild clean up the
// image it replaced.
type imageRemover interface {
	ImageRemove(ctx context.Context, id string, opts client.ImageRemoveOptions) (client.ImageRemoveResult, error)
}

// removeReplaced deletes the untagged image a rebuild left behind, so that
// rebuilding after every `go build` does not pile up images. It is best
// effort: an image that a container still uses stays, without force.
func removeReplaced(ctx context.Context, api ImageAPI, oldID, newID string) {
	r, ok := api.(imageRemover)
	if !ok || oldID == "" || oldID == newID {
		return
	}
	r.ImageRemove(ctx, oldID, client.ImageRemoveOptions{})
}

// imageSource returns ref's source label and image ID, both "" when the
// image is missing.
func imageSource(ctx context.Context, api ImageAPI, ref string) (source, id string, err error) {
	img, err := api.ImageInspect(ctx, ref)
	if docker.IsNotFound(err) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("inspect %s: %w", ref, err)
	}
	if img.Config != nil {
		source = img.Config.Labels[LabelSource]
	}
	return source, img.ID, nil
}

// loadImage streams spec's archive into POST /images/load and reads the
// engine's answer, which reports failures in its body, not its status.
func loadImage(ctx context.Context, api ImageAPI, spec imageSpec) error {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeArchive(pw, spec)) }()
	defer pr.Close()
	resp, err := api.ImageLoad(ctx, pr, client.ImageLoadWithQuiet(true))
	if err != nil {
		return fmt.Errorf("load %s: %w", spec.Ref, err)
	}
	defer resp.Close()
	dec := json.NewDecoder(resp)
	for {
		var msg struct {
			Stream      string `json:"stream"`
			Error       string `json:"error"`
			ErrorDetail *struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		err := dec.Decode(&msg)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("load %s: read the engine's answer: %w", spec.Ref, err)
		}
		if msg.ErrorDetail != nil && msg.ErrorDetail.Message != "" {
			return fmt.Errorf("load %s: %s", spec.Ref, msg.ErrorDetail.Message)
		}
		if msg.Error != "" {
			return fmt.Errorf("load %s: %s", spec.Ref, msg.Error)
		}
	}
}
