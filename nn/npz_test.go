package nn

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// denseSpec is the model of the NumPy fixtures: (3) -> Dense 2 -> Dense 1,
// weights (3, 2), (2), (2, 1), (1).
func denseSpec(units int) ModelSpec {
	return ModelSpec{Input: []int{3}, Layers: []LayerSpec{
		{Type: "Dense", Units: units, Activation: "relu"}, {Type: "Dense", Units: 1},
	}}
}

func exportT(t testing.TB, m *Model) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, m.ExportNPZ(&buf))
	return buf.Bytes()
}

func importT(m *Model, b []byte) error { return m.ImportNPZ(bytes.NewReader(b), int64(len(b))) }

// zipT writes a zip of the named entries, in order, optionally compressed.
func zipT(t testing.TB, method uint16, entries ...string) func(contents ...[]byte) []byte {
	return func(contents ...[]byte) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for i, name := range entries {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
			require.NoError(t, err)
			_, err = w.Write(contents[i])
			require.NoError(t, err)
		}
		require.NoError(t, zw.Close())
		return buf.Bytes()
	}
}

// TestExportNPZGolden compares ExportNPZ with a file that
// testdata/check_go_npz.py confirmed is what numpy.savez writes.
func TestExportNPZGolden(t *testing.T) {
	const path = "testdata/go_export.npz"
	m := buildT(t, denseSpec(2), 1)
	for i, p := range m.Params() {
		for j := range p.W {
			p.W[j] = float32(j)*0.5 - float32(i)
		}
	}
	got := exportT(t, m)
	if *updateWeights {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	other := buildT(t, denseSpec(2), 2)
	require.NoError(t, importT(other, got))
	assert.Equal(t, weightBits(m), weightBits(other))
}

// TestImportNPZNumpy loads fixtures written by numpy (testdata/make_npz.py):
// float32, float64 and big-endian arrays, positional and named, stored and
// deflated.
func TestImportNPZNumpy(t *testing.T) {
	want := [][]float32{
		{-2.5 / 4, -1.5 / 4, -0.5 / 4, 0.5 / 4, 1.5 / 4, 2.5 / 4},
		{0.5, -0.25},
		{1.5, -2},
		{0.125},
	}
	for _, name := range []string{"numpy_savez.npz", "numpy_named.npz"} {
		t.Run(name, func(t *testing.T) {
			file, err := os.ReadFile("testdata/" + name)
			require.NoError(t, err)
			m := buildT(t, denseSpec(2), 1)
			require.NoError(t, importT(m, file))
			for i, p := range m.Params() {
				assert.Equal(t, want[i], p.W, "array %d", i)
			}
		})
	}
}

// TestImportNPZDtypes: any dtype ReadNPY reads loads, converted to
// float32: integers of both signs and byte orders, float64 rounded once.
func TestImportNPZDtypes(t *testing.T) {
	m := buildT(t, denseSpec(2), 1)
	file := zipT(t, zip.Deflate, "arr_0.npy", "arr_1.npy", "arr_2.npy", "arr_3.npy")(
		npyT("|i1", "False", "(3, 2)", []byte{0x80, 0xff, 0, 1, 2, 0x7f}),
		npyT(">u2", "False", "(2,)", []byte{0x01, 0x02, 0xff, 0xff}),
		npyT("<i8", "False", "(2, 1)", []byte{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 3, 0, 0, 0, 0, 0, 0, 0}),
		npyT("<f8", "False", "(1,)", []byte{0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f}), // 0.1
	)
	require.NoError(t, importT(m, file))
	want := [][]float32{{-128, -1, 0, 1, 2, 127}, {258, 65535}, {-2, 3}, {0.1}}
	for i, p := range m.Params() {
		assert.Equal(t, want[i], p.W, "array %d", i)
	}
}

func TestNPZOrder(t *testing.T) {
	arrays := [][]float32{{1, 2, 3, 4, 5, 6}, {7, 8}, {9, 10}, {11}}
	shapes := [][]int{{3, 2}, {2}, {2, 1}, {1}}
	npy := func(order ...int) [][]byte {
		var out [][]byte
		for _, i := range order {
			out = append(out, appendNPY(nil, shapes[i], arrays[i]))
		}
		return out
	}
	tests := []struct {
		name    string
		entries []string
		order   []int // which array each entry holds
	}{
		{"arr_N shuffled", []string{"arr_2.npy", "arr_0.npy", "arr_3.npy", "arr_1.npy"}, []int{2, 0, 3, 1}},
		{"names in file order", []string{"z.npy", "y.npy", "x.npy", "w.npy"}, []int{0, 1, 2, 3}},
		{"arr_N and a name", []string{"arr_0.npy", "arr_1.npy", "arr_3.npy", "kernel.npy"}, []int{0, 1, 2, 3}},
		{"arr_N with a gap", []string{"arr_3.npy", "arr_0.npy", "arr_1.npy", "arr_4.npy"}, []int{0, 1, 2, 3}},
		{"arr_01 is a name", []string{"arr_1.npy", "arr_01.npy", "arr_2.npy", "arr_3.npy"}, []int{0, 1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := buildT(t, denseSpec(2), 1)
			require.NoError(t, importT(m, zipT(t, zip.Store, tt.entries...)(npy(tt.order...)...)))
			for i, p := range m.Params() {
				assert.Equal(t, arrays[i], p.W, "param %d", i)
			}
		})
	}
	t.Run("arr_10 after arr_9", func(t *testing.T) {
		spec := ModelSpec{Input: []int{1}}
		for range 11 {
			spec.Layers = append(spec.Layers, LayerSpec{Type: "testScale", NoBias: true})
		}
		m := buildT(t, spec, 1)
		var names []string
		var contents [][]byte
		for _, i := range []int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0} {
			names = append(names, fmt.Sprintf("arr_%d.npy", i))
			contents = append(contents, appendNPY(nil, []int{1}, []float32{float32(i)}))
		}
		require.NoError(t, importT(m, zipT(t, zip.Deflate, names...)(contents...)))
		for i, p := range m.Params() {
			assert.Equal(t, []float32{float32(i)}, p.W)
		}
	})
}

