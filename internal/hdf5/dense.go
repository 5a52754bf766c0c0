package hdf5

import (
	"errors"
	"math/bits"
)

// Dense storage (format spec III.A.2 and III.G): a group's links or an
// object's attributes kept as objects of a fractal heap and indexed by name
// in a version 2 B-tree. The HDF5 library switches to it past 8 links or
// attributes when the file allows new structures (h5py's libver="latest"),
// and for attributes too large for the object header.

const (
	btreeLinkNames = 5 // v2 B-tree record type: a link name's hash and heap ID
	btreeAttrNames = 8 // an attribute name's heap ID, flags, order and hash
	maxHeapRows    = 64
)

// fractalHeap is a fractal heap header: the doubling table that maps a
// heap offset to the direct block holding it.
type fractalHeap struct {
	f             *File
	addr          uint64
	idLen         int
	offBytes      int    // bytes of a managed object's offset in a heap ID
	lenBytes      int    // bytes of its length
	width         uint64 // blocks per row of the doubling table
	start         uint64 // starting block size
	maxDirect     uint64 // maximum direct block size
	maxDirectRows int    // rows of direct blocks in an indirect block
	blockOffBytes int    // bytes of a block's heap offset in its header
	root          uint64
	rootRows      int
	checksums     bool // direct blocks end their header with a checksum
}

// encBytes is H5VM_limit_enc_size: the bytes that encode values up to v.
func encBytes(v uint64) int { return (bits.Len64(v)-1)/8 + 1 }

func (f *File) fractalHeap(addr uint64, what string) (*fractalHeap, error) {
	r := f.at(addr, what+" fractal heap")
	r.magic("FRHP")
	if v := r.u8(); r.err == nil && v != 0 {
		return nil, errorf("%s: fractal heap version %d, want 0", what, v)
	}
	h := &fractalHeap{f: f, addr: addr, idLen: r.u16()}
	filterLen := r.u16()
	flags := r.u8()
	maxManaged := r.u32()
	r.length() // next huge object ID
	r.offset() // huge objects' B-tree
	r.length() // free space in managed blocks
	r.offset() // free space manager
	r.length() // managed space
	r.length() // allocated managed space
	r.length() // direct block allocation iterator
	r.length() // managed objects
	r.length() // huge objects' size
	r.length() // huge objects
	r.length() // tiny objects' size
	r.length() // tiny objects
	h.width = uint64(r.u16())
	h.start = r.length()
	h.maxDirect = r.length()
	maxHeapBits := r.u16()
	r.u16() // starting rows of the root indirect block
	h.root = r.offset()
	h.rootRows = r.u16()
	if r.err != nil {
		return nil, r.err
	}
	pow2 := func(v uint64) bool { return v != 0 && v&(v-1) == 0 }
	switch {
	case filterLen != 0:
		return nil, errorf("%s: filtered fractal heaps are not supported", what)
	case !pow2(h.width) || h.width > 1<<16 || !pow2(h.start) || !pow2(h.maxDirect) || h.maxDirect < h.start ||
		h.maxDirect > 1<<31 || maxHeapBits < 1 || maxHeapBits > 64 || h.rootRows > maxHeapRows:
		return nil, errorf("%s: fractal heap with an impossible doubling table (width %d, blocks %d to %d, %d bits, %d rows)",
			what, h.width, h.start, h.maxDirect, maxHeapBits, h.rootRows)
	}
	h.checksums = flags&2 != 0
	h.blockOffBytes = (maxHeapBits + 7) / 8
	h.offBytes = h.blockOffBytes
	h.lenBytes = min(encBytes(h.maxDirect), encBytes(maxManaged))
	h.maxDirectRows = bits.Len64(h.maxDirect) - bits.Len64(h.start) + 2
	return h, nil
}

// rowSize is the size of each block in row r of the doubling table.
func (h *fractalHeap) rowSize(r int) uint64 {
	if r == 0 {
		return h.start
	}
	return h.start << (r - 1)
}

// object returns the heap object a heap ID names.
func (h *fractalHeap) object(id []byte) ([]byte, error) {
	if len(id) == 0 {
		return nil, errorf("empty fractal heap ID")
	}
	if id[0]>>6 != 0 {
		return nil, errorf("fractal heap ID version %d, want 0", id[0]>>6)
	}
	switch id[0] >> 4 & 3 {
	case 0:
	case 2: // tiny: the object is in the ID itself
		n := int(id[0]&0x0f) + 1
		if 1+n > len(id) {
			return nil, errorf("tiny heap object of %d bytes in a %d-byte ID", n, len(id))
		}
		return id[1 : 1+n], nil
	default:
		return nil, errorf("huge fractal heap objects are not supported")
	}
	r := &reader{f: h.f, b: id, pos: 1, end: uint64(len(id)), what: "fractal heap ID"}
	off, length := r.uint(h.offBytes), r.uint(h.lenBytes)
	if r.err != nil {
		return nil, r.err
	}
	if length == 0 || length > h.maxDirect || off == undefined {
		return nil, errorf("heap object of %d bytes at offset %d", length, off)
	}
	block, blockStart, size, err := h.locate(off)
	if err != nil {
		return nil, err
	}
	if off-blockStart+length > size {
		return nil, errorf("heap object at %d of %d bytes crosses its block's end", off, length)
	}
	b := h.f.at(block+off-blockStart, "fractal heap object")
	data := b.bytes(length)
	return data, b.err
}

