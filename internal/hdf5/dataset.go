package hdf5

// Datasets: a dataspace (shape), a datatype, a layout (where the bytes
// are) and a filter pipeline (how chunks are encoded).

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
