//go:build !unix

package edit

import (
	"io/fs"
	"os"
)

// keepOwner is a no-op where files have no unix owner.
func keepOwner(*os.File, fs.FileInfo) error { return nil }

// writableByMode is false for a file with the read-only attribute, which
// Go reports as a mode without write bits.
func writableByMode(fi fs.FileInfo) bool { return fi.Mode().Perm()&0o222 != 0 }