// locate finds the direct block holding heap offset off: its file address,
// heap offset and size.
func (h *fractalHeap) locate(off uint64) (addr, start, size uint64, err error) {
	addr, rows, base := h.root, h.rootRows, uint64(0)
	if rows == 0 {
		if off >= h.start {
			return 0, 0, 0, errorf("heap offset %d past the root direct block", off)
		}
		return addr, 0, h.start, h.checkDirect(addr, 0)
	}
	for depth := 0; depth < maxDepth; depth++ {
		if err := h.f.step(); err != nil {
			return 0, 0, 0, err
		}
		if off < base {
			return 0, 0, 0, errorf("heap offset %d before its indirect block", off)
		}
		rowStart, r := base, 0
		for ; r < rows; r++ {
			span := h.rowSize(r) * h.width
			if off-rowStart < span {
				break
			}
			rowStart += span
		}
		if r == rows {
			return 0, 0, 0, errorf("heap offset %d outside its indirect block", off)
		}
		sz := h.rowSize(r)
		col := (off - rowStart) / sz
		blockStart := rowStart + col*sz
		ib := h.f.at(addr, "fractal heap indirect block")
		ib.magic("FHIB")
		ib.skip(1)
		if hdr := ib.offset(); ib.err == nil && hdr != h.addr {
			return 0, 0, 0, errorf("indirect block of another heap (%d, want %d)", hdr, h.addr)
		}
		if got := ib.uint(h.blockOffBytes); ib.err == nil && got != base&(1<<(8*h.blockOffBytes)-1) {
			return 0, 0, 0, errorf("indirect block at heap offset %d, want %d", got, base)
		}
		direct := min(rows, h.maxDirectRows)
		entry := uint64(r)*h.width + col
		if r >= h.maxDirectRows {
			entry = uint64(direct)*h.width + uint64(r-h.maxDirectRows)*h.width + col
		}
		ib.skip(entry * uint64(h.f.offSize))
		child := ib.offset()
		if ib.err != nil {
			return 0, 0, 0, ib.err
		}
		if child == undefined {
			return 0, 0, 0, errorf("heap offset %d is in a block never written", off)
		}
		if r < h.maxDirectRows {
			return child, blockStart, sz, h.checkDirect(child, blockStart)
		}
		// A child indirect block of this row's size holds the rows of
		// blocks up to it.
		addr, base = child, blockStart
		rows = bits.Len64(sz) - bits.Len64(h.start*h.width) + 1
		if rows < 1 || rows > maxHeapRows {
			return 0, 0, 0, errorf("indirect block of %d rows", rows)
		}
	}
	return 0, 0, 0, errorf("fractal heap deeper than %d indirect blocks", maxDepth)
}

func (h *fractalHeap) checkDirect(addr, start uint64) error {
	r := h.f.at(addr, "fractal heap direct block")
	r.magic("FHDB")
	r.skip(1)
	if hdr := r.offset(); r.err == nil && hdr != h.addr {
		return errorf("direct block of another heap (%d, want %d)", hdr, h.addr)
	}
	return r.err
}

