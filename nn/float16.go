package nn

import "math"

// IEEE 754 binary16 ("half", NumPy's float16): 1 sign bit, 5 exponent bits
// (bias 15), 10 fraction bits. Every float16 is exactly a float32, so
// widening is exact; narrowing rounds to the nearest float16, ties to even,
// as NumPy's astype(np.float16) does (testdata/float16.golden pins both).
// The largest finite float16 is 65504; magnitudes from 65520 on round to
// infinity, and below 2^-14 the values are subnormal, down to 2^-24.

// float16Max is the largest finite float16.
const float16Max = 65504

// float32ToFloat16 narrows f to the nearest float16 bits, ties to even.
// NaN stays NaN (its top fraction bits kept, a quiet bit set), infinities
// stay infinite, and finite values too large become infinite.
func float32ToFloat16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	frac := b & 0x7fffff
	switch {
	case exp == 0xff: // Inf or NaN
		if frac == 0 {
			return sign | 0x7c00
		}
		return sign | 0x7e00 | uint16(frac>>13)
	case exp > 127+15: // at least 2^16: beyond any float16
		return sign | 0x7c00
	case exp >= 127-14: // a normal float16, or one that rounds up to infinity
		// Drop 13 fraction bits, rounding half to even; a carry out of the
		// fraction correctly bumps the exponent (to infinity above 65504).
		h := uint32(exp-127+15)<<10 | frac>>13
		return sign | uint16(roundShifted(h, frac&0x1fff, 13))
	case exp >= 127-25: // a float16 subnormal (or zero, or the smallest after rounding)
		m := frac | 0x800000     // the implicit leading 1
		shift := uint(126 - exp) // 14..24 more bits than a normal's 13
		return sign | uint16(roundShifted(m>>shift, m&(1<<shift-1), shift))
	}
	return sign // below half the smallest subnormal: zero
}

// roundShifted rounds kept (a value whose low bits lost were dropped)
// to nearest, ties to even: lost holds the shift bits dropped.
func roundShifted(kept, lost uint32, shift uint) uint32 {
	half := uint32(1) << (shift - 1)
	if lost > half || (lost == half && kept&1 == 1) {
		kept++
	}
	return kept
}

// float16ToFloat32 widens float16 bits h to the float32 of the same value
// (NaN keeps its fraction bits, shifted into float32's).
func float16ToFloat32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := int(h>>10) & 0x1f
	frac := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: normalize
		e := 127 - 14
		for frac&0x400 == 0 {
			frac <<= 1
			e--
		}
		return math.Float32frombits(sign | uint32(e)<<23 | (frac&0x3ff)<<13)
	}
	return math.Float32frombits(sign | uint32(exp-15+127)<<23 | frac<<13)
}

// float16NonFinite reports whether float16 bits h are NaN or infinite.
func float16NonFinite(h uint16) bool { return h&0x7c00 == 0x7c00 }
