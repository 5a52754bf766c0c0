package nn

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// npyT is a version 1.0 .npy file with the given header fields and raw
// values, padded as NumPy pads it.
func npyT(descr, fortran, shape string, raw []byte) []byte {
	h := "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }"
	h += strings.Repeat(" ", 63-(10+len(h))%64) + "\n"
	b := append([]byte(npyMagic), 1, 0, byte(len(h)), byte(len(h)>>8))
	return append(append(b, h...), raw...)
}

func readNPYT(b []byte) (Shape, []float64, error) { return ReadNPY(bytes.NewReader(b), 1<<20) }

// TestReadNPYDtypes decodes every dtype from hand-written bytes, with the
// awkward values: the sign bit of each integer width, big-endian order,
// negative zero, infinities and NaN.
func TestReadNPYDtypes(t *testing.T) {
	nan := math.Float64frombits(0x7ff8000000000001)
	tests := []struct {
		descr string
		raw   []byte
		want  []float64
	}{
		{"|u1", []byte{0, 1, 128, 255}, []float64{0, 1, 128, 255}},
		{"<u1", []byte{255}, []float64{255}},
		{">u1", []byte{255}, []float64{255}},
		{"|i1", []byte{0x80, 0xff, 0, 0x7f}, []float64{-128, -1, 0, 127}},
		{"<u2", []byte{0x02, 0x01, 0xff, 0xff}, []float64{258, 65535}},
		{">u2", []byte{0x01, 0x02, 0xff, 0xfe}, []float64{258, 65534}},
		{"<i2", []byte{0x00, 0x80, 0xff, 0xff, 0xff, 0x7f}, []float64{-32768, -1, 32767}},
		{">i2", []byte{0x80, 0x00, 0xff, 0xfe}, []float64{-32768, -2}},
		{"<u4", []byte{4, 3, 2, 1, 0xff, 0xff, 0xff, 0xff}, []float64{0x01020304, 4294967295}},
		{">i4", []byte{0x80, 0, 0, 0, 1, 2, 3, 4}, []float64{-2147483648, 0x01020304}},
		{"<i4", []byte{0xfe, 0xff, 0xff, 0xff}, []float64{-2}},
		{"<u8", []byte{0, 0, 0, 0, 0, 0, 0, 0x80}, []float64{1 << 63}},
		{"<i8", []byte{0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, []float64{-(1 << 63), -1}},
		{">i8", []byte{0, 0x20, 0, 0, 0, 0, 0, 1}, []float64{1<<53 + 1}}, // 2^53+1 rounds to 2^53, as in NumPy
		{"<f4", []byte{0, 0, 0xc0, 0x3f, 0, 0, 0, 0x80, 0, 0, 0x80, 0xff}, []float64{1.5, math.Copysign(0, -1), math.Inf(-1)}},
		{">f4", []byte{0x3f, 0xc0, 0, 0}, []float64{1.5}},
		{"<f8", []byte{1, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f}, []float64{nan, 0.1}},
		{">f8", []byte{0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a}, []float64{0.1}},
	}
	for _, tt := range tests {
		t.Run(tt.descr, func(t *testing.T) {
			d, ok := parseDtype(tt.descr)
			require.True(t, ok)
			shape := Shape{len(tt.raw) / d.size}
			file := npyT(tt.descr, "False", "("+strings.Trim(shape.String(), "()")+",)", tt.raw)
			got, vals, err := readNPYT(file)
			require.NoError(t, err)
			assert.Equal(t, shape, got)
			assert.Equal(t, bitsOf(tt.want), bitsOf(vals))

			// The float32 path: the same values, rounded once.
			h, err := ReadNPYHeader(bytes.NewReader(file))
			require.NoError(t, err)
			r := bytes.NewReader(file[len(file)-len(tt.raw):])
			f32 := make([]float32, len(tt.want))
			require.NoError(t, ReadNPYValues(f32, r, h))
			for i, v := range tt.want {
				assert.Equal(t, math.Float32bits(float32(v)), math.Float32bits(f32[i]), "value %d", i)
			}
		})
	}
}

func bitsOf(v []float64) []uint64 {
	out := make([]uint64, len(v))
	for i, x := range v {
		out[i] = math.Float64bits(x)
	}
	return out
}

// TestReadNPYNumpy reads the arrays testdata/make_npy.py saved with NumPy.
func TestReadNPYNumpy(t *testing.T) {
	ints := map[string][]float64{
		"u1": {0, 1, 128, 255},
		"i1": {-128, -1, 0, 127},
		"u2": {0, 1, 258, 65535},
		"i2": {-32768, -1, 258, 32767},
		"u4": {0, 1, 16909060, 4294967295},
		"i4": {-2147483648, -1, 16909060, 2147483647},
		"u8": {0, 1, 1 << 53, 1<<64 - 1<<11},
		"i8": {-(1 << 63), -1, 1 << 53, 1 << 62},
		"f4": {-0.5, 1, 3.25, -1024.125},
		"f8": {-0.5, 1, 3.25, -1024.125},
	}
	for typ, want := range ints {
		for _, order := range []string{"le", "be"} {
			name := order + "_" + typ + ".npy"
			if order == "be" && typ[1] == '1' {
				continue // single bytes have no byte order
			}
			t.Run(name, func(t *testing.T) {
				b, err := os.ReadFile(filepath.Join("testdata", "npy", name))
				require.NoError(t, err)
				shape, vals, err := readNPYT(b)
				require.NoError(t, err)
				assert.Equal(t, Shape{2, 2}, shape)
				assert.Equal(t, want, vals)
			})
		}
	}
	others := []struct {
		name  string
		shape Shape
		want  []float64
	}{
		{"scalar.npy", Shape{}, []float64{7.5}},
		{"empty.npy", Shape{0, 3}, []float64{}},
		{"v2.npy", Shape{1, 2, 3}, []float64{0, 1, 2, 3, 4, 5}},
	}
	for _, tt := range others {
		t.Run(tt.name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "npy", tt.name))
			require.NoError(t, err)
			shape, vals, err := readNPYT(b)
			require.NoError(t, err)
			assert.Equal(t, tt.shape, shape)
			assert.Equal(t, tt.want, vals)
		})
	}
	t.Run("two arrays saved one after the other", func(t *testing.T) {
		b, err := os.ReadFile("testdata/npy/two.npy")
		require.NoError(t, err)
		r := bytes.NewReader(b)
		shape, vals, err := ReadNPY(r, 3)
		require.NoError(t, err)
		assert.Equal(t, Shape{3}, shape)
		assert.Equal(t, []float64{1, 2, 3}, vals)
		shape, vals, err = ReadNPY(r, 3)
		require.NoError(t, err)
		assert.Equal(t, Shape{1, 1}, shape)
		assert.Equal(t, []float64{0.25}, vals)
		_, _, err = ReadNPY(r, 3)
		assert.EqualError(t, err, `nn: input is not a .npy file (no \x93NUMPY magic)`)
	})
}

