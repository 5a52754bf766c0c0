package nn

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
)

// NumPy's .npz: a zip archive of .npy files, one per array. ExportNPZ writes
// what numpy.savez(f, *model.get_weights()) writes, so Keras reads it with
//
//	w = np.load(f); model.set_weights([w[f"arr_{i}"] for i in range(len(w.files))])
//
// The single-array .npy codec is in npy.go.

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

// ImportNPZ reads weights from a .npz of size bytes into m. It takes the
// arrays in get_weights() order: by the number N of arr_N names when every
// entry is named so (numpy.savez(f, *weights)), otherwise in the archive's
// order (as list(np.load(f).values()) gives them). Arrays may have any
// dtype ReadNPY reads (float32, float64 or integers, converted), in C order,
// and must have the parameters' Keras shapes. Every array is read and checked before the first weight is
// written, so on any error m is unchanged. A malformed file gives a
// FormatError; arrays that do not fit m give an error naming the layer; a
// value that is NaN or infinite as float32 gives a ModelError.
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
		if scratch[i], err = readNPZEntry(f, t.p.Shape); err != nil {
			var shapeErr npyShapeError
			if errors.As(err, &shapeErr) {
				return fmt.Errorf("nn: npz %s is %v, layer %d (%s) %s is %v",
					strings.TrimSuffix(f.Name, ".npy"), Shape(shapeErr), t.layer, t.name, t.p.Name, Shape(t.p.Shape))
			}
			return err
		}
		if j := firstNonFinite(scratch[i]); j >= 0 { // NaN or Inf in the file, or a float64 beyond float32's range
			what := fmt.Sprintf("layer %d (%s) %s (npz %s)", t.layer, t.name, t.p.Name, strings.TrimSuffix(f.Name, ".npy"))
			return notFinite(what, scratch[i][j], j, len(scratch[i]))
		}
	}
	for i, t := range targets {
		copy(t.p.W, scratch[i])
	}
	return nil
}

// npzError turns the zip package's complaints and malformed entries into
// FormatErrors, naming the entry if there is one, and passes I/O errors
// through.
func npzError(entry string, err error) error {
	var ce flate.CorruptInputError
	var ne NPYError
	if errors.As(err, &ne) {
		return formatErrorf("npz: %s: %s", entry, string(ne))
	}
	if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrAlgorithm) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.As(err, &ce) {
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

// readNPZEntry decodes one .npy entry that must have the given shape, into
// a slice of that size: what it allocates is bounded by the model, never by
// the file's header.
func readNPZEntry(f *zip.File, want Shape) ([]float32, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, npzError(f.Name, err)
	}
	defer rc.Close()
	h, err := ReadNPYHeader(rc)
	if err != nil {
		return nil, npzError(f.Name, err)
	}
	if !h.Shape.Equal(want) {
		return nil, npyShapeError(h.Shape)
	}
	out := make([]float32, want.Size())
	if err := ReadNPYValues(out, rc, h); err != nil {
		return nil, npzError(f.Name, err)
	}
	// Reading to the end makes the zip reader verify the entry's CRC-32.
	var b [1]byte
	if n, err := rc.Read(b[:]); n > 0 {
		return nil, npzError(f.Name, NPYError("data after the array's values"))
	} else if err != io.EOF {
		return nil, npzError(f.Name, err)
	}
	return out, nil
}
