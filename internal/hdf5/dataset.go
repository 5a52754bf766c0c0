package hdf5

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
	"math"
)

// Datasets: a dataspace (shape), a datatype, a layout (where the bytes
// are) and a filter pipeline (how chunks are encoded).

// Datatype classes (IV.A.2.d).
const (
	classFixed  = 0
	classFloat  = 1
	classString = 3
	classOpaque = 5
	classVLen   = 9
)

type datatype struct {
	class     int
	size      uint64 // bytes of one element
	bigEndian bool
	signed    bool
	vlenStr   bool // a variable-length string (class 9, type 1)
}

func parseDatatype(r *reader) (*datatype, error) {
	b := r.u8()
	bits := r.bytes(3)
	t := &datatype{class: b & 0x0f, size: r.u32()}
	if r.err != nil {
		return nil, r.err
	}
	switch t.class {
	case classFixed, classFloat:
		t.bigEndian = bits[0]&1 != 0
		t.signed = bits[0]&8 != 0
		if t.class == classFloat && bits[0]&0x40 != 0 {
			return nil, errorf("VAX floating point is not supported")
		}
		ok := t.size == 1 || t.size == 2 || t.size == 4 || t.size == 8
		if t.class == classFloat {
			ok = t.size == 2 || t.size == 4 || t.size == 8
		}
		if !ok {
			return nil, errorf("%d-byte numbers are not supported", t.size)
		}
	case classString, classOpaque:
	case classVLen:
		t.vlenStr = bits[0]&0x0f == 1
		if !t.vlenStr {
			return nil, errorf("variable-length sequences are not supported")
		}
	default:
		return nil, errorf("datatype class %d is not supported (numbers and strings only)", t.class)
	}
	if t.size == 0 || t.size > 1<<16 {
		return nil, errorf("datatype of %d bytes", t.size)
	}
	return t, nil
}

type dataspace struct {
	dims []uint64 // nil for a scalar
	null bool
}

func parseDataspace(r *reader) (*dataspace, error) {
	version := r.u8()
	rank := r.u8()
	r.u8() // flags: maximum dimensions and permutations follow; not needed
	s := &dataspace{}
	switch version {
	case 1:
		r.skip(5)
	case 2:
		s.null = r.u8() == 2
	default:
		return nil, errorf("dataspace version %d is not supported", version)
	}
	if rank > maxRank {
		return nil, errorf("dataspace of rank %d", rank)
	}
	for range rank {
		s.dims = append(s.dims, r.length())
	}
	return s, r.err
}

// count is the number of elements, or an error past MaxDataBytes/size.
func (s *dataspace) count(size uint64) (uint64, error) {
	if s.null {
		return 0, nil
	}
	n := uint64(1)
	for _, d := range s.dims {
		if d != 0 && n > MaxDataBytes/size/d {
			return 0, errorf("dataspace %v of %d-byte elements is larger than %d bytes", s.dims, size, MaxDataBytes)
		}
		n *= d
	}
	if n > MaxDataBytes/size {
		return 0, errorf("dataspace %v of %d-byte elements is larger than %d bytes", s.dims, size, MaxDataBytes)
	}
	return n, nil
}

// Chunk index types of layout version 4, and 0 for version 3's v1 B-tree.
const (
	indexBTree1      = 0
	indexSingle      = 1
	indexImplicit    = 2
	indexFixedArray  = 3
	maxChunks        = 1 << 20
	maxFilterClients = 64
)

type layout struct {
	class     int    // 0 compact, 1 contiguous, 2 chunked
	compact   []byte // class 0
	addr      uint64 // class 1: data; class 2: index
	size      uint64 // class 1: bytes
	chunk     []uint64
	index     int
	single    uint64 // filtered size of a single chunk
	singleMsk uint32
}