func TestReadNPYErrors(t *testing.T) {
	good := npyT("<f4", "False", "(2,)", make([]byte, 8))
	v2 := append([]byte(npyMagic), 2, 0, 0, 0, 2, 0)
	tests := []struct {
		name string
		file []byte
		max  int
		err  string
	}{
		{"empty", nil, 10, `nn: input is not a .npy file (no \x93NUMPY magic)`},
		{"short magic", []byte("\x93NUM"), 10, "not a .npy file"},
		{"wrong magic", []byte("\x93NUMPZ\x01\x00"), 10, "not a .npy file"},
		{"version 4", append([]byte(npyMagic), 4, 0, 0, 0), 10, "nn: unknown .npy version 4.0"},
		{"no header length", []byte(npyMagic + "\x01\x00\x10"), 10, "nn: truncated .npy header: unexpected EOF"},
		{"v2 short length", append([]byte(npyMagic), 2, 0, 0, 0), 10, "nn: truncated .npy header"},
		{"v2 huge header", append(v2, 0), 10, "nn: .npy header of 131072 bytes is larger than 65536"},
		{"short header", good[:40], 10, "nn: truncated .npy header"},
		{"fortran", npyT("<f4", "True", "(2,)", make([]byte, 8)), 10,
			"nn: .npy header: Fortran-order arrays are not supported; save in C order (np.ascontiguousarray)"},
		{"complex", npyT("<c8", "False", "(2,)", make([]byte, 16)), 10, `nn: .npy header: dtype "<c8" is not supported (want integers, float32 or float64)`},
		{"float16", npyT("<f2", "False", "(2,)", make([]byte, 4)), 10, `dtype "<f2" is not supported`},
		{"bool", npyT("|b1", "False", "(2,)", make([]byte, 2)), 10, `dtype "|b1" is not supported`},
		{"unordered int16", npyT("|i2", "False", "(2,)", make([]byte, 4)), 10, `dtype "|i2" is not supported`},
		{"native order", npyT("=f4", "False", "(2,)", make([]byte, 8)), 10, `dtype "=f4" is not supported`},
		{"too many values", npyT("|u1", "False", "(3, 4)", make([]byte, 12)), 11, "nn: array of shape (3, 4) has 12 values, more than the 11 allowed"},
		{"no values", good[:len(good)-8], 10, "nn: the array's data is truncated (shape (2), <f4): unexpected EOF"},
		{"short values", good[:len(good)-1], 10, "the array's data is truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ReadNPY(bytes.NewReader(tt.file), tt.max)
			var ne NPYError
			require.ErrorAs(t, err, &ne)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
	t.Run("exactly the allowed values", func(t *testing.T) {
		shape, vals, err := ReadNPY(bytes.NewReader(npyT("|u1", "False", "(3, 4)", make([]byte, 12))), 12)
		require.NoError(t, err)
		assert.Equal(t, Shape{3, 4}, shape)
		assert.Len(t, vals, 12)
	})
	t.Run("trailing data is left unread", func(t *testing.T) {
		r := bytes.NewReader(append(append([]byte(nil), good...), "tail"...))
		_, _, err := ReadNPY(r, 10)
		require.NoError(t, err)
		rest, _ := io.ReadAll(r)
		assert.Equal(t, "tail", string(rest))
	})
}

// TestReadNPYIOError: r's own errors pass through, not as NPYErrors.
func TestReadNPYIOError(t *testing.T) {
	boom := errors.New("disk on fire")
	good := npyT("<f4", "False", "(2,)", make([]byte, 8))
	for _, n := range []int{0, 8, 20, len(good) - 4} {
		_, _, err := ReadNPY(io.MultiReader(bytes.NewReader(good[:n]), iotestErrReader{boom}), 10)
		require.ErrorIs(t, err, boom, "after %d bytes", n)
		var ne NPYError
		assert.False(t, errors.As(err, &ne))
	}
}

type iotestErrReader struct{ err error }

func (r iotestErrReader) Read([]byte) (int, error) { return 0, r.err }

// TestReadNPYAllocation: a header that claims 2^31-1 values over 8 bytes
// of data costs what the data does, not 16 GiB.
func TestReadNPYAllocation(t *testing.T) {
	file := npyT("<f8", "False", "(2147483647,)", make([]byte, 8))
	var err error
	n := allocated(func() { _, _, err = ReadNPY(bytes.NewReader(file), math.MaxInt32) })
	assert.ErrorContains(t, err, "the array's data is truncated")
	assert.Less(t, n, uint64(1<<20), "bytes allocated")
}

func TestParseNPYHeader(t *testing.T) {
	tests := []struct {
		header string
		dtype  string
		shape  Shape
		err    string
	}{
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }   \n", "<f4", Shape{3, 2}, ""},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (7,), }", "<f8", Shape{7}, ""},
		{`{"shape": (), "descr": ">f4", "fortran_order": False}`, ">f4", Shape{}, ""},
		{"{'descr':'|u1','fortran_order':False,'shape':(2L,3L)}", "|u1", Shape{2, 3}, ""},
		{"{'descr': '>i8', 'fortran_order': False, 'shape': (0, 5), }", ">i8", Shape{0, 5}, ""},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (7), }", "", nil, "shape (7) is not a tuple"},
		{"{'descr': '<f4', 'fortran_order': True, 'shape': (3, 2), }", "", nil, "Fortran-order arrays are not supported"},
		{"{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }", "", nil, `dtype "<c8" is not supported`},
		{"{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", "", nil, `dtype "<f2"`},
		{"{'descr': '<u16', 'fortran_order': False, 'shape': (3,), }", "", nil, `dtype "<u16"`},
		{"{'descr': '<f4', 'shape': (3,), }", "", nil, "want the keys"},
		{"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (3,)}", "", nil, `key "descr" twice`},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}", "", nil, `unknown key "x"`},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (-3,)}", "", nil, `bad dimension ""`},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,)}", "", nil, `bad dimension "99999999999"`},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536)}", "", nil, "more than 2147483647 values"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (3,)} x", "", nil, `unexpected "x" after the dict`},
		{"{'descr': '<f4, 'fortran_order': False}", "", nil, `dtype "<f4, " is not`},
		{"{'descr' '<f4', 'fortran_order': False}", "", nil, "want ':' at offset 9"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (3,)", "", nil, "want '}'"},
		{"{'descr", "", nil, "unterminated string"},
		{"", "", nil, "want '{' at offset 0"},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			h, err := parseNPYHeader(tt.header)
			if tt.err != "" {
				var ne NPYError
				require.ErrorAs(t, err, &ne)
				assert.Contains(t, err.Error(), "nn: .npy header: ")
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, NPYHeader{tt.dtype, tt.shape}, h)
		})
	}
}

