package nn

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// NumPy's .npy format (NEP 1), one array: the magic "\x93NUMPY", a major and
// minor version byte, the header length (uint16 little-endian in version 1,
// uint32 in 2 and 3), then the header, a Python dict literal such as
// "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 3, 1, 32), }" padded
// with spaces and a newline to a multiple of 64 bytes, then the values in C
// order. This file holds the one .npy codec: ImportNPZ/ExportNPZ use it for
// weights, the command line for predict's inputs.

const (
	npyMagic     = "\x93NUMPY"
	maxNPYHeader = 1 << 16 // bytes; NumPy itself refuses headers over 10,000
	npyAlign     = 64      // numpy.lib.format.ARRAY_ALIGN
	npyGrowth    = 21      // numpy.lib.format.GROWTH_AXIS_MAX_DIGITS
	npyChunk     = 1 << 16 // values ReadNPY allocates before it has seen them
)

// NPYError reports a malformed or unsupported .npy array (like
// png.FormatError): bad magic, an unknown version, a header that is not the
// dict NumPy writes, a dtype other than integers and float32/float64,
// Fortran order, too many values, or values cut short.
type NPYError string

func (e NPYError) Error() string { return "nn: " + string(e) }

func npyErrorf(format string, args ...any) error { return NPYError(fmt.Sprintf(format, args...)) }

// NPYHeader is what a .npy header says about its array.
type NPYHeader struct {
	Dtype string // NumPy's descr, byte order then type: "<f4", ">f8", "|u1", "<i8"
	Shape Shape  // C order; () for a scalar, which holds one value
}

// npyDtype is a dtype ReadNPY reads: u, i or f, its size in bytes and order.
type npyDtype struct {
	kind  byte // 'u', 'i' or 'f'
	size  int  // 1, 2, 4 or 8 bytes; floats 4 or 8
	order binary.ByteOrder
}

// parseDtype accepts little- and big-endian ("<", ">") unsigned and signed
// integers of 1, 2, 4 and 8 bytes and float32/float64, and "|" (no order)
// for single bytes, as NumPy writes uint8 and int8.
func parseDtype(descr string) (npyDtype, bool) {
	if len(descr) != 3 {
		return npyDtype{}, false
	}
	d := npyDtype{kind: descr[1], size: int(descr[2] - '0'), order: binary.LittleEndian}
	switch descr[0] {
	case '<':
	case '>':
		d.order = binary.BigEndian
	case '|':
		if d.size != 1 {
			return npyDtype{}, false
		}
	default:
		return npyDtype{}, false
	}
	switch d.kind {
	case 'u', 'i':
		return d, d.size == 1 || d.size == 2 || d.size == 4 || d.size == 8
	case 'f':
		return d, d.size == 4 || d.size == 8
	}
	return npyDtype{}, false
}

// value decodes one value from b[:d.size]. Integers beyond 2^53 round to
// the nearest float64.
func (d npyDtype) value(b []byte) float64 {
	var u uint64
	switch d.size {
	case 1:
		u = uint64(b[0])
	case 2:
		u = uint64(d.order.Uint16(b))
	case 4:
		u = uint64(d.order.Uint32(b))
	default:
		u = d.order.Uint64(b)
	}
	switch {
	case d.kind == 'u':
		return float64(u)
	case d.kind == 'i':
		shift := 64 - 8*d.size // sign-extends the top bit of the value
		return float64(int64(u<<shift) >> shift)
	case d.size == 4:
		return float64(math.Float32frombits(uint32(u)))
	}
	return math.Float64frombits(u)
}

// ReadNPY reads one .npy array of at most maxValues values from r and
// returns its shape and values, converted to float64: exact for floats and
// for integers up to 2^53. Like numpy.load on an open file it stops after
// the values, so arrays saved one after another are read one call each.
// What it allocates grows with the values actually read, so a header that
// claims a large array costs nothing before its data arrives. A malformed
// or unsupported array gives an NPYError; other errors are r's.
func ReadNPY(r io.Reader, maxValues int) (Shape, []float64, error) {
	h, err := ReadNPYHeader(r)
	if err != nil {
		return nil, nil, err
	}
	n := h.Shape.Size()
	if n > maxValues {
		return nil, nil, npyErrorf("array of shape %v has %d values, more than the %d allowed", h.Shape, n, maxValues)
	}
	d, _ := parseDtype(h.Dtype) // ReadNPYHeader checked it
	vals := make([]float64, 0, min(n, npyChunk))
	for len(vals) < n {
		k := min(n-len(vals), max(len(vals), npyChunk)) // doubling
		vals = slices.Grow(vals, k)
		if err := readNPYValues(vals[len(vals):len(vals)+k], r, d); err != nil {
			return nil, nil, npyValuesError(err, h)
		}
		vals = vals[:len(vals)+k]
	}
	return h.Shape, vals, nil
}