func (f *File) parseLayout(r *reader) (*layout, error) {
	version := r.u8()
	if version != 3 && version != 4 {
		return nil, errorf("data layout version %d is not supported (want 3 or 4)", version)
	}
	l := &layout{class: r.u8()}
	switch l.class {
	case 0:
		l.compact = r.bytes(uint64(r.u16()))
	case 1:
		l.addr, l.size = r.offset(), r.length()
	case 2:
		if version == 3 {
			rank := r.u8()
			l.addr = r.offset()
			for range rank {
				l.chunk = append(l.chunk, r.u32())
			}
			break
		}
		flags := r.u8()
		rank := r.u8()
		enc := r.u8()
		if enc < 1 || enc > 8 {
			return nil, errorf("chunk dimension size of %d bytes", enc)
		}
		for range rank {
			l.chunk = append(l.chunk, r.uint(enc))
		}
		l.index = r.u8()
		switch l.index {
		case indexSingle:
			if flags&2 != 0 {
				l.single, l.singleMsk = r.length(), uint32(r.u32())
			}
		case indexImplicit:
		case indexFixedArray:
			r.u8() // page bits
		default:
			return nil, errorf("chunk index type %d is not supported (extensible arrays and v2 B-trees are for resizable datasets)", l.index)
		}
		l.addr = r.offset()
	default:
		return nil, errorf("data layout class %d is not supported", l.class)
	}
	if r.err != nil {
		return nil, r.err
	}
	if l.class == 2 {
		if len(l.chunk) < 2 || len(l.chunk) > maxRank+1 {
			return nil, errorf("chunk of rank %d", len(l.chunk))
		}
		for _, d := range l.chunk {
			if d == 0 || d > MaxDataBytes {
				return nil, errorf("chunk dimension %d", d)
			}
		}
	}
	return l, nil
}

type filter struct {
	id       int
	optional bool
	clients  []uint64
}

func parseFilters(r *reader) ([]filter, error) {
	version := r.u8()
	n := r.u8()
	if version == 1 {
		r.skip(6)
	} else if version != 2 {
		return nil, errorf("filter pipeline version %d is not supported", version)
	}
	var out []filter
	for range n {
		id := r.u16()
		nameLen := 0
		if version == 1 || id >= 256 {
			nameLen = r.u16()
		}
		flags := r.u16()
		nc := r.u16()
		r.skip(uint64(nameLen))
		if nc > maxFilterClients {
			return nil, errorf("filter with %d client values", nc)
		}
		fl := filter{id: id, optional: flags&1 != 0}
		for range nc {
			fl.clients = append(fl.clients, r.u32())
		}
		if version == 1 && nc%2 == 1 {
			r.skip(4)
		}
		switch id {
		case 1, 2, 3:
		default:
			return nil, errorf("filter %d is not supported (deflate, shuffle and fletcher32 are)", id)
		}
		out = append(out, fl)
	}
	return out, r.err
}

// Shape is the dataset's dimensions (empty for a scalar).
func (o *Object) Shape() []int {
	if o.space == nil {
		return nil
	}
	out := make([]int, len(o.space.dims))
	for i, d := range o.space.dims {
		out[i] = int(d)
	}
	return out
}

// rawData returns the dataset's bytes, count elements of the datatype's size.
func (o *Object) rawData() ([]byte, *datatype, error) {
	if !o.IsDataset() || o.space == nil || o.dtype == nil {
		return nil, nil, errorf("%s is not a dataset", o.Path)
	}
	size := o.dtype.size
	n, err := o.space.count(size)
	if err != nil {
		return nil, nil, errorf("%s: %v", o.Path, err)
	}
	total := n * size
	l := o.layout
	switch l.class {
	case 0:
		if uint64(len(l.compact)) < total {
			return nil, nil, errorf("%s: compact data of %d bytes, want %d", o.Path, len(l.compact), total)
		}
		return l.compact[:total], o.dtype, nil
	case 1:
		if l.addr == undefined && total <= uint64(len(o.f.b)) {
			return make([]byte, total), o.dtype, nil // never written: the fill value, zero
		}
		if l.size < total {
			return nil, nil, errorf("%s: contiguous data of %d bytes, want %d", o.Path, l.size, total)
		}
		r := o.f.at(l.addr, o.Path+" data")
		b := r.bytes(total)
		return b, o.dtype, r.err
	}
	b, err := o.chunked(total)
	return b, o.dtype, err
}

