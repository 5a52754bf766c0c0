package hdf5

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// superblock2 is a version 2 superblock of 8-byte offsets and lengths whose
// root object header is at 48, followed by body (starting at 48).
func superblock2(body []byte) []byte {
	b := append([]byte{}, signature...)
	b = append(b, 2, 8, 8, 0)
	b = binary.LittleEndian.AppendUint64(b, 0)          // base address
	b = binary.LittleEndian.AppendUint64(b, ^uint64(0)) // no extension
	b = binary.LittleEndian.AppendUint64(b, uint64(48+len(body)))
	b = binary.LittleEndian.AppendUint64(b, 48) // root object header
	b = append(b, 0, 0, 0, 0)                   // checksum (not verified)
	return append(b, body...)
}

// continuation is a version 2 continuation message to addr, size bytes.
func continuation(addr, size uint64) []byte {
	m := []byte{msgContinuation, 16, 0, 0}
	m = binary.LittleEndian.AppendUint64(m, addr)
	return binary.LittleEndian.AppendUint64(m, size)
}

// TestContinuationLoop: an object header whose continuation block points
// back to itself is an error, not a hang.
func TestContinuationLoop(t *testing.T) {
	// OHDR at 48: version 2, flags 0 (1-byte chunk size), 20 bytes of
	// messages, checksum. Its continuation goes to the OCHK at 48+30=78,
	// which continues to itself.
	ochk := uint64(48 + 4 + 2 + 1 + 20 + 4)
	var body []byte
	body = append(body, "OHDR"...)
	body = append(body, 2, 0, 20)
	body = append(body, continuation(ochk, 4+20+4)...)
	body = append(body, 0, 0, 0, 0)
	body = append(body, "OCHK"...)
	body = append(body, continuation(ochk, 4+20+4)...)
	body = append(body, 0, 0, 0, 0)
	f, err := Open(superblock2(body))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Root()
	if err == nil || !strings.Contains(err.Error(), "loops back") {
		t.Fatalf("error %v, want a continuation loop", err)
	}
}

// TestBTreeCycle: a group B-tree node that lists itself as its child.
func TestBTreeCycle(t *testing.T) {
	b, err := os.ReadFile("testdata/basic.h5")
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(b, []byte("TREE\x00\x00"))
	if at < 0 {
		t.Fatal("no group B-tree leaf in basic.h5")
	}
	b[at+5] = 1 // level 1: its children are nodes
	binary.LittleEndian.PutUint64(b[at+32:], uint64(at))
	err = readAll(b)
	if err == nil || !strings.Contains(err.Error(), "a cycle") {
		t.Fatalf("error %v, want a B-tree cycle", err)
	}
}

// TestHugeDeclaredSizes: dataspaces and chunk grids beyond the caps are
// refused before anything is allocated.
func TestHugeDeclaredSizes(t *testing.T) {
	f := &File{b: make([]byte, 64), offSize: 8, lenSize: 8, objects: map[uint64]*Object{}}
	f32 := &datatype{class: classFloat, size: 4}
	for _, c := range []struct {
		name string
		o    *Object
		want string
	}{
		{"dataspace", &Object{f: f, space: &dataspace{dims: []uint64{1 << 40, 1 << 40}}, dtype: f32,
			layout: &layout{class: 1, addr: 0, size: 1 << 62}}, "larger than"},
		{"contiguous past the end", &Object{f: f, space: &dataspace{dims: []uint64{1000}}, dtype: f32,
			layout: &layout{class: 1, addr: 0, size: 4000}}, "truncated"},
		{"chunk count", &Object{f: f, space: &dataspace{dims: []uint64{1 << 13, 1 << 13}}, dtype: f32,
			layout: &layout{class: 2, addr: 0, chunk: []uint64{1, 1, 4}}}, "more than"},
		{"unwritten and large", &Object{f: f, space: &dataspace{dims: []uint64{1 << 20}}, dtype: f32,
			layout: &layout{class: 1, addr: undefined}}, "contiguous data of 0 bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := c.o.Float32s()
			var fe *FormatError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want a FormatError with %q", err, c.want)
			}
		})
	}
}

// TestDenseDamaged: dense groups and attributes with random bytes changed
// (seeded, so a failure repeats) give errors or values, never a panic or a
// hang: the fractal heap and v2 B-tree walks are bounded like the rest.
func TestDenseDamaged(t *testing.T) {
	b, err := os.ReadFile("testdata/dense_small.h5")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(16, 2))
	for range 3000 {
		c := append([]byte{}, b...)
		for range 1 + rng.IntN(4) {
			c[rng.IntN(len(c))] = byte(rng.IntN(256))
		}
		readAll(c)
	}
}
