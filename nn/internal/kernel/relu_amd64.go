//go:build amd64 && !noasm

package kernel

// ReLU in AVX2 assembly (relu_amd64.s), under vecAsmEnabled like the
// Winograd transforms (winovec_amd64.go): a compare gives each lane's mask
// (all ones or 0) and an AND applies it to the value's bits, what the Go
// loops compute with keepMask. The assembly takes whole groups of 8, the Go
// loop the rest.

// reluForwardAVX2 is reluForwardGo on n values, a positive multiple of 8:
// VCMPPS's predicate NLE_UQ is !(z <= 0), true for NaN.
//
//go:noescape
func reluForwardAVX2(y, z *float32, n int)

// reluBackwardAVX2 is reluBackwardGo on n values, a positive multiple of 8:
// VCMPPS's predicate GT_OQ is y > 0, false for NaN.
//
//go:noescape
func reluBackwardAVX2(dz, dy, y *float32, n int)

// ReLUForward is reluForwardGo.
func ReLUForward(y, z []float32) {
	if n := vecAsmLen(len(z)); n > 0 {
		_ = y[n-1]
		reluForwardAVX2(&y[0], &z[0], n)
		if n == len(z) {
			return
		}
		y, z = y[n:], z[n:]
	}
	reluForwardGo(y, z)
}

// ReLUBackward is reluBackwardGo.
func ReLUBackward(dz, dy, y []float32) {
	if n := vecAsmLen(len(dy)); n > 0 {
		_, _ = dz[n-1], y[n-1]
		reluBackwardAVX2(&dz[0], &dy[0], &y[0], n)
		if n == len(dy) {
			return
		}
		dz, dy, y = dz[n:], dy[n:], y[n:]
	}
	reluBackwardGo(dz, dy, y)
}
