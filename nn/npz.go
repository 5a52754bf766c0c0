package nn

import (
	"archive/zip"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// NumPy's .npz: a zip archive of .npy files, one per array. ExportNPZ writes
// what numpy.savez(f, *model.get_weights()) writes, so Keras reads it with
//
//	w = np.load(f); model.set_weights([w[f"arr_{i}"] for i in range(len(w.files))])
//
// The .npy format (NEP 1): the magic "\x93NUMPY", a major and minor version
// byte, the header length (uint16 little-endian in version 1, uint32 in 2
// and 3), then the header, a Python dict literal such as
// "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 3, 1, 32), }" padded
// with spaces and a newline to a multiple of 64 bytes, then the values in C
// order.

const (
	npyMagic     = "\x93NUMPY"
	maxNPYHeader = 1 << 16 // bytes; NumPy itself refuses headers over 10,000
	npyAlign     = 64      // numpy.lib.format.ARRAY_ALIGN
	npyGrowth    = 21      // numpy.lib.format.GROWTH_AXIS_MAX_DIGITS
)

// ExportNPZ writes the model's weights in Keras's get_weights() order as
// arr_0.npy, arr_1.npy, ...: float32, Keras shapes (Conv2D kernels (K, K, C,
// F), Dense (D_in, D_out), biases), C order, stored uncompressed, byte for byte
// the .npy files numpy.savez writes (NumPy 1.24), with fixed timestamps so the
// same weights give the same file.
func (m *Model) ExportNPZ(w io.Writer) error {
	zw := zip.NewWriter(w)
	for i, p := range m.Params() {
		npy := appendNPY(nil, p.Shape, p.W)
		fw, err := zw.CreateRaw(&zip.FileHeader{
			Name:               fmt.Sprintf("arr_%d.npy", i),
			Method:             zip.Store,
			CreatorVersion:     3<<8 | 20, // Unix, zip 2.0, as Python's zipfile writes
			ReaderVersion:      20,
			ModifiedDate:       1<<5 | 1,
			CRC32:              crc32.ChecksumIEEE(npy),
			CompressedSize64:   uint64(len(npy)),
			UncompressedSize64: uint64(len(npy)),
		})
		if err != nil {
			return err
		}
		if _, err := fw.Write(npy); err != nil {
			return err
		}
	}
	return zw.Close()
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

// ImportNPZ reads weights from a .npz of size bytes into m. It takes the
// arrays in get_weights() order: by the number N of arr_N names when every
// entry is named so (numpy.savez(f, *weights)), otherwise in the archive's
// order (as list(np.load(f).values()) gives them). Arrays may be float32 or
// float64 (converted), in C order, and must have the parameters' Keras
// shapes. Every array is read and checked before the first weight is
// written, so on any error m is unchanged. A malformed file gives a
// FormatError; arrays that do not fit m give an error naming the layer.
func (m *Model) ImportNPZ(r io.ReaderAt, size int64) error {
	// A SectionReader turns reads outside the file, where a corrupt archive
	// may point, into io.EOF: a FormatError, not an I/O error.
	zr, err := zip.NewReader(io.NewSectionReader(r, 0, size), size)
	if err != nil {
		return npzError("", err)
	}
	files, err := npzOrder(zr.File)
	if err != nil {
		return err
	}
	type target struct {
		layer int
		name  string
		p     *Param
	}
	var targets []target
	for i, l := range m.Layers {
		for _, p := range l.Params() {
			targets = append(targets, target{i + 1, l.Spec().Name, p})
		}
	}
	if len(files) != len(targets) {
		return fmt.Errorf("nn: npz has %d arrays, the model %d weight arrays", len(files), len(targets))
	}
	scratch := make([][]float32, len(files))
	for i, f := range files {
		t := targets[i]
		if scratch[i], err = readNPY(f, t.p.Shape); err != nil {
			var shapeErr npyShapeError
			if errors.As(err, &shapeErr) {
				return fmt.Errorf("nn: npz %s is %v, layer %d (%s) %s is %v",
					strings.TrimSuffix(f.Name, ".npy"), Shape(shapeErr), t.layer, t.name, t.p.Name, Shape(t.p.Shape))
			}
			return err
		}
	}
	for i, t := range targets {
		copy(t.p.W, scratch[i])
	}
	return nil
}

// npyError is a malformed .npy entry; ImportNPZ reports it as a FormatError.
type npyError string

func (e npyError) Error() string { return string(e) }

// npzError turns the zip package's complaints and malformed entries into
// FormatErrors, naming the entry if there is one, and passes I/O errors
// through.
func npzError(entry string, err error) error {
	var ce flate.CorruptInputError
	var ne npyError
	if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrAlgorithm) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.As(err, &ce) || errors.As(err, &ne) {
		if entry == "" {
			return formatErrorf("npz: %v", err)
		}
		return formatErrorf("npz: %s: %v", entry, err)
	}
	if entry == "" {
		return fmt.Errorf("nn: npz: %w", err)
	}
	return fmt.Errorf("nn: npz %s: %w", entry, err)
}

// npzOrder puts the archive's entries in get_weights() order.
func npzOrder(files []*zip.File) ([]*zip.File, error) {
	numbered := make([]*zip.File, len(files))
	for _, f := range files {
		if !strings.HasSuffix(f.Name, ".npy") {
			return nil, formatErrorf("npz: entry %q is not a .npy array", f.Name)
		}
		digits, ok := strings.CutPrefix(strings.TrimSuffix(f.Name, ".npy"), "arr_")
		n, err := strconv.Atoi(digits)
		if numbered != nil && (!ok || err != nil || n < 0 || n >= len(files) || numbered[n] != nil || strconv.Itoa(n) != digits) {
			numbered = nil
		}
		if numbered != nil {
			numbered[n] = f
		}
	}
	if numbered != nil {
		return numbered, nil
	}
	return files, nil
}

// npyShapeError is the shape of an array that differs from the one expected.
type npyShapeError []int

func (e npyShapeError) Error() string { return "npy shape " + Shape(e).String() }

// readNPY decodes one .npy entry that must have the given shape.
func readNPY(f *zip.File, want []int) ([]float32, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, npzError(f.Name, err)
	}
	defer rc.Close()
	descr, shape, err := readNPYHeader(rc)
	if err != nil {
		return nil, npzError(f.Name, err)
	}
	if !Shape(shape).Equal(want) {
		return nil, npyShapeError(shape)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if descr[0] == '>' {
		order = binary.BigEndian
	}
	size := 4
	if descr[2] == '8' {
		size = 8
	}
	out := make([]float32, Shape(want).Size())
	var buf [4096]byte
	for i := 0; i < len(out); {
		n := min(len(out)-i, len(buf)/size)
		chunk := buf[:n*size]
		if _, err := io.ReadFull(rc, chunk); err != nil {
			return nil, npzError(f.Name, fmt.Errorf("values: %w", noEOF(err)))
		}
		for j := range n {
			if size == 4 {
				out[i+j] = math.Float32frombits(order.Uint32(chunk[4*j:]))
			} else {
				out[i+j] = float32(math.Float64frombits(order.Uint64(chunk[8*j:])))
			}
		}
		i += n
	}
	// Reading to the end makes the zip reader verify the entry's CRC-32.
	if n, err := rc.Read(buf[:1]); n > 0 {
		return nil, npzError(f.Name, npyError("data after the array's values"))
	} else if err != io.EOF {
		return nil, npzError(f.Name, err)
	}
	return out, nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readNPYHeader reads a .npy header and returns its float dtype and shape.
func readNPYHeader(r io.Reader) (descr string, shape []int, err error) {
	var pre [12]byte
	if _, err := io.ReadFull(r, pre[:10]); err != nil {
		return "", nil, noEOF(err)
	}
	if string(pre[:6]) != npyMagic {
		return "", nil, npyError("not a .npy array (wrong magic)")
	}
	var n int
	switch pre[6] {
	case 1:
		n = int(binary.LittleEndian.Uint16(pre[8:]))
	case 2, 3:
		if _, err := io.ReadFull(r, pre[10:12]); err != nil {
			return "", nil, noEOF(err)
		}
		n = int(binary.LittleEndian.Uint32(pre[8:]))
	default:
		return "", nil, npyError(fmt.Sprintf("unknown .npy version %d.%d", pre[6], pre[7]))
	}
	if n > maxNPYHeader {
		return "", nil, npyError(fmt.Sprintf(".npy header of %d bytes is larger than %d", n, maxNPYHeader))
	}
	header := make([]byte, n)
	if _, err := io.ReadFull(r, header); err != nil {
		return "", nil, noEOF(err)
	}
	return parseNPYHeader(string(header))
}

// parseNPYHeader parses the Python dict literal of a .npy header, e.g.
// "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }".
func parseNPYHeader(h string) (descr string, shape []int, err error) {
	p := &pyParser{s: h}
	seen := map[string]bool{}
	p.expect('{')
	for p.err == nil && !p.accept('}') {
		key := p.str()
		p.expect(':')
		if seen[key] {
			p.fail("key %q twice", key)
		}
		seen[key] = true
		switch key {
		case "descr":
			descr = p.str()
			if p.err == nil && !slices.Contains([]string{"<f4", "<f8", ">f4", ">f8"}, descr) {
				p.fail("dtype %q is not float32 or float64", descr)
			}
		case "fortran_order":
			if p.word() != "False" && p.err == nil {
				p.fail("arrays in Fortran order are not supported; save them in C order")
			}
		case "shape":
			shape = p.tuple()
		default:
			p.fail("unknown key %q", key)
		}
		if !p.accept(',') {
			p.expect('}')
			break
		}
	}
	p.space()
	if p.err == nil && p.i != len(p.s) {
		p.fail("unexpected %q after the dict", p.s[p.i:])
	}
	if p.err == nil && len(seen) != 3 {
		p.fail("want the keys descr, fortran_order and shape")
	}
	if p.err != nil {
		return "", nil, p.err
	}
	return descr, shape, nil
}

// pyParser reads the few Python literals a .npy header uses; the first
// problem sticks in err.
type pyParser struct {
	s   string
	i   int
	err error
}

func (p *pyParser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = npyError(".npy header: " + fmt.Sprintf(format, args...))
	}
}

func (p *pyParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyParser) accept(c byte) bool {
	p.space()
	if p.err == nil && p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *pyParser) expect(c byte) {
	if !p.accept(c) {
		p.fail("want %q at offset %d", c, p.i)
	}
}

// str reads a quoted string without escapes.
func (p *pyParser) str() string {
	p.space()
	if p.err != nil || p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		p.fail("want a string at offset %d", p.i)
		return ""
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		p.fail("unterminated string")
		return ""
	}
	s := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return s
}

