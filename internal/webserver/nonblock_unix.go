//go:build unix

package webserver

import "syscall"

// openNonblock is added to every open: a FIFO opens at once instead of
// waiting for a writer (and is then refused as not a regular file).
const openNonblock = syscall.O_NONBLOCK
