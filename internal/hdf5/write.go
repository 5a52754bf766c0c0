package hdf5

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
)

// Writer makes a small HDF5 file of the kind h5py writes with its
// defaults, enough for a Keras 3 model.weights.h5: superblock version 0,
// version 1 object headers, groups as symbol tables (a v1 B-tree of one
// symbol-table node, names in a local heap), contiguous little-endian
// float32 datasets, and scalar variable-length UTF-8 string attributes
// (their bytes in one global heap collection).
//
// The file is laid out children first, so that every address is known
// when the structure that points to it is written: the superblock (patched
// last), the global heap, then each group's members, its local heap,
// symbol-table node and B-tree, and its object header.
type Writer struct{ root *Group }

// Group is a group being written.
type Group struct {
	name     string
	attrs    [][2]string // name, value
	groups   []*Group
	datasets []*wDataset
}

type wDataset struct {
	name  string
	shape []int
	data  []float32
}

// NewWriter starts an empty file.
func NewWriter() *Writer { return &Writer{root: &Group{}} }

// Root is the file's root group.
func (w *Writer) Root() *Group { return w.root }

// Group returns the member group called name, made if it is not there.
func (g *Group) Group(name string) *Group {
	for _, c := range g.groups {
		if c.name == name {
			return c
		}
	}
	c := &Group{name: name}
	g.groups = append(g.groups, c)
	return c
}

// SetString sets a scalar variable-length UTF-8 string attribute, as h5py
// writes a Python str.
func (g *Group) SetString(name, value string) { g.attrs = append(g.attrs, [2]string{name, value}) }

// Float32s adds a float32 dataset of the given shape (row major data).
func (g *Group) Float32s(name string, shape []int, data []float32) error {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n != len(data) {
		return errorf("dataset %s: %d values for shape %v", name, len(data), shape)
	}
	g.datasets = append(g.datasets, &wDataset{name: name, shape: slices.Clone(shape), data: data})
	return nil
}

const (
	wOff         = 8 // bytes of an address and of a length
	wInternalK   = 16
	superblockSz = 96
)

type fileBuf struct{ b []byte }

func (f *fileBuf) u8(v int)     { f.b = append(f.b, byte(v)) }
func (f *fileBuf) u16(v int)    { f.b = binary.LittleEndian.AppendUint16(f.b, uint16(v)) }
func (f *fileBuf) u32(v uint64) { f.b = binary.LittleEndian.AppendUint32(f.b, uint32(v)) }
func (f *fileBuf) u64(v uint64) { f.b = binary.LittleEndian.AppendUint64(f.b, v) }
func (f *fileBuf) str(s string) { f.b = append(f.b, s...) }
func (f *fileBuf) zeros(n int)  { f.b = append(f.b, make([]byte, n)...) }
func (f *fileBuf) pad8()        { f.zeros(int(pad8(uint64(len(f.b)))) - len(f.b)) }
func (f *fileBuf) addr() uint64 { return uint64(len(f.b)) }
func (f *fileBuf) put64(at int, v uint64) {
	binary.LittleEndian.PutUint64(f.b[at:], v)
}

// heapRef is where a string attribute's bytes are in the global heap.
type heapRef struct {
	coll  uint64
	index int
}

