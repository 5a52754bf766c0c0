// Package hdf5 reads the subset of HDF5 that Keras writes through h5py:
// superblock versions 0-3, object header versions 1 and 2, groups stored as
// symbol tables (v1 B-tree and local heap) or as compact link messages,
// groups and attributes in dense storage (fractal heap and v2 B-tree),
// datasets with compact, contiguous or chunked layouts (v1 B-tree, single
// chunk or unpaged fixed-array index) filtered by deflate and shuffle,
// float32/float64 data of either byte order, and attributes holding
// fixed-length or variable-length strings (global heap), string arrays and
// numbers.
//
// The whole file is in memory. Every address and length read from it is
// checked against its length before use, and every structure the file could
// make large or circular is bounded: continuation chains and B-trees by a
// visited set and a depth cap, all parsing by a step budget, decoded data by
// MaxDataBytes. A malformed file gives a *FormatError, never a panic or a
// hang.
//
// Reference: the HDF5 File Format Specification Version 3.0
// (docs.hdfgroup.org/hdf5/develop/_f_m_t3.html), written fresh from it.
package hdf5

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// Limits on what a file may make the reader do.
const (
	MaxDataBytes = 1 << 28 // decoded bytes of one dataset or attribute
	maxSteps     = 1 << 20 // parsing steps (messages, B-tree entries, chunks) per file
	maxDepth     = 32      // B-tree levels, path components
	maxRank      = 32      // dimensions of a dataspace (HDF5's own limit)
)

// FormatError reports a file that is not HDF5, is truncated or corrupt, or
// uses a feature outside the subset this package reads.
type FormatError struct{ Msg string }

func (e *FormatError) Error() string { return "hdf5: " + e.Msg }

func errorf(format string, args ...any) error {
	return &FormatError{Msg: fmt.Sprintf(format, args...)}
}

const undefined = ^uint64(0) // HDF5's "undefined address"

var signature = []byte("\x89HDF\r\n\x1a\n")

// File is an HDF5 file held in memory.
type File struct {
	b          []byte
	base       uint64 // the superblock's base address; file addresses are relative to it
	offSize    int    // bytes of an address ("size of offsets")
	lenSize    int    // bytes of a length ("size of lengths")
	root       uint64 // the root group's object header
	rootScr    *symbolScratch
	steps      int
	objects    map[uint64]*Object
	heapCache  map[uint64][]byte // global heap collections by address
	superblock int
}

// Open parses the superblock of the HDF5 file data. The file's objects are
// read when asked for.
func Open(data []byte) (*File, error) {
	f := &File{b: data, objects: map[uint64]*Object{}, heapCache: map[uint64][]byte{}}
	// The superblock is at 0, 512, 1024, 2048, ...
	at := -1
	for off := 0; off+len(signature) <= len(data); off = max(512, off*2) {
		if bytes.Equal(data[off:off+len(signature)], signature) {
			at = off
			break
		}
	}
	if at < 0 {
		return nil, errorf("not an HDF5 file (no signature)")
	}
	r := f.reader(uint64(at), "superblock")
	r.skip(8)
	version := r.u8()
	f.superblock = version
	switch version {
	case 0, 1:
		r.skip(4) // free-space, root group, reserved, shared header versions
		f.offSize, f.lenSize = r.u8(), r.u8()
		if err := f.checkSizes(); err != nil {
			return nil, err
		}
		r.skip(1 + 2 + 2 + 4) // reserved, group K values, consistency flags
		if version == 1 {
			r.skip(4) // indexed storage K, reserved
		}
		f.base = r.offset()
		r.offset() // free space
		r.offset() // end of file
		r.offset() // driver information
		e := f.readSymbolEntry(r)
		f.root, f.rootScr = e.header, e.scratch
	case 2, 3:
		f.offSize, f.lenSize = r.u8(), r.u8()
		if err := f.checkSizes(); err != nil {
			return nil, err
		}
		r.skip(1) // flags
		f.base = r.offset()
		r.offset() // superblock extension
		r.offset() // end of file
		f.root = r.offset()
		// The checksum follows; a corrupt superblock shows up when its
		// addresses are followed.
	default:
		return nil, errorf("superblock version %d is not supported (want 0 to 3)", version)
	}
	if r.err != nil {
		return nil, r.err
	}
	if f.base != uint64(at) && f.base != 0 {
		return nil, errorf("base address %d is not the superblock's offset %d", f.base, at)
	}
	return f, nil
}