// word reads a run of letters, digits and underscores.
func (p *pyParser) word() string {
	p.space()
	start := p.i
	for p.i < len(p.s) && (p.s[p.i] == '_' || p.s[p.i] >= '0' && p.s[p.i] <= '9' ||
		p.s[p.i] >= 'a' && p.s[p.i] <= 'z' || p.s[p.i] >= 'A' && p.s[p.i] <= 'Z') {
		p.i++
	}
	return p.s[start:p.i]
}

// tuple reads a tuple of non-negative ints: "()", "(3,)", "(3, 2)". An int
// may carry Python 2's L suffix.
func (p *pyParser) tuple() []int {
	p.expect('(')
	shape := []int{}
	size, comma := 1, false
	for p.err == nil && !p.accept(')') {
		w := strings.TrimSuffix(p.word(), "L")
		d, err := strconv.Atoi(w)
		if err != nil || d < 0 || d > math.MaxInt32 {
			p.fail("bad dimension %q", w)
			return nil
		}
		if size *= d; size > math.MaxInt32 {
			p.fail("shape has more than %d values", math.MaxInt32)
			return nil
		}
		shape = append(shape, d)
		if comma = p.accept(','); !comma {
			p.expect(')')
			break
		}
	}
	if len(shape) == 1 && !comma {
		// (3) is an int in Python, not a tuple; NumPy writes (3,).
		p.fail("shape (%d) is not a tuple", shape[0])
	}
	return shape
}
