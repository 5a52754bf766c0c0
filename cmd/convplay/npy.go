package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// readNPY reads a NumPy .npy file (NEP 1, versions 1 to 3, C order) of
// unsigned or signed integers or floats, little-endian or single-byte, and
// returns its shape and values as float64.
//
// It is private to the command line for now: the engine's .npy decoder
// (nn/npz.go) reads float arrays of a known shape only and is not exported.
func readNPY(path string) (shape []int, values []float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var pre [8]byte
	if _, err := io.ReadFull(f, pre[:]); err != nil || string(pre[:6]) != "\x93NUMPY" {
		return nil, nil, fmt.Errorf("%s is not a .npy file (no \\x93NUMPY magic)", path)
	}
	var hlen int
	switch pre[6] {
	case 1:
		var b [2]byte
		_, err = io.ReadFull(f, b[:])
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		_, err = io.ReadFull(f, b[:])
		hlen = int(binary.LittleEndian.Uint32(b[:]))
	default:
		return nil, nil, fmt.Errorf("%s: .npy version %d.%d is not one this reader knows", path, pre[6], pre[7])
	}
	if err != nil || hlen > 1<<16 {
		return nil, nil, fmt.Errorf("%s: truncated or oversized .npy header", path)
	}
	h := make([]byte, hlen)
	if _, err := io.ReadFull(f, h); err != nil {
		return nil, nil, fmt.Errorf("%s: truncated .npy header", path)
	}
	descr, fortran, shape, err := parseHeader(string(h))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: .npy header %q: %w", path, strings.TrimSpace(string(h)), err)
	}
	if fortran {
		return nil, nil, fmt.Errorf("%s: Fortran-order arrays are not supported; save with np.ascontiguousarray", path)
	}
	size := 1
	for _, d := range shape {
		if d > 0 && size > (1<<28)/d {
			return nil, nil, fmt.Errorf("%s: array of shape %v is too large", path, shape)
		}
		size *= d
	}
	conv, width, err := decoder(descr)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	raw := make([]byte, size*width)
	if _, err := io.ReadFull(f, raw); err != nil {
		return nil, nil, fmt.Errorf("%s: the array's data is truncated (shape %v, %s)", path, shape, descr)
	}
	values = make([]float64, size)
	for i := range values {
		values[i] = conv(raw[i*width : (i+1)*width])
	}
	return shape, values, nil
}

// decoder returns the conversion of one element of a dtype and its size.
func decoder(descr string) (func([]byte) float64, int, error) {
	le := binary.LittleEndian
	switch descr {
	case "|u1", "<u1":
		return func(b []byte) float64 { return float64(b[0]) }, 1, nil
	case "|i1", "<i1":
		return func(b []byte) float64 { return float64(int8(b[0])) }, 1, nil
	case "<u2":
		return func(b []byte) float64 { return float64(le.Uint16(b)) }, 2, nil
	case "<i2":
		return func(b []byte) float64 { return float64(int16(le.Uint16(b))) }, 2, nil
	case "<u4":
		return func(b []byte) float64 { return float64(le.Uint32(b)) }, 4, nil
	case "<i4":
		return func(b []byte) float64 { return float64(int32(le.Uint32(b))) }, 4, nil
	case "<i8":
		return func(b []byte) float64 { return float64(int64(le.Uint64(b))) }, 8, nil
	case "<u8":
		return func(b []byte) float64 { return float64(le.Uint64(b)) }, 8, nil
	case "<f4":
		return func(b []byte) float64 { return float64(math.Float32frombits(le.Uint32(b))) }, 4, nil
	case "<f8":
		return func(b []byte) float64 { return math.Float64frombits(le.Uint64(b)) }, 8, nil
	}
	return nil, 0, fmt.Errorf("dtype %q is not supported (want little-endian integers or floats)", descr)
}

// parseHeader reads the Python dict literal of a .npy header, such as
// "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 28, 28), }".
func parseHeader(h string) (descr string, fortran bool, shape []int, err error) {
	h = strings.TrimSpace(h)
	if !strings.HasPrefix(h, "{") || !strings.HasSuffix(h, "}") {
		return "", false, nil, fmt.Errorf("not a dict")
	}
	field := func(key string) (string, bool) {
		i := strings.Index(h, "'"+key+"'")
		if i < 0 {
			return "", false
		}
		rest := strings.TrimSpace(h[i+len(key)+2:])
		if !strings.HasPrefix(rest, ":") {
			return "", false
		}
		return strings.TrimSpace(rest[1:]), true
	}
	d, ok := field("descr")
	if !ok || !strings.HasPrefix(d, "'") || strings.Index(d[1:], "'") < 0 {
		return "", false, nil, fmt.Errorf("no descr")
	}
	descr = d[1 : 1+strings.Index(d[1:], "'")]
	fo, ok := field("fortran_order")
	switch {
	case ok && strings.HasPrefix(fo, "True"):
		fortran = true
	case ok && strings.HasPrefix(fo, "False"):
	default:
		return "", false, nil, fmt.Errorf("no fortran_order")
	}
	s, ok := field("shape")
	end := strings.Index(s, ")")
	if !ok || !strings.HasPrefix(s, "(") || end < 0 {
		return "", false, nil, fmt.Errorf("no shape")
	}
	for _, part := range strings.Split(s[1:end], ",") {
		part = strings.TrimSuffix(strings.TrimSpace(part), "L")
		if part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return "", false, nil, fmt.Errorf("bad shape dimension %q", part)
		}
		shape = append(shape, n)
	}
	return descr, fortran, shape, nil
}
