// Package pixcode is a lossless coder for small grayscale images, made for
// the data set chunks the page streams on a slow classroom link: it codes
// Fashion-MNIST in 3.6 bits a pixel where gzip takes 4.5 (see BENCHMARKS.md,
// "data on a slow link"), and on an idle core decodes in WebAssembly
// (about 0.9 s of CPU per 5,000 images) faster than a 10 Mbit/s link brings
// the bytes, though far slower than gzip: packdata uses it on request
// (-images pixcode).
//
// Each pixel is predicted from its neighbours above and to the left, and
// the difference coded with an adaptive binary range coder whose
// probabilities depend on a context of the neighbourhood (model.go). Both
// sides adapt identically from a fresh state per stream, so a chunk decodes
// on its own.
//
// It also codes images whose pixels are all multiples of a step (a divisor
// of 255, so that black and white stay exact): images a packer rounded to
// fewer grey levels for a smaller download take a third fewer bits at step
// 5 (BENCHMARKS.md). The coder itself is lossless either way: the caller
// rounds first (Round), as packdata -round does.
//
// # Format (pixcode 1)
//
//	"CPX1"      4 bytes, the magic ("CPX2" for a step other than 1)
//	n           uint32 little-endian, the number of images
//	h, w        uint16 little-endian each, an image's height and width
//	step        uint8, in "CPX2" only: every pixel is a multiple of it
//	stream      the range coder's bytes, to the end of the file (the first is 0)
//
// The n images of h x w 8-bit pixels, row-major one after the other, are
// coded in that order, each pixel as its value divided by the step; pixels
// outside an image count as 0 (black).
package pixcode

import (
	"encoding/binary"
	"fmt"
)

// Magic opens every stream of step 1, MagicSteps every other.
const (
	Magic      = "CPX1"
	MagicSteps = "CPX2"
)

const headerSize = len(Magic) + 4 + 2 + 2 // without CPX2's step

// ValidStep reports whether images rounded to multiples of step keep 0 and
// 255 exact, as a step must.
func ValidStep(step int) bool { return step >= 1 && step <= 255 && 255%step == 0 }

// Round returns pixels each rounded to the nearest multiple of step, a
// ValidStep: at most step/2 grey levels off, 0 and 255 unchanged. What it
// returns EncodeSteps codes.
func Round(pixels []uint8, step int) []uint8 {
	out := make([]uint8, len(pixels))
	for i, p := range pixels {
		out[i] = uint8((int(p) + step/2) / step * step)
	}
	return out
}

// FormatError reports a stream that is not a valid pixcode stream of the
// images it was expected to hold.
type FormatError string

func (e FormatError) Error() string { return "pixcode: " + string(e) }

// Encode codes n images of h x w pixels; pixels holds exactly n*h*w bytes.
// h and w must be 1..65535; it panics on a size that does not fit, as that
// is the caller's bug.
func Encode(pixels []uint8, n, h, w int) []byte { return EncodeSteps(pixels, n, h, w, 1) }

// EncodeSteps is Encode for images whose every pixel is a multiple of step,
// a ValidStep; it panics on a pixel that is not.
func EncodeSteps(pixels []uint8, n, h, w, step int) []byte {
	if h < 1 || w < 1 || h > 0xFFFF || w > 0xFFFF || n < 0 || uint64(n) > 0xFFFFFFFF || len(pixels) != n*h*w {
		panic(fmt.Sprintf("pixcode: %d bytes are not %d images of %dx%d", len(pixels), n, h, w))
	}
	if !ValidStep(step) {
		panic(fmt.Sprintf("pixcode: step %d does not divide 255", step))
	}
	for i, v := range pixels {
		if int(v)%step != 0 {
			panic(fmt.Sprintf("pixcode: pixel %d is %d, not a multiple of the step %d", i, v, step))
		}
	}
	out := make([]byte, headerSize, headerSize+1+len(pixels)/2)
	copy(out, Magic)
	binary.LittleEndian.PutUint32(out[4:], uint32(n))
	binary.LittleEndian.PutUint16(out[8:], uint16(h))
	binary.LittleEndian.PutUint16(out[10:], uint16(w))
	if step != 1 {
		copy(out, MagicSteps)
		out = append(out, uint8(step))
	}
	e := newEncoder(out)
	m := newModel(h, w, step)
	for k := range n {
		m.codeImage(e, pixels[k*h*w:(k+1)*h*w])
	}
	return e.finish()
}

