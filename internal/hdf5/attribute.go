package hdf5

import "strings"

// Attributes (IV.A.2.m): small named values in an object's header. Keras
// keeps its JSON config and the layer and weight name lists in them.

// Attribute is one attribute of an object.
type Attribute struct {
	Name  string
	f     *File
	owner string
	dtype *datatype
	space *dataspace
	data  []byte
}

func pad8(n uint64) uint64 { return (n + 7) &^ 7 }

func (f *File) parseAttribute(r *reader, owner string) (*Attribute, error) {
	version := r.u8()
	r.u8() // reserved or flags
	nameLen, typeLen, spaceLen := uint64(r.u16()), uint64(r.u16()), uint64(r.u16())
	if version == 3 {
		r.u8() // name encoding
	}
	padded := func(n uint64) uint64 {
		if version == 1 {
			return pad8(n)
		}
		return n
	}
	if version < 1 || version > 3 {
		return nil, errorf("%s: attribute message version %d is not supported", owner, version)
	}
	name := r.sub(padded(nameLen), "attribute name")
	tr := r.sub(padded(typeLen), "attribute datatype")
	sr := r.sub(padded(spaceLen), "attribute dataspace")
	if r.err != nil {
		return nil, r.err
	}
	a := &Attribute{f: f, owner: owner}
	a.Name = strings.TrimRight(string(name.bytes(min(nameLen, name.remaining()))), "\x00")
	var err error
	if a.dtype, err = parseDatatype(tr); err != nil {
		return nil, errorf("%s attribute %q: %v", owner, a.Name, err)
	}
	if a.space, err = parseDataspace(sr); err != nil {
		return nil, errorf("%s attribute %q: %v", owner, a.Name, err)
	}
	n, err := a.space.count(a.dtype.size)
	if err != nil {
		return nil, errorf("%s attribute %q: %v", owner, a.Name, err)
	}
	a.data = r.bytes(n * a.dtype.size)
	return a, r.err
}

// Attrs lists the object's attributes in header order.
func (o *Object) Attrs() ([]*Attribute, error) {
	if o.denseAttrs != nil {
		attrs, err := o.f.denseAttrs(o.denseAttrs, o.Path)
		if err != nil {
			return nil, err
		}
		o.attrs, o.denseAttrs = append(o.attrs, attrs...), nil
	}
	return o.attrs, nil
}

// Attr returns the attribute called name, or nil when o has none by that
// name.
func (o *Object) Attr(name string) (*Attribute, error) {
	attrs, err := o.Attrs()
	if err != nil {
		return nil, err
	}
	for _, a := range attrs {
		if a.Name == name {
			return a, nil
		}
	}
	return nil, nil
}

// Shape is the attribute's dimensions (empty for a scalar).
func (a *Attribute) Shape() []int {
	out := make([]int, len(a.space.dims))
	for i, d := range a.space.dims {
		out[i] = int(d)
	}
	return out
}

// IsString reports whether the attribute holds strings.
func (a *Attribute) IsString() bool {
	return a.dtype.class == classString || a.dtype.vlenStr
}

// Strings returns the attribute's strings, one per element: fixed-length
// strings cut at their first NUL (as NumPy's bytes are), variable-length
// strings read from the global heap.
func (a *Attribute) Strings() ([]string, error) {
	size := a.dtype.size
	n := uint64(len(a.data)) / size
	out := make([]string, 0, n)
	for i := range n {
		e := a.data[i*size : (i+1)*size]
		switch {
		case a.dtype.class == classString:
			s := string(e)
			if j := strings.IndexByte(s, 0); j >= 0 {
				s = s[:j]
			}
			out = append(out, s)
		case a.dtype.vlenStr:
			s, err := a.f.vlenString(e)
			if err != nil {
				return nil, errorf("%s attribute %q: %v", a.owner, a.Name, err)
			}
			out = append(out, s)
		default:
			return nil, errorf("%s attribute %q holds numbers, not strings", a.owner, a.Name)
		}
	}
	return out, nil
}

// String returns a scalar or one-element string attribute's value.
func (a *Attribute) String() (string, error) {
	s, err := a.Strings()
	if err != nil {
		return "", err
	}
	if len(s) != 1 {
		return "", errorf("%s attribute %q holds %d strings, want 1", a.owner, a.Name, len(s))
	}
	return s[0], nil
}

// Float32s returns a numeric attribute's values.
func (a *Attribute) Float32s() ([]float32, error) {
	v, err := toFloat32(a.data, a.dtype)
	if err != nil {
		return nil, errorf("%s attribute %q: %v", a.owner, a.Name, err)
	}
	return v, nil
}

// vlenString reads a variable-length string element: its length, then the
// global heap collection and object index that hold its bytes.
func (f *File) vlenString(e []byte) (string, error) {
	r := &reader{f: f, b: e, end: uint64(len(e)), what: "variable-length string"}
	length := r.u32()
	coll := r.offset()
	index := r.u32()
	if r.err != nil {
		return "", r.err
	}
	if length == 0 {
		return "", nil
	}
	obj, err := f.globalObject(coll, index)
	if err != nil {
		return "", err
	}
	if length > uint64(len(obj)) {
		return "", errorf("string of %d bytes in a heap object of %d", length, len(obj))
	}
	return string(obj[:length]), nil
}

// globalObject returns object index of the global heap collection at addr.
func (f *File) globalObject(addr, index uint64) ([]byte, error) {
	coll, ok := f.heapCache[addr]
	if !ok {
		r := f.at(addr, "global heap")
		r.magic("GCOL")
		r.skip(4)
		size := r.length()
		if r.err != nil {
			return nil, r.err
		}
		hdr := 8 + uint64(f.lenSize)
		if size < hdr {
			return nil, errorf("global heap collection of %d bytes", size)
		}
		f.heapCache[addr] = nil
		body := r.sub(size-hdr, "global heap")
		if body.err != nil {
			return nil, body.err
		}
		coll = body.b[body.pos:body.end]
		f.heapCache[addr] = coll
	}
	r := &reader{f: f, b: coll, end: uint64(len(coll)), what: "global heap collection"}
	for r.remaining() >= 8+uint64(f.lenSize) {
		if err := f.step(); err != nil {
			return nil, err
		}
		idx := uint64(r.u16())
		r.skip(6) // reference count, reserved
		size := r.length()
		if idx == 0 {
			break // free space: the end of the objects
		}
		data := r.sub(min(size, r.remaining()), "global heap object")
		if size > uint64(len(coll)) {
			return nil, errorf("global heap object of %d bytes", size)
		}
		r.skip(min(pad8(size)-size, r.remaining()))
		if idx == index {
			return data.b[data.pos:data.end], data.err
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	return nil, errorf("global heap object %d not found", index)
}
