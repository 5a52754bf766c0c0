package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// createTemp opens an unnamed file in path's directory (O_TMPFILE): until
// publish(true) links it under a name, a killed process leaves nothing on
// disk. publish(true) links it beside path under a hidden name and renames
// that over path (link cannot replace a file); publish(false) drops it.
// Both close the file. File systems without O_TMPFILE get a named
// temporary file instead.
func createTemp(path string) (*os.File, func(ok bool) error, error) {
	dir := filepath.Dir(path)
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return createNamedTemp(path)
	}
	tmp := os.NewFile(uintptr(fd), path)
	publish := func(ok bool) error {
		defer tmp.Close()
		if !ok {
			return nil
		}
		name := filepath.Join(dir, fmt.Sprintf(".%s.%d", filepath.Base(path), rand.Uint32()))
		proc := fmt.Sprintf("/proc/self/fd/%d", tmp.Fd())
		if err := unix.Linkat(unix.AT_FDCWD, proc, unix.AT_FDCWD, name, unix.AT_SYMLINK_FOLLOW); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		if err := os.Rename(name, path); err != nil {
			os.Remove(name)
			return err
		}
		return nil
	}
	return tmp, publish, nil
}
