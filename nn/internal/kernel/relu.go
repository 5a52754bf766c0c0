package kernel

import "math"

// ReLU's Go loops: the definition, run where there is no SIMD (and on the
// last few values of a row that SIMD takes in groups), and the oracle the
// SIMD versions are tested against. ReLUForward and ReLUBackward run these
// loops, or AVX2 assembly on amd64 (relu_amd64.go) or the WebAssembly SIMD
// module (relu_wasm.go), with the same bits.

// reluForwardGo is ReLU's forward, y = z where z > 0, else +0. Not max(v,
// 0): under WebAssembly that is a runtime call (2% of a training step).
// !(v <= 0) keeps a NaN a NaN, so divergence still shows. v's bits are
// masked rather than branched on: half the values are negative, and a
// branch on each was mispredicted. ReLUForward runs this loop, or SIMD with
// the same bits.
func reluForwardGo(y, z []float32) {
	y = y[:len(z)]
	for i, v := range z {
		y[i] = math.Float32frombits(math.Float32bits(v) & keepMask(!(v <= 0)))
	}
}

// keepMask is all ones if keep, else 0, without a branch.
func keepMask(keep bool) uint32 {
	var m uint32
	if keep {
		m = 1
	}
	return -m
}

// reluBackwardGo is ReLU's backward, dz = dy where y > 0, else +0: masked,
// as in reluForwardGo. ReLUBackward runs this loop, or SIMD.
func reluBackwardGo(dz, dy, y []float32) {
	dz, y = dz[:len(dy)], y[:len(dy)]
	for i, g := range dy {
		dz[i] = math.Float32frombits(math.Float32bits(g) & keepMask(y[i] > 0))
	}
}
