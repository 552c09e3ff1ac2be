package demo

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// composeYAML is the demo project's compose file. It must load in both
// docker-compose 1.29 and docker compose v2: no `name:`, no `include:`, no
// `gpus:`, quoted port strings.
//
//go:embed compose.yaml
var composeYAML []byte

// ComposeFile is the demo compose file's name inside its folder.
const ComposeFile = "compose.yaml"

// stampFile remembers the digest of the compose file stackui last wrote,
// so that a later version of stackui can tell its own old file (replace it)
// from one the user edited (keep it).
const stampFile = ".stackui-demo"

// ComposeYAML returns the demo compose file's content.
func ComposeYAML() []byte { return bytes.Clone(composeYAML) }

// WriteOutcome says what WriteProject did with the compose file.
type WriteOutcome int

const (
	Written   WriteOutcome = iota // there was none, or stackui's own older one
	Unchanged                     // it already had this content
	KeptUser                      // the user changed it; it was left alone
)

func (o WriteOutcome) String() string {
	switch o {
	case Written:
		return "written"
	case Unchanged:
		return "up to date"
	case KeptUser:
		return "kept (you edited it)"
	}
	return fmt.Sprintf("WriteOutcome(%d)", int(o))
}

// DefaultDir is where `stackui demo` puts the project without --dir: a
// folder named stackui-demo (which makes the compose project name) under
// the user's cache directory.
func DefaultDir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find a folder for the demo project: %w; pass --dir", err)
	}
	return filepath.Join(cache, "stackui", "stackui-demo"), nil
}

// WriteProject writes the demo compose file into dir, creating dir. A
// compose file that is already there and differs from what stackui ever
// wrote is the user's and is kept. It returns the compose file's path.
func WriteProject(dir string) (string, WriteOutcome, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, fmt.Errorf("create demo folder: %w", err)
	}
	path := filepath.Join(dir, ComposeFile)
	stamp := filepath.Join(dir, stampFile)
	existing, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return path, 0, fmt.Errorf("read %s: %w", path, err)
	case bytes.Equal(existing, composeYAML):
		return path, Unchanged, nil
	default:
		written, _ := os.ReadFile(stamp)
		if strings.TrimSpace(string(written)) != digest(existing) {
			return path, KeptUser, nil
		}
	}
	if err := writeFileAtomic(path, composeYAML); err != nil {
		return path, 0, err
	}
	if err := os.WriteFile(stamp, []byte(digest(composeYAML)+"\n"), 0o644); err != nil {
		return path, 0, fmt.Errorf("write %s: %w", stamp, err)
	}
	return path, Written, nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// writeFileAtomic replaces path in one rename, so an interrupted write
// never leaves half a compose file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
