//go:build !unix

package webserver

// openNonblock is 0 where there are no FIFOs to block on (see
// nonblock_unix.go).
const openNonblock = 0
