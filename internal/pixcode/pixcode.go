// Package pixcode is a lossless coder for small grayscale images, made for
// the data set chunks the page streams on a slow classroom link: it codes
// Fashion-MNIST in 3.6 bits a pixel where gzip takes 4.5 (see BENCHMARKS.md,
// "data on a slow link"), and decodes in WebAssembly faster than a 10 Mbit/s
// link brings the bytes.
//
// Each pixel is predicted from its neighbours above and to the left, and
// the difference coded with an adaptive binary range coder whose
// probabilities depend on a context of the neighbourhood (model.go). Both
// sides adapt identically from a fresh state per stream, so a chunk decodes
// on its own.
//
// # Format (pixcode 1)
//
//	"CPX1"      4 bytes, the magic
//	n           uint32 little-endian, the number of images
//	h, w        uint16 little-endian each, an image's height and width
//	stream      the range coder's bytes, to the end of the file (the first is 0)
//
// The n images of h x w 8-bit pixels, row-major one after the other, are
// coded in that order; pixels outside an image count as 0 (black).
package pixcode

import (
	"encoding/binary"
	"fmt"
)

// Magic opens every stream.
const Magic = "CPX1"

const headerSize = len(Magic) + 4 + 2 + 2

// FormatError reports a stream that is not a valid pixcode stream of the
// images it was expected to hold.
type FormatError string

func (e FormatError) Error() string { return "pixcode: " + string(e) }

// Encode codes n images of h x w pixels; pixels holds exactly n*h*w bytes.
// h and w must be 1..65535; it panics on a size that does not fit, as that
// is the caller's bug.
func Encode(pixels []uint8, n, h, w int) []byte {
	if h < 1 || w < 1 || h > 0xFFFF || w > 0xFFFF || n < 0 || uint64(n) > 0xFFFFFFFF || len(pixels) != n*h*w {
		panic(fmt.Sprintf("pixcode: %d bytes are not %d images of %dx%d", len(pixels), n, h, w))
	}
	out := make([]byte, headerSize, headerSize+len(pixels)/2)
	copy(out, Magic)
	binary.LittleEndian.PutUint32(out[4:], uint32(n))
	binary.LittleEndian.PutUint16(out[8:], uint16(h))
	binary.LittleEndian.PutUint16(out[10:], uint16(w))
	e := newEncoder(out)
	codeImages(e, pixels, n, h, w)
	return e.finish()
}

// Decode decodes src, which must hold exactly len(dst)/(h*w) images of
// h x w pixels, into dst. A stream that is damaged, truncated, longer than
// its images or of other images is a FormatError; dst then holds garbage.
func Decode(dst []uint8, src []byte, h, w int) error {
	if h < 1 || w < 1 || len(dst)%(h*w) != 0 {
		return FormatError(fmt.Sprintf("%d bytes are not whole %dx%d images", len(dst), h, w))
	}
	n := len(dst) / (h * w)
	if len(src) < headerSize || string(src[:4]) != Magic {
		return FormatError("not a pixcode stream (no CPX1 header)")
	}
	gn := binary.LittleEndian.Uint32(src[4:])
	gh, gw := binary.LittleEndian.Uint16(src[8:]), binary.LittleEndian.Uint16(src[10:])
	if uint64(gn) != uint64(n) || int(gh) != h || int(gw) != w {
		return FormatError(fmt.Sprintf("holds %d images of %dx%d, want %d of %dx%d", gn, gh, gw, n, h, w))
	}
	if len(src) > headerSize && src[headerSize] != 0 {
		return FormatError("damaged stream: its first byte is not 0")
	}
	d := newDecoder(src[headerSize:])
	switch {
	case !codeImages(d, dst, n, h, w):
		return FormatError("damaged stream: a pixel decodes outside 0..255")
	case d.overrun > 0:
		return FormatError("truncated stream")
	case d.pos != len(d.src):
		return FormatError(fmt.Sprintf("%d bytes after the stream's end", len(d.src)-d.pos))
	}
	return nil
}
