package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// maxIDXBytes bounds the data an IDX header may announce (and a gzip stream
// may expand to): far more than MNIST's 47 MB, far less than memory.
const maxIDXBytes = 1 << 30

// parseIDX decodes an IDX file (gzip-compressed or not) of unsigned bytes:
// the magic 0x00 0x00 0x08 <number of dimensions>, each dimension as a
// big-endian uint32, then exactly the product of the dimensions in bytes.
func parseIDX(file []byte) (dims []int, data []byte, err error) {
	if len(file) >= 2 && file[0] == 0x1f && file[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(file))
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %v", err)
		}
		file, err = io.ReadAll(io.LimitReader(zr, maxIDXBytes+1<<10))
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %v", err)
		}
	}
	if len(file) < 4 {
		return nil, nil, fmt.Errorf("idx: %d bytes, too short for a header", len(file))
	}
	if file[0] != 0 || file[1] != 0 {
		return nil, nil, fmt.Errorf("idx: bad magic % x", file[:4])
	}
	if file[2] != 0x08 {
		return nil, nil, fmt.Errorf("idx: element type 0x%02x, want 0x08 (unsigned byte)", file[2])
	}
	nd := int(file[3])
	if nd == 0 {
		return nil, nil, fmt.Errorf("idx: no dimensions")
	}
	if len(file) < 4+4*nd {
		return nil, nil, fmt.Errorf("idx: header of %d dimensions truncated", nd)
	}
	size := 1
	for i := range nd {
		d := int(binary.BigEndian.Uint32(file[4+4*i:]))
		dims = append(dims, d)
		if d > maxIDXBytes || size*d > maxIDXBytes {
			return nil, nil, fmt.Errorf("idx: dimensions %v too large", dims)
		}
		size *= d
	}
	data = file[4+4*nd:]
	if len(data) != size {
		return nil, nil, fmt.Errorf("idx: %d data bytes, dimensions %v need %d", len(data), dims, size)
	}
	return dims, data, nil
}

// idxNames are the official files' names, without the optional .gz.
var idxNames = [4]string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}

// readIDXDir reads the official training and test files from dir in their
// own order; images must be (n, h, w) and labels (n), each < classes.
func readIDXDir(dir string, h, w, classes int) (train, test samples, err error) {
	var parts [4][]byte
	var dims [4][]int
	for i, base := range idxNames {
		var file []byte
		name := base
		for _, n := range []string{base, base + ".gz"} {
			file, err = os.ReadFile(filepath.Join(dir, n))
			name = n
			if !errors.Is(err, fs.ErrNotExist) {
				break
			}
		}
		if err != nil {
			return train, test, fmt.Errorf("%s: %v", base, err)
		}
		dims[i], parts[i], err = parseIDX(file)
		if err != nil {
			return train, test, fmt.Errorf("%s: %v", name, err)
		}
	}
	sets := [2]*samples{&train, &test}
	for k, s := range sets {
		id, ld := dims[2*k], dims[2*k+1]
		if len(id) != 3 || id[1] != h || id[2] != w {
			return train, test, fmt.Errorf("%s: dimensions %v, want (n, %d, %d)", idxNames[2*k], id, h, w)
		}
		if len(ld) != 1 || ld[0] != id[0] {
			return train, test, fmt.Errorf("%s: dimensions %v, want (%d) to match the images", idxNames[2*k+1], ld, id[0])
		}
		for i, l := range parts[2*k+1] {
			if int(l) >= classes {
				return train, test, fmt.Errorf("%s: label %d of sample %d, want 0..%d", idxNames[2*k+1], l, i, classes-1)
			}
		}
		*s = samples{images: parts[2*k], labels: parts[2*k+1]}
	}
	return train, test, nil
}
