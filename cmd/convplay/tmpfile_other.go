//go:build !linux

package main

import "os"

// createTemp is a named temporary file beside path where O_TMPFILE does not
// exist (see tmpfile_linux.go).
func createTemp(path string) (*os.File, func(ok bool) error, error) {
	return createNamedTemp(path)
}