// Decode decodes src, which must hold exactly len(dst)/(h*w) images of
// h x w pixels in multiples of step, into dst. A stream that is damaged,
// truncated, longer than its images or of other images or another step is
// a FormatError; dst then holds garbage.
func Decode(dst []uint8, src []byte, h, w, step int) error {
	d, err := NewDecoder(dst, src, h, w, step)
	if err != nil {
		return err
	}
	_, err = d.Decode(d.n)
	return err
}

// Decoder decodes a stream a few images at a time, so that a Web Worker
// can answer messages between them (a chunk of 5,000 takes a second or
// more in WebAssembly).
type Decoder struct {
	c    *coder
	m    *model
	dst  []uint8
	n    int // images in all
	next int // the next image to decode
	err  error
}

// NewDecoder checks src's header against the len(dst)/(h*w) images of
// h x w pixels in multiples of step dst must hold; Decode then fills dst.
func NewDecoder(dst []uint8, src []byte, h, w, step int) (*Decoder, error) {
	if h < 1 || w < 1 || len(dst)%(h*w) != 0 {
		return nil, FormatError(fmt.Sprintf("%d bytes are not whole %dx%d images", len(dst), h, w))
	}
	n := len(dst) / (h * w)
	if len(src) < headerSize || string(src[:4]) != Magic && string(src[:4]) != MagicSteps {
		return nil, FormatError("not a pixcode stream (no CPX1 or CPX2 header)")
	}
	gstep, size := 1, headerSize
	if string(src[:4]) == MagicSteps {
		if len(src) == headerSize {
			return nil, FormatError("truncated header (no step)")
		}
		gstep, size = int(src[headerSize]), headerSize+1
		if gstep == 1 || !ValidStep(gstep) {
			return nil, FormatError(fmt.Sprintf("step %d in a CPX2 header, want a divisor of 255 above 1", gstep))
		}
	}
	if gstep != step {
		return nil, FormatError(fmt.Sprintf("pixels in steps of %d, want %d", gstep, step))
	}
	gn := binary.LittleEndian.Uint32(src[4:])
	gh, gw := binary.LittleEndian.Uint16(src[8:]), binary.LittleEndian.Uint16(src[10:])
	if uint64(gn) != uint64(n) || int(gh) != h || int(gw) != w {
		return nil, FormatError(fmt.Sprintf("holds %d images of %dx%d, want %d of %dx%d", gn, gh, gw, n, h, w))
	}
	if len(src) > size && src[size] != 0 {
		return nil, FormatError("damaged stream: its first byte is not 0")
	}
	return &Decoder{c: newDecoder(src[size:]), m: newModel(h, w, step), dst: dst, n: n}, nil
}

// Decode decodes up to k more images and reports whether all are done.
// After the last it checks the stream ended exactly there. An error is a
// FormatError, and every later call returns it again.
func (d *Decoder) Decode(k int) (done bool, err error) {
	if d.err != nil {
		return true, d.err
	}
	size := d.m.h * d.m.w
	for end := min(d.next+max(k, 1), d.n); d.next < end; d.next++ {
		if !d.m.codeImage(d.c, d.dst[d.next*size:(d.next+1)*size]) {
			d.err = FormatError("damaged stream: a pixel decodes outside 0..255")
			return true, d.err
		}
	}
	if d.next < d.n {
		return false, nil
	}
	switch {
	case d.c.overrun > 0:
		d.err = FormatError("truncated stream")
	case d.c.pos != len(d.c.src):
		d.err = FormatError(fmt.Sprintf("%d bytes after the stream's end", len(d.c.src)-d.c.pos))
	}
	return true, d.err
}

// Decoded is the number of images decoded so far.
func (d *Decoder) Decoded() int { return d.next }