func TestImportNPZErrors(t *testing.T) {
	good := exportT(t, buildT(t, denseSpec(2), 1))
	fortran, err := os.ReadFile("testdata/numpy_fortran.npz")
	require.NoError(t, err)
	entries := zipT(t, zip.Store, "arr_0.npy", "arr_1.npy", "arr_2.npy", "arr_3.npy")
	npys := func(edit func(i int, b []byte) []byte) [][]byte {
		var out [][]byte
		for i, s := range [][]int{{3, 2}, {2}, {2, 1}, {1}} {
			out = append(out, edit(i, appendNPY(nil, s, make([]float32, Shape(s).Size()))))
		}
		return out
	}
	edit0 := func(f func(b []byte) []byte) []byte {
		return entries(npys(func(i int, b []byte) []byte {
			if i == 0 {
				return f(b)
			}
			return b
		})...)
	}
	flipped := append([]byte(nil), good...)
	flipped[bytes.Index(flipped, []byte("\x93NUMPY"))+140] ^= 1 // a value of arr_0

	tests := []struct {
		name   string
		file   []byte
		format bool
		msg    string
	}{
		{"not a zip", []byte("hello, world"), true, "npz: zip: not a valid zip file"},
		{"empty", nil, true, "npz: zip: not a valid zip file"},
		{"truncated", good[:len(good)/2], true, "npz: zip: not a valid zip file"},
		{"flipped value", flipped, true, "npz: arr_0.npy: zip: checksum error"},
		{"fortran order", fortran, true, "nn: invalid weights file: npz: arr_0.npy: .npy header: Fortran-order arrays are not supported"},
		{"not npy", zipT(t, zip.Store, "arr_0.txt")([]byte("x")), true, `npz: entry "arr_0.txt" is not a .npy array`},
		{"wrong magic", edit0(func(b []byte) []byte { b[1] = 'n'; return b }), true, "arr_0.npy: input is not a .npy file (no \\x93NUMPY magic)"},
		{"npy version 4", edit0(func(b []byte) []byte { b[6] = 4; return b }), true, "unknown .npy version 4.0"},
		{"huge header", edit0(func(b []byte) []byte { b[6] = 2; return b }), true, "larger than 65536"},
		{"short header", edit0(func(b []byte) []byte { return b[:9] }), true, "arr_0.npy: truncated .npy header: unexpected EOF"},
		{"short values", edit0(func(b []byte) []byte { return b[:len(b)-1] }), true, "arr_0.npy: the array's data is truncated (shape (3, 2), <f4): unexpected EOF"},
		{"extra value", edit0(func(b []byte) []byte { return append(b, 0, 0, 0, 0) }), true, "arr_0.npy: data after the array's values"},
		{"too few arrays", zipT(t, zip.Store, "arr_0.npy")(appendNPY(nil, []int{3, 2}, make([]float32, 6))), false,
			"nn: npz has 1 arrays, the model 4 weight arrays"},
		{"too many arrays", exportT(t, buildT(t, ModelSpec{Input: []int{3}, Layers: []LayerSpec{{Type: "Dense", Units: 2}, {Type: "Dense", Units: 1}, {Type: "Dense", Units: 1}}}, 1)),
			false, "nn: npz has 6 arrays, the model 4 weight arrays"},
		{"different shape", exportT(t, buildT(t, denseSpec(3), 1)), false, "nn: npz arr_0 is (3, 3), layer 1 (dense) kernel is (3, 2)"},
		{"different later shape", entries(npys(func(i int, b []byte) []byte {
			if i == 3 {
				return appendNPY(nil, []int{1, 1}, []float32{0})
			}
			return b
		})...), false, "nn: npz arr_3 is (1, 1), layer 2 (dense_1) bias is (1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := buildT(t, denseSpec(2), 3)
			before := weightBits(m)
			err := importT(m, tt.file)
			require.Error(t, err)
			var fe FormatError
			assert.Equal(t, tt.format, errors.As(err, &fe), "FormatError? %v", err)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Equal(t, before, weightBits(m), "the model is untouched")
		})
	}
}