// Bytes lays out and returns the file.
func (w *Writer) Bytes() ([]byte, error) {
	f := &fileBuf{}
	f.zeros(superblockSz)
	// The global heap: every string attribute's value, one object each.
	// HDF5 reads a collection's first 4096 bytes before its size, so it is
	// never smaller.
	refs := map[*[2]string]heapRef{}
	var values []*[2]string
	maxMembers := 1
	var collect func(g *Group)
	collect = func(g *Group) {
		for i := range g.attrs {
			values = append(values, &g.attrs[i])
		}
		maxMembers = max(maxMembers, len(g.groups)+len(g.datasets))
		for _, c := range g.groups {
			collect(c)
		}
	}
	collect(w.root)
	if len(values) > 0 {
		coll := f.addr()
		f.str("GCOL")
		f.u8(1)
		f.zeros(3)
		sizeAt := len(f.b)
		f.u64(0)
		for i, v := range values {
			if i+1 > math.MaxUint16 {
				return nil, errorf("more than %d string attributes", math.MaxUint16-1)
			}
			f.u16(i + 1)
			f.u16(1) // reference count
			f.zeros(4)
			f.u64(uint64(len(v[1])))
			f.str(v[1])
			f.pad8()
			refs[v] = heapRef{coll, i + 1}
		}
		used := len(f.b) - int(coll)
		size := max(4096, used+16)
		f.u16(0) // the free space: object 0, the rest of the collection
		f.zeros(6)
		f.u64(uint64(size - used))
		f.zeros(size - used - 16)
		f.put64(sizeAt, uint64(size))
	}
	leafK := max(4, (maxMembers+1)/2)
	if leafK > math.MaxUint16 {
		return nil, errorf("a group of %d members", maxMembers)
	}
	rootHeader, rootBTree, rootHeap, err := w.writeGroup(f, w.root, leafK, refs)
	if err != nil {
		return nil, err
	}
	// The superblock, version 0.
	s := &fileBuf{}
	s.str("\x89HDF\r\n\x1a\n")
	s.u8(0) // superblock version
	s.u8(0) // free-space storage version
	s.u8(0) // root group symbol table entry version
	s.u8(0)
	s.u8(0) // shared header message format version
	s.u8(wOff)
	s.u8(wOff)
	s.u8(0)
	s.u16(leafK)
	s.u16(wInternalK)
	s.u32(0)         // file consistency flags
	s.u64(0)         // base address
	s.u64(undefined) // free-space info
	s.u64(f.addr())  // end of file
	s.u64(undefined) // driver information
	// The root group's symbol table entry, its B-tree and heap cached.
	s.u64(0)
	s.u64(rootHeader)
	s.u32(1)
	s.u32(0)
	s.u64(rootBTree)
	s.u64(rootHeap)
	copy(f.b, s.b)
	return f.b, nil
}

// writeGroup writes g's members, then g: its local heap of names, its
// symbol-table node, its B-tree and its object header, whose address it
// returns with the B-tree's and the heap's.
func (w *Writer) writeGroup(f *fileBuf, g *Group, leafK int, refs map[*[2]string]heapRef) (header, btree, heap uint64, err error) {
	type member struct {
		name string
		addr uint64
	}
	var members []member
	for _, c := range g.groups {
		a, _, _, err := w.writeGroup(f, c, leafK, refs)
		if err != nil {
			return 0, 0, 0, err
		}
		members = append(members, member{c.name, a})
	}
	for _, d := range g.datasets {
		members = append(members, member{d.name, writeDataset(f, d)})
	}
	// HDF5 finds a name by binary search: the node lists them sorted.
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.name, b.name) })
	for i := 1; i < len(members); i++ {
		if members[i].name == members[i-1].name {
			return 0, 0, 0, errorf("two members called %q", members[i].name)
		}
	}
	// Local heap: offset 0 is the empty name, then each name, 8-aligned.
	data := []byte{0, 0, 0, 0, 0, 0, 0, 0}
	offsets := make([]uint64, len(members))
	for i, m := range members {
		if m.name == "" || strings.ContainsAny(m.name, "/\x00") {
			return 0, 0, 0, errorf("member name %q", m.name)
		}
		offsets[i] = uint64(len(data))
		data = append(data, m.name...)
		data = append(data, 0)
		data = append(data, make([]byte, pad8(uint64(len(data)))-uint64(len(data)))...)
	}
	heap = f.addr()
	f.str("HEAP")
	f.u8(0)
	f.zeros(3)
	f.u64(uint64(len(data)))
	f.u64(1) // H5HL_FREE_NULL: no free block
	f.u64(heap + 32)
	f.b = append(f.b, data...)
	// One symbol-table node holds every member (the superblock's leaf K
	// is large enough).
	snod := f.addr()
	f.str("SNOD")
	f.u8(1)
	f.u8(0)
	f.u16(len(members))
	for i, m := range members {
		f.u64(offsets[i])
		f.u64(m.addr)
		f.u32(0) // nothing cached
		f.u32(0)
		f.zeros(16)
	}
	f.zeros((2*leafK - len(members)) * 40)
	// The B-tree: one leaf node, one child, keys "" and the last name.
	btree = f.addr()
	f.str("TREE")
	f.u8(0) // a group node
	f.u8(0) // level 0
	entries := 0
	if len(members) > 0 {
		entries = 1
	}
	f.u16(entries)
	f.u64(undefined)
	f.u64(undefined)
	f.u64(0)
	last := uint64(0)
	if len(members) > 0 {
		last = offsets[len(members)-1]
	}
	f.u64(snod)
	f.u64(last)
	f.zeros((2*wInternalK - 1) * 16) // the node's unused keys and children
	// The object header: a symbol table message and string attributes.
	var msgs []objMessage
	msgs = append(msgs, objMessage{msgSymbolTable, le64(btree, heap)})
	for i := range g.attrs {
		msgs = append(msgs, objMessage{msgAttribute, stringAttribute(&g.attrs[i], refs[&g.attrs[i]])})
	}
	header = writeHeader(f, msgs)
	return header, btree, heap, nil
}

