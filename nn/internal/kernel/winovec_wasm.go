//go:build js && wasm

package kernel

import (
	"slices"

	"convplay/nn/internal/kernel/wasmsimd"
)

// In the browser the Winograd transforms on channel rows run on the SIMD
// module (package wasmsimd, vecOps) when gemm's SIMD path is on. A call crosses
// into JavaScript (about a microsecond), and a tile's transforms are 8
// calls on rows of 8-128 channels, so they are queued instead: the tile
// loops (nn's winograd.go) call FlushVecOps at the end of each tile row or image,
// which runs the queue on the module in one call, in order, on the rows'
// lanes in groups of 4, and then on the Go loops for the last n%4 lanes of
// every row, in the same order. Each lane's result depends on that lane of
// the inputs alone, so the bits are the Go loops'. Nothing between a queued
// transform and the flush reads its outputs except later transforms, which
// are queued behind it; WebAssembly runs one goroutine at a time and the
// tile loops run on one worker there, so one queue serves.

// vecQueue holds the transforms queued since the last flush.
var vecQueue struct {
	n    int            // the rows' length, at least 4: every queued op's
	ops  []int32        // the module's list: per op, its code and 8 addresses
	rows [][8][]float32 // when n%4 != 0, the same ops' rows, for the Go loops on the last lanes
}

// queueVec queues op on rows (outputs first, as the Go function takes them),
// or runs it now with the Go loop when the SIMD module is off or the rows
// are too short to gain.
func queueVec(op int32, rows ...[]float32) {
	n := len(rows[len(rows)-1])
	q := &vecQueue
	if !simdOn || n < 4 {
		FlushVecOps()
		runVecGo(op, rows)
		return
	}
	if len(q.ops) > 0 && n != q.n {
		FlushVecOps()
	}
	q.n = n
	k := len(q.ops)
	q.ops = slices.Grow(q.ops, wasmsimd.VecOpWords)[:k+wasmsimd.VecOpWords]
	e := q.ops[k : k+wasmsimd.VecOpWords]
	e[0] = op
	for i, r := range rows {
		e[1+i] = int32(addr(r[:n]))
	}
	clear(e[1+len(rows):])
	if n&3 != 0 { // the Go loops will need the rows for the last lanes
		var r [8][]float32
		copy(r[:], rows)
		q.rows = append(q.rows, r)
	}
}

// FlushVecOps runs the queued transforms (see above).
func FlushVecOps() {
	q := &vecQueue
	if len(q.ops) == 0 {
		return
	}
	n4 := q.n &^ 3
	wasmSIMD.vecOps.Invoke(addr(q.ops), len(q.ops)/wasmsimd.VecOpWords, n4)
	for k, r := range q.rows { // only when q.n%4 != 0: the last lanes
		var tail [8][]float32
		for i, row := range r {
			if row != nil {
				tail[i] = row[n4:]
			}
		}
		runVecGo(q.ops[k*wasmsimd.VecOpWords], tail[:])
	}
	q.ops, q.rows = q.ops[:0], q.rows[:0]
}

// runVecGo runs op's Go loop on rows.
func runVecGo(op int32, r [][]float32) {
	switch op {
	case wasmsimd.VecOpBt4:
		bt4VecGo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])
	case wasmsimd.VecOpB4:
		b4VecGo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])
	case wasmsimd.VecOpB4Add:
		b4AddVecGo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])
	case wasmsimd.VecOpAt4:
		at4VecGo(r[0], r[1], r[2], r[3], r[4], r[5])
	case wasmsimd.VecOpA2:
		a2VecGo(r[0], r[1], r[2], r[3], r[4], r[5])
	}
}

// Bt4Vec is bt4VecGo.
func Bt4Vec(v0, v1, v2, v3, d0, d1, d2, d3 []float32) {
	queueVec(wasmsimd.VecOpBt4, v0, v1, v2, v3, d0, d1, d2, d3)
}

// B4Vec is b4VecGo.
func B4Vec(d0, d1, d2, d3, v0, v1, v2, v3 []float32) {
	queueVec(wasmsimd.VecOpB4, d0, d1, d2, d3, v0, v1, v2, v3)
}

// B4AddVec is b4AddVecGo.
func B4AddVec(d0, d1, d2, d3, v0, v1, v2, v3 []float32) {
	queueVec(wasmsimd.VecOpB4Add, d0, d1, d2, d3, v0, v1, v2, v3)
}

// At4Vec is at4VecGo.
func At4Vec(y0, y1, m0, m1, m2, m3 []float32) { queueVec(wasmsimd.VecOpAt4, y0, y1, m0, m1, m2, m3) }

// A2Vec is a2VecGo.
func A2Vec(m0, m1, m2, m3, y0, y1 []float32) { queueVec(wasmsimd.VecOpA2, m0, m1, m2, m3, y0, y1) }
