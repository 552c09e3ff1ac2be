//go:build unix

package edit

import (
	"io/fs"
	"os"
	"syscall"
)

// keepOwner gives the temporary file f the owner and group of the file it
// replaces, so a fix made under sudo does not hand the user's file to root.
// Changing the owner needs privilege; it is only attempted when it differs,
// and a file that would change hands is not written.
func keepOwner(f *os.File, orig fs.FileInfo) error {
	want, ok := orig.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	got, ok := fi.Sys().(*syscall.Stat_t)
	if ok && got.Uid == want.Uid && got.Gid == want.Gid {
		return nil
	}
	if err := f.Chown(int(want.Uid), int(want.Gid)); err != nil {
		if ok && got.Uid == want.Uid {
			// the user owns the file but is not in its group: only the
			// group changes, as it does when an editor saves the file
			return nil
		}
		return err
	}
	return nil
}

// writableByMode reports whether the mode bits let this process's user
// write the file: the owner's bits for the owner and for root (who acts for
// the owner under sudo), else the group's or the others'.
func writableByMode(fi fs.FileInfo) bool {
	perm := fi.Mode().Perm()
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return perm&0o222 != 0
	}
	uid := os.Getuid()
	switch {
	case uid == 0 || uint32(uid) == st.Uid:
		return perm&0o200 != 0
	case inGroup(st.Gid):
		return perm&0o020 != 0
	default:
		return perm&0o002 != 0
	}
}

func inGroup(gid uint32) bool {
	if uint32(os.Getegid()) == gid {
		return true
	}
	groups, _ := os.Getgroups()
	for _, g := range groups {
		if uint32(g) == gid {
			return true
		}
	}
	return false
}
