package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// idxFile encodes data as an IDX file of unsigned bytes with dims.
func idxFile(dims []int, data []byte) []byte {
	b := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, data...)
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestParseIDX(t *testing.T) {
	tests := []struct {
		name string
		file []byte
		dims []int
		data []byte
		err  string
	}{
		{"labels", idxFile([]int{3}, []byte{7, 0, 9}), []int{3}, []byte{7, 0, 9}, ""},
		{"images 2x2x3", idxFile([]int{2, 2, 3}, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}),
			[]int{2, 2, 3}, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, ""},
		{"gzipped", gzipped(idxFile([]int{1, 2}, []byte{255, 0})), []int{1, 2}, []byte{255, 0}, ""},
		{"no samples", idxFile([]int{0, 28, 28}, nil), []int{0, 28, 28}, []byte{}, ""},
		{"empty", nil, nil, nil, "too short for a header"},
		{"bad magic", []byte{1, 0, 8, 1, 0, 0, 0, 0}, nil, nil, "bad magic 01 00 08 01"},
		{"int32 elements", []byte{0, 0, 0x0c, 1, 0, 0, 0, 0}, nil, nil, "element type 0x0c"},
		{"no dimensions", []byte{0, 0, 8, 0}, nil, nil, "no dimensions"},
		{"header cut", idxFile([]int{3, 4}, nil)[:9], nil, nil, "header of 2 dimensions truncated"},
		{"data cut", idxFile([]int{2, 2}, []byte{1, 2, 3}), nil, nil, "3 data bytes, dimensions [2 2] need 4"},
		{"trailing data", idxFile([]int{1}, []byte{1, 2}), nil, nil, "2 data bytes, dimensions [1] need 1"},
		{"huge dimensions", idxFile([]int{1 << 20, 1 << 20}, nil), nil, nil, "too large"},
		{"max uint32 dimension", idxFile([]int{0xffffffff}, nil), nil, nil, "too large"},
		{"gzip cut", gzipped(idxFile([]int{1}, []byte{1}))[:12], nil, nil, "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dims, data, err := parseIDX(tt.file)
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.dims, dims)
			assert.Equal(t, tt.data, data)
		})
	}
}

// writeIDXDir writes the four official files for 28x28 images: the train
// images with every pixel equal to 10+i, test images 100+i, labels as given;
// gz selects which files are gzip-compressed.
func writeIDXDir(t *testing.T, trainLabels, testLabels []byte, gz [4]bool) string {
	dir := t.TempDir()
	img := func(n, base int) []byte {
		var b []byte
		for i := range n {
			b = append(b, bytes.Repeat([]byte{byte(base + i)}, side*side)...)
		}
		return b
	}
	files := [4][]byte{
		idxFile([]int{len(trainLabels), side, side}, img(len(trainLabels), 10)),
		idxFile([]int{len(trainLabels)}, trainLabels),
		idxFile([]int{len(testLabels), side, side}, img(len(testLabels), 100)),
		idxFile([]int{len(testLabels)}, testLabels),
	}
	for i, f := range files {
		name := idxNames[i]
		if gz[i] {
			f, name = gzipped(f), name+".gz"
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), f, 0o644))
	}
	return dir
}

func TestReadIDXDir(t *testing.T) {
	for _, gz := range [][4]bool{{}, {true, true, true, true}, {true, false, false, true}} {
		dir := writeIDXDir(t, []byte{3, 1, 4, 1, 5}, []byte{9, 2}, gz)
		train, test, err := readIDXDir(dir, side, side, 10)
		require.NoError(t, err)
		assert.Equal(t, []byte{3, 1, 4, 1, 5}, train.labels)
		assert.Equal(t, []byte{9, 2}, test.labels)
		assert.Len(t, train.images, 5*side*side)
		assert.Equal(t, byte(14), train.images[4*side*side], "official order kept")
		assert.Equal(t, byte(101), test.images[side*side])
	}
}

func TestReadIDXDirBad(t *testing.T) {
	tests := []struct {
		name   string
		damage func(dir string)
		err    string
	}{
		{"missing labels", func(dir string) { os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte")) },
			"t10k-labels-idx1-ubyte: open"},
		{"label out of range", func(dir string) {
			os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte"), idxFile([]int{3}, []byte{0, 10, 1}), 0o644)
		}, "train-labels-idx1-ubyte: label 10 of sample 1, want 0..9"},
		{"fewer labels than images", func(dir string) {
			os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte"), idxFile([]int{2}, []byte{0, 1}), 0o644)
		}, "dimensions [2], want (3) to match the images"},
		{"images not 28x28", func(dir string) {
			os.WriteFile(filepath.Join(dir, "t10k-images-idx3-ubyte"), idxFile([]int{1, 32, 32}, make([]byte, 1024)), 0o644)
		}, "t10k-images-idx3-ubyte: dimensions [1 32 32], want (n, 28, 28)"},
		{"truncated file", func(dir string) {
			os.Truncate(filepath.Join(dir, "train-images-idx3-ubyte"), 100)
		}, "train-images-idx3-ubyte: idx: 84 data bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeIDXDir(t, []byte{0, 1, 2}, []byte{3}, [4]bool{})
			tt.damage(dir)
			_, _, err := readIDXDir(dir, side, side, 10)
			assert.ErrorContains(t, err, tt.err)
		})
	}
}

// FuzzParseIDX checks that no input panics the parser and that what it
// accepts re-encodes to the same file.
func FuzzParseIDX(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*"))
	require.NoError(f, err)
	require.NotEmpty(f, seeds)
	for _, name := range seeds {
		if filepath.Ext(name) == ".py" {
			continue // the script that made them
		}
		b, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		dims, data, err := parseIDX(file)
		if err != nil {
			return
		}
		if len(file) >= 2 && file[0] == 0x1f && file[1] == 0x8b {
			return // gzip framing does not round-trip byte for byte
		}
		require.Equal(t, file, idxFile(dims, data))
	})
}