func le64(vs ...uint64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

type objMessage struct {
	typ  int
	data []byte
}

// writeHeader writes a version 1 object header holding msgs.
func writeHeader(f *fileBuf, msgs []objMessage) uint64 {
	size := 0
	for _, m := range msgs {
		size += 8 + int(pad8(uint64(len(m.data))))
	}
	f.pad8()
	at := f.addr()
	f.u8(1) // version
	f.u8(0)
	f.u16(len(msgs))
	f.u32(1) // reference count
	f.u32(uint64(size))
	f.zeros(4) // to 8-byte alignment
	for _, m := range msgs {
		n := int(pad8(uint64(len(m.data))))
		f.u16(m.typ)
		f.u16(n)
		f.u8(0) // flags
		f.zeros(3)
		f.b = append(f.b, m.data...)
		f.zeros(n - len(m.data))
	}
	return at
}

// writeDataset writes a dataset's values, then its object header.
func writeDataset(f *fileBuf, d *wDataset) uint64 {
	f.pad8()
	data := f.addr()
	for _, v := range d.data {
		f.u32(uint64(math.Float32bits(v)))
	}
	space := &fileBuf{}
	space.u8(1) // version
	space.u8(len(d.shape))
	space.u8(0) // no maximum dimensions
	space.zeros(5)
	for _, n := range d.shape {
		space.u64(uint64(n))
	}
	layout := &fileBuf{}
	layout.u8(3) // version
	layout.u8(1) // contiguous
	layout.u64(data)
	layout.u64(uint64(4 * len(d.data)))
	return writeHeader(f, []objMessage{
		{msgDataspace, space.b},
		{msgDatatype, float32Type()},
		{msgLayout, layout.b},
	})
}

// float32Type is the datatype message of IEEE 754 little-endian float32.
func float32Type() []byte {
	t := &fileBuf{}
	t.u8(1<<4 | classFloat)
	t.u8(0x20) // little endian, mantissa normalized (implied leading 1)
	t.u8(31)   // sign bit position
	t.u8(0)
	t.u32(4)
	t.u16(0)  // bit offset
	t.u16(32) // precision
	t.u8(23)  // exponent location
	t.u8(8)   // exponent size
	t.u8(0)   // mantissa location
	t.u8(23)  // mantissa size
	t.u32(127)
	return t.b
}

// stringAttribute is an attribute message (version 1) holding a scalar
// variable-length UTF-8 string whose bytes are at ref in the global heap.
func stringAttribute(a *[2]string, ref heapRef) []byte {
	typ := &fileBuf{}
	typ.u8(1<<4 | classVLen)
	typ.u8(0x01) // a string, null-terminated padding
	typ.u8(0x01) // UTF-8
	typ.u8(0)
	typ.u32(4 + wOff + 4)
	typ.u8(1<<4 | classFixed) // its base type: unsigned 8-bit characters
	typ.zeros(3)
	typ.u32(1)
	typ.u16(0)
	typ.u16(8)
	space := &fileBuf{}
	space.u8(1)
	space.u8(0) // rank 0: a scalar
	space.zeros(6)
	name := a[0] + "\x00"
	m := &fileBuf{}
	m.u8(1)
	m.u8(0)
	m.u16(len(name))
	m.u16(len(typ.b))
	m.u16(len(space.b))
	m.str(name)
	m.pad8()
	m.b = append(m.b, typ.b...)
	m.pad8()
	m.b = append(m.b, space.b...)
	m.pad8()
	m.u32(uint64(len(a[1])))
	m.u64(ref.coll)
	m.u32(uint64(ref.index))
	return m.b
}
