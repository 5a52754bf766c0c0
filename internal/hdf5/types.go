package hdf5

import (
	"encoding/binary"
	"math"
)

// Datatypes (what one element is) and dataspaces (the shape), and turning
// numbers of any supported type into float32.

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