// btree2 calls fn with each record of the version 2 B-tree at addr, which
// must hold records of type want.
func (f *File) btree2(addr uint64, want int, what string, fn func(rec []byte) error) error {
	r := f.at(addr, what+" B-tree")
	r.magic("BTHD")
	r.skip(1)
	typ := r.u8()
	nodeSize := r.u32()
	recSize := uint64(r.u16())
	depth := r.u16()
	r.skip(2)
	root := r.offset()
	rootN := uint64(r.u16())
	if r.err != nil {
		return r.err
	}
	if typ != want {
		return errorf("%s: B-tree of type %d, want %d", what, typ, want)
	}
	if recSize == 0 || nodeSize < 10+recSize || nodeSize > 1<<20 || depth > maxDepth {
		return errorf("%s: B-tree of %d-byte nodes, %d-byte records, depth %d", what, nodeSize, recSize, depth)
	}
	if root == undefined {
		return nil
	}
	// H5B2__hdr_init's sizes: how many bytes count a child's records
	// (nrecBytes) and its subtree's records (cumBytes[level]).
	leafMax := (nodeSize - 10) / recSize
	nrecBytes := encBytes(leafMax)
	cum, cumBytes := make([]uint64, depth+1), make([]int, depth+1)
	cum[0] = leafMax
	for u := 1; u <= depth; u++ {
		ptr := uint64(f.offSize + nrecBytes)
		if u > 1 {
			ptr += uint64(cumBytes[u-1])
		}
		if nodeSize < 10+ptr {
			return errorf("%s: B-tree nodes of %d bytes hold no child", what, nodeSize)
		}
		maxRec := (nodeSize - (10 + ptr)) / (recSize + ptr)
		cum[u] = (maxRec+1)*cum[u-1] + maxRec
		if cum[u] < cum[u-1] || cum[u] > 1<<56 {
			cum[u] = 1 << 56 // past any real tree: only the field's width matters
		}
		cumBytes[u] = encBytes(cum[u])
	}
	seen := map[uint64]bool{}
	var walk func(addr, n uint64, level int) error
	walk = func(addr, n uint64, level int) error {
		if seen[addr] {
			return errorf("%s: B-tree node %d visited twice (a cycle)", what, addr)
		}
		seen[addr] = true
		if n*recSize > nodeSize {
			return errorf("%s: B-tree node of %d records", what, n)
		}
		node := f.at(addr, what+" B-tree node")
		if level == 0 {
			node.magic("BTLF")
		} else {
			node.magic("BTIN")
		}
		node.skip(2)
		recs := make([][]byte, n)
		for i := range recs {
			recs[i] = node.bytes(recSize)
		}
		type child struct{ addr, n uint64 }
		var kids []child
		if level > 0 {
			for range n + 1 {
				c := child{addr: node.offset(), n: count(node.bytes(uint64(nrecBytes)))}
				if level > 1 {
					node.skip(uint64(cumBytes[level-1]))
				}
				kids = append(kids, c)
			}
		}
		if node.err != nil {
			return node.err
		}
		for i, rec := range recs {
			if err := f.step(); err != nil {
				return err
			}
			if level > 0 {
				if err := walk(kids[i].addr, kids[i].n, level-1); err != nil {
					return err
				}
			}
			if err := fn(rec); err != nil {
				return err
			}
		}
		if level > 0 {
			return walk(kids[n].addr, kids[n].n, level-1)
		}
		return nil
	}
	return walk(root, rootN, depth)
}

// within prefixes a FormatError's message with path.
func within(path string, err error) error {
	var fe *FormatError
	if errors.As(err, &fe) {
		return errorf("%s: %s", path, fe.Msg)
	}
	return err
}

// count decodes a little-endian record count (all ones is a count here,
// not the undefined address reader.uint makes of it).
func count(b []byte) uint64 {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// denseIndex is where a dense group keeps its links or an object its
// attributes: a fractal heap and the B-tree of names.
type denseIndex struct{ heap, names uint64 }

// denseLinks reads a dense group's links.
func (f *File) denseLinks(d *denseIndex, path string) ([]link, error) {
	h, err := f.fractalHeap(d.heap, path+" links")
	if err != nil {
		return nil, err
	}
	var out []link
	err = f.btree2(d.names, btreeLinkNames, path+" link names", func(rec []byte) error {
		if len(rec) < 4+h.idLen || h.idLen == 0 {
			return errorf("%s: link record of %d bytes for %d-byte heap IDs", path, len(rec), h.idLen)
		}
		obj, err := h.object(rec[4 : 4+h.idLen])
		if err != nil {
			return within(path, err)
		}
		l, err := parseLink(&reader{f: f, b: obj, end: uint64(len(obj)), what: "link message"})
		if err != nil {
			return within(path, err)
		}
		out = append(out, l)
		return nil
	})
	return out, err
}

// denseAttrs reads an object's attributes kept in dense storage.
func (f *File) denseAttrs(d *denseIndex, path string) ([]*Attribute, error) {
	h, err := f.fractalHeap(d.heap, path+" attributes")
	if err != nil {
		return nil, err
	}
	var out []*Attribute
	err = f.btree2(d.names, btreeAttrNames, path+" attribute names", func(rec []byte) error {
		if len(rec) < 8+1 {
			return errorf("%s: attribute record of %d bytes", path, len(rec))
		}
		if rec[8]&0x02 != 0 {
			return errorf("%s: shared attribute messages are not supported", path)
		}
		obj, err := h.object(rec[:8])
		if err != nil {
			return within(path, err)
		}
		a, err := f.parseAttribute(&reader{f: f, b: obj, end: uint64(len(obj)), what: "attribute message"}, path)
		if err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	return out, err
}