func (f *File) checkSizes() error {
	for _, s := range []int{f.offSize, f.lenSize} {
		if s != 2 && s != 4 && s != 8 {
			return errorf("size of offsets or lengths is %d, want 2, 4 or 8", s)
		}
	}
	return nil
}

// step counts one unit of parsing work against the file's budget.
func (f *File) step() error {
	f.steps++
	if f.steps > maxSteps {
		return errorf("more than %d structures parsed: the file is too complex or loops", maxSteps)
	}
	return nil
}

// Root is the file's root group.
func (f *File) Root() (*Object, error) { return f.object(f.root, "/", f.rootScr) }

// Get returns the object at path, a list of link names separated by "/",
// relative to the root group.
func (f *File) Get(path string) (*Object, error) {
	o, err := f.Root()
	if err != nil {
		return nil, err
	}
	return o.Get(path)
}

// reader reads little-endian fields from the file starting at a file
// address; the first out-of-bounds read sticks in err and later reads give 0.
type reader struct {
	f    *File
	b    []byte // the whole file
	pos  uint64
	end  uint64 // reads stop here (the end of the structure, or of the file)
	what string
	err  error
}

func (f *File) reader(addr uint64, what string) *reader {
	return &reader{f: f, b: f.b, pos: addr, end: uint64(len(f.b)), what: what}
}

// at returns a reader for the structure at the file-relative address addr
// (the base address added), or an error reader when addr is outside the file.
func (f *File) at(addr uint64, what string) *reader {
	r := f.reader(0, what)
	if addr == undefined || addr > uint64(len(f.b))-f.base {
		r.err = errorf("%s at address %d is outside the file (%d bytes)", what, addr, len(f.b))
		return r
	}
	r.pos = addr + f.base
	return r
}

// sub returns a reader over the next n bytes and moves past them.
func (r *reader) sub(n uint64, what string) *reader {
	s := &reader{f: r.f, b: r.b, pos: r.pos, end: r.pos, what: what, err: r.err}
	if r.err == nil && n > r.end-r.pos {
		r.fail("needs %d bytes, %d remain", n, r.end-r.pos)
		s.err = r.err
		return s
	}
	if r.err == nil {
		s.end = r.pos + n
		r.pos += n
	}
	return s
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = errorf("%s at byte %d: %s", r.what, r.pos, fmt.Sprintf(format, args...))
	}
}

func (r *reader) bytes(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > r.end-r.pos {
		r.fail("truncated: needs %d bytes, %d remain", n, r.end-r.pos)
		return nil
	}
	s := r.b[r.pos : r.pos+n : r.pos+n]
	r.pos += n
	return s
}

func (r *reader) skip(n uint64) { r.bytes(n) }

func (r *reader) remaining() uint64 {
	if r.err != nil {
		return 0
	}
	return r.end - r.pos
}

func (r *reader) u8() int {
	if s := r.bytes(1); s != nil {
		return int(s[0])
	}
	return 0
}

func (r *reader) u16() int {
	if s := r.bytes(2); s != nil {
		return int(binary.LittleEndian.Uint16(s))
	}
	return 0
}

func (r *reader) u32() uint64 {
	if s := r.bytes(4); s != nil {
		return uint64(binary.LittleEndian.Uint32(s))
	}
	return 0
}

// uint reads an n-byte little-endian unsigned integer (n <= 8).
func (r *reader) uint(n int) uint64 {
	s := r.bytes(uint64(n))
	var v uint64
	for i := len(s) - 1; i >= 0; i-- {
		v = v<<8 | uint64(s[i])
	}
	if len(s) > 0 && len(s) < 8 && v == 1<<(8*len(s))-1 {
		return undefined // all ones: the undefined address in a short field
	}
	return v
}

func (r *reader) offset() uint64 { return r.uint(r.f.offSize) }
func (r *reader) length() uint64 { return r.uint(r.f.lenSize) }

// magic checks a 4-byte signature such as "TREE".
func (r *reader) magic(want string) {
	if s := r.bytes(4); s != nil && string(s) != want {
		r.fail("signature %q, want %q", s, want)
	}
}

// splitPath splits "a/b//c" into its non-empty components.
func splitPath(path string) []string {
	var out []string
	for _, p := range strings.Split(path, "/") {
		if p != "" && p != "." {
			out = append(out, p)
		}
	}
	return out
}