// npySeeds are the .npy files of testdata: the NumPy fixtures, and the
// arrays inside the .npz fixtures and FuzzImportNPZ's corpus.
func npySeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	files, err := filepath.Glob("testdata/npy/*.npy")
	require.NoError(t, err)
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		seeds = append(seeds, b)
	}
	npzs, err := filepath.Glob("testdata/*.npz")
	require.NoError(t, err)
	for _, name := range npzs {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		require.NoError(t, err)
		for _, f := range zr.File {
			rc, err := f.Open()
			require.NoError(t, err)
			npy, err := io.ReadAll(rc)
			require.NoError(t, err)
			seeds = append(seeds, npy)
		}
	}
	return seeds
}

// FuzzReadNPY reads arbitrary bytes: nothing may panic or allocate much
// more than the input; errors are NPYErrors; what reads has as many values
// as its shape says, and ReadNPYHeader with ReadNPYValues into float32 give
// the same values rounded once; an array re-encoded as float32 reads back
// to those values.
func FuzzReadNPY(f *testing.F) {
	for _, s := range npySeeds(f) {
		f.Add(s)
		f.Add(s[:len(s)-1])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var shape Shape
		var vals []float64
		var err error
		if n := allocated(func() { shape, vals, err = ReadNPY(bytes.NewReader(data), 1<<24) }); n > 16*uint64(len(data))+1<<20 {
			t.Fatalf("reading %d bytes allocated %d", len(data), n)
		}
		if err != nil {
			var ne NPYError
			require.ErrorAs(t, err, &ne)
			return
		}
		require.Len(t, vals, shape.Size())
		want := make([]float32, len(vals))
		for i, v := range vals {
			want[i] = float32(v)
		}
		r := bytes.NewReader(data)
		h, err := ReadNPYHeader(r)
		require.NoError(t, err)
		require.Equal(t, shape, h.Shape)
		got := make([]float32, len(vals))
		require.NoError(t, ReadNPYValues(got, r, h))
		require.Equal(t, float32Bits(want), float32Bits(got))

		again, vals2, err := readNPYT(appendNPY(nil, shape, want))
		require.NoError(t, err)
		require.Equal(t, shape, again)
		for i, v := range vals2 {
			require.Equal(t, math.Float32bits(want[i]), math.Float32bits(float32(v)))
		}
	})
}

func float32Bits(v []float32) []uint32 {
	out := make([]uint32, len(v))
	for i, x := range v {
		out[i] = math.Float32bits(x)
	}
	return out
}
