package hdf5

import (
	"bytes"
	"compress/zlib"
	"io"
)

// Chunked datasets: the chunks are found through a v1 B-tree (layout
// version 3) or, in layout version 4, a single chunk, an implicit index or
// an unpaged fixed array; each is undone by the filter pipeline and placed
// in the dataset.

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