// TestImportNPZTruncated cuts the export at every length.
func TestImportNPZTruncated(t *testing.T) {
	good := exportT(t, buildT(t, denseSpec(2), 1))
	m := buildT(t, denseSpec(2), 3)
	before := weightBits(m)
	for n := range len(good) {
		err := importT(m, good[:n])
		var fe FormatError
		require.ErrorAs(t, err, &fe, "length %d", n)
		require.Equal(t, before, weightBits(m))
	}
}

// npzMismatch matches ImportNPZ's errors for a well-formed file that does
// not fit the model.
var npzMismatch = regexp.MustCompile(`^nn: npz (has \d+ arrays, the model \d+ weight arrays|.* is \(.*\), layer \d+ \(.*\) \w+ is \(.*\))$`)

// FuzzImportNPZ imports arbitrary bytes into a fixed model: nothing may
// panic or allocate much; errors are FormatErrors, ModelErrors (a weight
// that is not finite) or name the layer; a failed import leaves the model
// untouched; what imports exports and imports again to the same weights.
// The seeds include the hostile .npz files of hostile_test.go (for
// SmallSpec) and a NaN for this model.
func FuzzImportNPZ(f *testing.F) {
	for _, name := range []string{"go_export.npz", "numpy_savez.npz", "numpy_named.npz", "numpy_fortran.npz"} {
		seed, err := os.ReadFile("testdata/" + name)
		require.NoError(f, err)
		f.Add(seed)
		f.Add(seed[:len(seed)-30])
	}
	for _, seed := range hostileSeeds(f, ".npz") {
		f.Add(seed)
	}
	nan := buildT(f, denseSpec(2), 3)
	nan.Params()[1].W[1] = float32(math.NaN())
	f.Add(exportT(f, nan))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := buildT(t, denseSpec(2), 3)
		before := weightBits(m)
		var err error
		if n := allocated(func() { err = importT(m, data) }); n > allocBound(len(data)) {
			t.Fatalf("importing %d bytes allocated %d", len(data), n)
		}
		if err != nil {
			var fe FormatError
			var me ModelError
			if !errors.As(err, &fe) && !errors.As(err, &me) && !npzMismatch.MatchString(err.Error()) {
				t.Fatalf("error is neither a FormatError, a ModelError nor a mismatch: %v", err)
			}
			require.Equal(t, before, weightBits(m), "a failed import leaves the model untouched")
			return
		}
		again := buildT(t, denseSpec(2), 4)
		require.NoError(t, importT(again, exportT(t, m)))
		require.Equal(t, weightBits(m), weightBits(again))
	})
}

type failingReaderAt struct{ err error }

func (r failingReaderAt) ReadAt([]byte, int64) (int, error) { return 0, r.err }

func TestImportNPZIOError(t *testing.T) {
	boom := errors.New("disk on fire")
	m := buildT(t, denseSpec(2), 3)
	err := m.ImportNPZ(failingReaderAt{boom}, 1000)
	require.ErrorIs(t, err, boom)
	var fe FormatError
	assert.False(t, errors.As(err, &fe), "an I/O error is not a FormatError")
}

// BenchmarkImportNPZ imports the reference model's 435,306 weights from
// the .npz ExportNPZ writes; SetBytes is the file's size.
func BenchmarkImportNPZ(b *testing.B) {
	spec, err := Preset("reference")
	require.NoError(b, err)
	m := buildT(b, spec, 1)
	file := exportT(b, m)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		if err := importT(m, file); err != nil {
			b.Fatal(err)
		}
	}
}