// ReadNPYValues reads the len(dst) values that follow a .npy header of dtype
// h.Dtype from r into dst, converted to T (a float64 value rounds to the
// nearest float32). Callers that know the shape they want (ImportNPZ) check
// h.Shape, allocate dst themselves and read straight into it.
func ReadNPYValues[T float32 | float64](dst []T, r io.Reader, h NPYHeader) error {
	d, ok := parseDtype(h.Dtype)
	if !ok {
		return npyErrorf("dtype %q is not supported", h.Dtype)
	}
	if err := readNPYValues(dst, r, d); err != nil {
		return npyValuesError(err, h)
	}
	return nil
}

// npyValuesError names a short read, passing other errors through.
func npyValuesError(err error, h NPYHeader) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return npyErrorf("the array's data is truncated (shape %v, %s): %v", h.Shape, h.Dtype, io.ErrUnexpectedEOF)
	}
	return err
}

// readNPYValues reads len(dst) values of dtype d from r into dst, 4 KiB at
// a time.
func readNPYValues[T float32 | float64](dst []T, r io.Reader, d npyDtype) error {
	var buf [4096]byte
	for i := 0; i < len(dst); {
		n := min(len(dst)-i, len(buf)/d.size)
		chunk := buf[:n*d.size]
		if _, err := io.ReadFull(r, chunk); err != nil {
			return err
		}
		out := dst[i : i+n]
		if d.kind == 'f' && d.size == 4 { // weights' dtype, without value's switches
			for j := range out {
				out[j] = T(math.Float32frombits(d.order.Uint32(chunk[4*j:])))
			}
		} else {
			for j := range out {
				out[j] = T(d.value(chunk[j*d.size:]))
			}
		}
		i += n
	}
	return nil
}

// ReadNPYHeader reads a .npy file's magic, version and header from r,
// leaving r at the first value, and checks what ReadNPY supports: C order
// and a dtype parseDtype accepts. The shape has at most 2^31-1 values.
func ReadNPYHeader(r io.Reader) (NPYHeader, error) {
	var pre [12]byte
	_, err := io.ReadFull(r, pre[:10])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return NPYHeader{}, err
	}
	if string(pre[:len(npyMagic)]) != npyMagic { // also when shorter: the magic has no 0 byte
		return NPYHeader{}, NPYError("input is not a .npy file (no \\x93NUMPY magic)")
	}
	if err != nil {
		return NPYHeader{}, npyHeaderError(err)
	}
	var size int
	switch pre[6] {
	case 1:
		size = int(binary.LittleEndian.Uint16(pre[8:]))
	case 2, 3:
		if _, err := io.ReadFull(r, pre[10:12]); err != nil {
			return NPYHeader{}, npyHeaderError(err)
		}
		size = int(binary.LittleEndian.Uint32(pre[8:]))
	default:
		return NPYHeader{}, npyErrorf("unknown .npy version %d.%d", pre[6], pre[7])
	}
	if size > maxNPYHeader {
		return NPYHeader{}, npyErrorf(".npy header of %d bytes is larger than %d", size, maxNPYHeader)
	}
	header := make([]byte, size)
	if _, err := io.ReadFull(r, header); err != nil {
		return NPYHeader{}, npyHeaderError(err)
	}
	return parseNPYHeader(string(header))
}

func npyHeaderError(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return npyErrorf("truncated .npy header: %v", io.ErrUnexpectedEOF)
	}
	return err
}

// appendNPY encodes one float32 array as a version 1.0 .npy file, with the
// header NumPy 1.24 writes: sorted keys, room for the first axis to grow to
// 21 digits, padded to 64 bytes.
func appendNPY(b []byte, shape []int, data []float32) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	tuple := "(" + strings.Join(dims, ", ") + ")"
	if len(shape) == 1 {
		tuple = "(" + dims[0] + ",)"
	}
	header := "{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple + ", }"
	if len(shape) > 0 {
		header += strings.Repeat(" ", npyGrowth-len(dims[0]))
	}
	pad := npyAlign - (len(npyMagic)+4+len(header)+1)%npyAlign
	header += strings.Repeat(" ", pad) + "\n"

	b = append(b, npyMagic...)
	b = append(b, 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(header)))
	b = append(b, header...)
	for _, v := range data {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}
