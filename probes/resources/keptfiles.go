package resources

import (
	"errors"
	"io"
	"os"
)

// keptFiles holds one container's cgroup and /proc files open between
// samples. A read at offset 0 of an open cgroup or /proc file returns its
// contents now, so the file need not be opened again: with 100 containers,
// opening and closing seven files each every second was most of what an
// idle stackui cost (issue 11). The sampler closes them when the
// container stops, changes its process, or goes.
type keptFiles struct {
	files map[string]*os.File
}

func newKeptFiles() *keptFiles { return &keptFiles{files: map[string]*os.File{}} }

// close closes every kept file; the keptFiles may be used again after.
func (k *keptFiles) close() {
	if k == nil {
		return
	}
	for p, f := range k.files {
		f.Close()
		delete(k.files, p)
	}
}

// keptRead reads a whole file into r's buffer, through k's open file when
// k is set. A failed read closes the file, so the next one opens it again.
func (r *reader) keptRead(k *keptFiles, path string) ([]byte, error) {
	if k == nil {
		return r.read(path)
	}
	f := k.files[path]
	if f == nil {
		var err error
		if f, err = os.Open(path); err != nil {
			return nil, err
		}
		k.files[path] = f
	}
	// Seek, then read: on this kernel (6.18, cgroup v1) a pread at 0 of a
	// kept cgroup file returned the first contents for ever; a seek to 0
	// makes the next read show the file as it is now.
	b, err := r.readFrom(f)
	if err != nil {
		f.Close()
		delete(k.files, path)
	}
	return b, err
}

func (r *reader) readFrom(f *os.File) ([]byte, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if r.buf == nil {
		r.buf = make([]byte, 8192)
	}
	// A cgroup or /proc file is made whole on the read after the seek and
	// copied out as far as the buffer takes it: a read that leaves room
	// has it all, and the read that would return 0 is saved (a third of
	// the sampler's system calls).
	n, err := f.Read(r.buf)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if n < len(r.buf) {
		return r.buf[:n], nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return r.readAll(f)
}
