package kernel

import (
	"math"
	"unsafe"
)

// SameBits reports whether a and b hold the same float32 bit patterns (so
// 0 and -0 differ, and a NaN equals its own bits). It compares two floats
// at a time as a uint64 when both slices are 8-byte aligned (weights
// always are: they start a Param's W), which in WebAssembly is about twice
// as fast as one at a time, and bytes.Equal's memequal is slower still.
func SameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 {
		return true
	}
	pa, pb := unsafe.Pointer(&a[0]), unsafe.Pointer(&b[0])
	i := 0
	if uintptr(pa)%8 == 0 && uintptr(pb)%8 == 0 {
		n := len(a) / 2
		a64, b64 := unsafe.Slice((*uint64)(pa), n), unsafe.Slice((*uint64)(pb), n)
		b64 = b64[:len(a64)]
		for j, v := range a64 {
			if v != b64[j] {
				return false
			}
		}
		i = 2 * n
	}
	b = b[:len(a)]
	for ; i < len(a); i++ {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}