// chunked assembles a chunked dataset of total bytes from its chunks.
func (o *Object) chunked(total uint64) ([]byte, error) {
	l, dims, size := o.layout, o.space.dims, o.dtype.size
	if len(l.chunk) != len(dims)+1 || l.chunk[len(dims)] != size {
		return nil, errorf("%s: chunk shape %v does not fit the dataspace %v of %d-byte elements", o.Path, l.chunk, dims, size)
	}
	cdims := l.chunk[:len(dims)]
	chunkBytes, nchunks := size, uint64(1)
	for i, c := range cdims {
		if chunkBytes > MaxDataBytes/c {
			return nil, errorf("%s: chunks larger than %d bytes", o.Path, MaxDataBytes)
		}
		chunkBytes *= c
		nchunks *= (dims[i] + c - 1) / c
		if nchunks > maxChunks {
			return nil, errorf("%s: more than %d chunks", o.Path, maxChunks)
		}
	}
	if total == 0 || l.addr == undefined {
		return make([]byte, total), nil
	}
	// List the chunks first, then check that the bytes they hold in the
	// file can decode to the whole dataset before allocating it: deflate
	// expands at most about 1032 times, so a small file cannot make the
	// reader allocate much more than a thousand times its size.
	var chunks []storedChunk
	capacity := uint64(0)
	add := func(offs []uint64, addr, stored uint64, mask uint32) error {
		if err := o.f.step(); err != nil {
			return err
		}
		if uint64(len(chunks)) >= nchunks {
			return errorf("%s: more chunks than its grid of %d", o.Path, nchunks)
		}
		r := o.f.at(addr, o.Path+" chunk")
		raw := r.bytes(stored)
		if r.err != nil {
			return r.err
		}
		expand := stored
		if len(o.filters) > 0 {
			expand = min(stored, MaxDataBytes)*1100 + 1024
		}
		capacity += min(chunkBytes, expand)
		chunks = append(chunks, storedChunk{offs, raw, mask})
		return nil
	}
	var err error
	switch l.index {
	case indexBTree1:
		err = o.chunkBTree(l.addr, 0, map[uint64]bool{}, add)
	case indexSingle:
		stored := chunkBytes
		if len(o.filters) > 0 {
			stored = l.single
		}
		err = add(make([]uint64, len(dims)), l.addr, stored, l.singleMsk)
	case indexImplicit:
		if len(o.filters) > 0 {
			return nil, errorf("%s: filtered chunks without an index", o.Path)
		}
		for i := uint64(0); i < nchunks && err == nil; i++ {
			err = add(gridOffsets(i, dims, cdims), l.addr+i*chunkBytes, chunkBytes, 0)
		}
	default:
		err = o.fixedArray(nchunks, chunkBytes, add)
	}
	if err != nil {
		return nil, err
	}
	if capacity < total {
		return nil, errorf("%s: its chunks in the file hold at most %d bytes, not the %d it declares", o.Path, capacity, total)
	}
	out := make([]byte, total)
	for _, c := range chunks {
		data, err := o.unfilter(c.raw, c.mask, chunkBytes)
		if err != nil {
			return nil, err
		}
		if err := o.place(out, data, c.offs, cdims); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// storedChunk is one chunk as the file stores it, its first element at offs.
type storedChunk struct {
	offs []uint64
	raw  []byte
	mask uint32
}

// gridOffsets is the element offsets of the i-th chunk in row-major order.
func gridOffsets(i uint64, dims, cdims []uint64) []uint64 {
	offs := make([]uint64, len(dims))
	for d := len(dims) - 1; d >= 0; d-- {
		n := (dims[d] + cdims[d] - 1) / cdims[d]
		offs[d] = i % n * cdims[d]
		i /= n
	}
	return offs
}

func (o *Object) chunkBTree(addr uint64, depth int, seen map[uint64]bool, put func([]uint64, uint64, uint64, uint32) error) error {
	if depth > maxDepth {
		return errorf("%s: chunk B-tree deeper than %d", o.Path, maxDepth)
	}
	if seen[addr] {
		return errorf("%s: chunk B-tree node %d visited twice (a cycle)", o.Path, addr)
	}
	seen[addr] = true
	if err := o.f.step(); err != nil {
		return err
	}
	rank := len(o.layout.chunk)
	r := o.f.at(addr, o.Path+" chunk B-tree")
	r.magic("TREE")
	if typ := r.u8(); r.err == nil && typ != 1 {
		return errorf("%s: B-tree node type %d for chunks, want 1", o.Path, typ)
	}
	level := r.u8()
	n := r.u16()
	r.offset()
	r.offset()
	type entry struct {
		size, mask uint64
		offs       []uint64
		child      uint64
	}
	var entries []entry
	for i := 0; i < n && r.err == nil; i++ {
		e := entry{size: r.u32(), mask: r.u32()}
		for range rank {
			e.offs = append(e.offs, r.uint(8))
		}
		e.child = r.offset()
		entries = append(entries, e)
	}
	if r.err != nil {
		return r.err
	}
	for _, e := range entries {
		var err error
		if level > 0 {
			err = o.chunkBTree(e.child, depth+1, seen, put)
		} else {
			if seen[e.child] {
				return errorf("%s: chunk at %d listed twice", o.Path, e.child)
			}
			seen[e.child] = true
			err = put(e.offs[:rank-1], e.child, e.size, uint32(e.mask))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// fixedArray reads an unpaged fixed-array chunk index (IV.B, "FAHD"/"FADB").
func (o *Object) fixedArray(nchunks, chunkBytes uint64, put func([]uint64, uint64, uint64, uint32) error) error {
	f := o.f
	h := f.at(o.layout.addr, o.Path+" fixed array header")
	h.magic("FAHD")
	h.skip(1)
	client := h.u8()
	entrySize := uint64(h.u8())
	pageBits := h.u8()
	count := h.length()
	block := h.offset()
	if h.err != nil {
		return h.err
	}
	if count != nchunks {
		return errorf("%s: fixed array of %d chunks, the dataset has %d", o.Path, count, nchunks)
	}
	if pageBits < 64 && count > 1<<pageBits {
		return errorf("%s: paged fixed-array chunk indexes are not supported", o.Path)
	}
	filtered := client == 1
	if want := uint64(f.offSize); (!filtered && entrySize != want) || (filtered && (entrySize <= want+4 || entrySize > want+12)) {
		return errorf("%s: fixed array entries of %d bytes", o.Path, entrySize)
	}
	d := f.at(block, o.Path+" fixed array data block")
	d.magic("FADB")
	d.skip(2)
	d.offset()
	dims, cdims := o.space.dims, o.layout.chunk[:len(o.space.dims)]
	for i := range count {
		if d.err != nil {
			return d.err
		}
		addr, stored, mask := d.offset(), chunkBytes, uint32(0)
		if filtered {
			stored = d.uint(int(entrySize) - f.offSize - 4)
			mask = uint32(d.u32())
		}
		if addr == undefined {
			continue // never written: zeros
		}
		if err := put(gridOffsets(i, dims, cdims), addr, stored, mask); err != nil {
			return err
		}
	}
	return d.err
}

// unfilter undoes the filter pipeline (in reverse order) on one stored chunk
// and checks that it gives want bytes.
func (o *Object) unfilter(data []byte, mask uint32, want uint64) ([]byte, error) {
	for i := len(o.filters) - 1; i >= 0; i-- {
		fl := o.filters[i]
		if i < 32 && mask&(1<<i) != 0 {
			continue
		}
		switch fl.id {
		case 1:
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				return nil, errorf("%s: deflate: %v", o.Path, err)
			}
			var buf bytes.Buffer
			buf.Grow(int(min(want, uint64(len(data))*1100+1024))) // deflate expands at most ~1032 times
			if _, err := buf.ReadFrom(io.LimitReader(zr, int64(want)+1)); err != nil {
				return nil, errorf("%s: deflate: %v", o.Path, err)
			}
			data = buf.Bytes()
		case 2:
			data = unshuffle(data, o.dtype.size)
		case 3:
			if len(data) < 4 {
				return nil, errorf("%s: fletcher32 chunk too short", o.Path)
			}
			data = data[:len(data)-4]
		}
	}
	if uint64(len(data)) != want {
		return nil, errorf("%s: a chunk decodes to %d bytes, want %d", o.Path, len(data), want)
	}
	return data, nil
}

// unshuffle undoes HDF5's shuffle filter: the chunk holds byte 0 of every
// element, then byte 1 of every element, and so on; a tail that is not a
// whole element is left as it is.
func unshuffle(b []byte, size uint64) []byte {
	n := uint64(len(b)) / size
	if size <= 1 || n <= 1 {
		return b
	}
	out := make([]byte, len(b))
	for j := range size {
		for i := range n {
			out[i*size+j] = b[j*n+i]
		}
	}
	copy(out[n*size:], b[n*size:])
	return out
}

// place copies one decoded chunk, whose first element is at offs, into out,
// clipping the chunk's edge that lies outside the dataspace.
func (o *Object) place(out, chunk []byte, offs, cdims []uint64) error {
	dims, size := o.space.dims, o.dtype.size
	for d := range dims {
		if offs[d] >= dims[d] || offs[d]%cdims[d] != 0 {
			return errorf("%s: chunk at %v outside the dataspace %v", o.Path, offs, dims)
		}
	}
	rank := len(dims)
	idx := make([]uint64, rank) // position inside the chunk, last dimension handled as a run
	for {
		// Source and destination offsets of the run idx[:rank-1], 0..n.
		src, dst := uint64(0), uint64(0)
		for d := range rank {
			src = src*cdims[d] + idx[d]
			dst = dst*dims[d] + offs[d] + idx[d]
		}
		run := min(cdims[rank-1], dims[rank-1]-offs[rank-1])
		copy(out[dst*size:(dst+run)*size], chunk[src*size:(src+run)*size])
		// Next run: increment idx[rank-2], carrying over the chunk's clipped extent.
		d := rank - 2
		for ; d >= 0; d-- {
			idx[d]++
			if idx[d] < cdims[d] && offs[d]+idx[d] < dims[d] {
				break
			}
			idx[d] = 0
		}
		if d < 0 {
			return nil
		}
	}
}

// Raw returns a dataset's bytes as the file stores them (row major, each
// element elemSize bytes) and whether the datatype is opaque: bytes HDF5
// does not interpret, such as the bfloat16 values Keras 3 saves.
func (o *Object) Raw() (data []byte, elemSize int, opaque bool, err error) {
	b, t, err := o.rawData()
	if err != nil {
		return nil, 0, false, err
	}
	return b, int(t.size), t.class == classOpaque, nil
}

// Float32s returns a numeric dataset's values converted to float32, in row
// major order, and its shape.
func (o *Object) Float32s() ([]float32, []int, error) {
	b, t, err := o.rawData()
	if err != nil {
		return nil, nil, err
	}
	v, err := toFloat32(b, t)
	if err != nil {
		return nil, nil, errorf("%s: %v", o.Path, err)
	}
	return v, o.Shape(), nil
}

func toFloat32(b []byte, t *datatype) ([]float32, error) {
	if t.class != classFloat && t.class != classFixed {
		return nil, errorf("not numbers (datatype class %d)", t.class)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if t.bigEndian {
		order = binary.BigEndian
	}
	n := uint64(len(b)) / t.size
	out := make([]float32, n)
	for i := range out {
		e := b[uint64(i)*t.size:]
		switch {
		case t.class == classFloat && t.size == 4:
			out[i] = math.Float32frombits(order.Uint32(e))
		case t.class == classFloat && t.size == 8:
			out[i] = float32(math.Float64frombits(order.Uint64(e)))
		case t.class == classFloat:
			out[i] = half(order.Uint16(e))
		default:
			out[i] = float32(intValue(e[:t.size], order, t.signed))
		}
	}
	return out, nil
}

func intValue(e []byte, order binary.ByteOrder, signed bool) float64 {
	var u uint64
	switch len(e) {
	case 1:
		u = uint64(e[0])
	case 2:
		u = uint64(order.Uint16(e))
	case 4:
		u = uint64(order.Uint32(e))
	default:
		u = order.Uint64(e)
	}
	if signed {
		shift := 64 - 8*len(e)
		return float64(int64(u<<shift) >> shift)
	}
	return float64(u)
}

// half converts an IEEE 754 binary16 value.
func half(h uint16) float32 {
	sign := float32(1)
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, frac := int(h>>10&0x1f), float64(h&0x3ff)
	switch exp {
	case 0:
		return sign * float32(math.Ldexp(frac, -24))
	case 31:
		if frac != 0 {
			return float32(math.NaN())
		}
		return sign * float32(math.Inf(1))
	}
	return sign * float32(math.Ldexp(1+frac/1024, exp-15))
}
