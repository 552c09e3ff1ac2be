package stack

import (
	"strings"
	"time"

	units "github.com/docker/go-units"
)

// How images are named and measured for people: as docker names and
// measures them, so the figures can be compared with its own.

// Label names an image as the view and `stackui resources` list it: the
// name the files give it, else its tag, marked when dangling.
func (img Image) Label() string {
	name := imageName(img)
	switch {
	case img.Dangling && name == img.ID:
		return "<none> (dangling)"
	case img.Dangling:
		return name + " (dangling)"
	}
	return name
}

// ShortID is the ID as docker prints it: 12 hex digits, no algorithm.
func (img Image) ShortID() string {
	id := strings.TrimPrefix(img.ID, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// Age says how long ago the image was made, as `docker images` does.
func (img Image) Age(now time.Time) string {
	if img.Created.IsZero() {
		return "-"
	}
	return units.HumanDuration(now.Sub(img.Created)) + " ago"
}

// DiskSize writes a size as docker images and docker system df do (SI
// units, three significant digits), so the figures can be compared; "-"
// when the engine did not say.
func DiskSize(n int64) string {
	if n < 0 {
		return "-"
	}
	return units.HumanSizeWithPrecision(float64(n), 3)
}

// imageName is how an image is listed: its ref, else its first tag, else
// its ID.
func imageName(img Image) string {
	switch {
	case img.Ref != "":
		return img.Ref
	case len(img.Tags) > 0:
		return img.Tags[0]
	}
	return img.ID
}

// NormalizeImageRef writes an image reference the way the engine lists its
// tags: Docker Hub's implied registry and library/ left out, ":latest"
// added when there is neither tag nor digest.
func NormalizeImageRef(ref string) string {
	ref = strings.TrimSpace(ref)
	for _, prefix := range []string{"docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"} {
		if strings.HasPrefix(ref, prefix) {
			ref = strings.TrimPrefix(ref, prefix)
			break
		}
	}
	if strings.HasPrefix(ref, "library/") && strings.Count(ref, "/") == 1 {
		ref = strings.TrimPrefix(ref, "library/")
	}
	if strings.Contains(ref, "@") {
		return ref
	}
	last := ref[strings.LastIndex(ref, "/")+1:]
	if !strings.Contains(last, ":") {
		ref += ":latest"
	}
	return ref
}
