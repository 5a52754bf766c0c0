//go:build js && wasm

package nn

import "slices"

// In the browser the Winograd transforms on channel rows run on the SIMD
// module (wasmsimd.go, vecOps) when gemm's SIMD path is on. A call crosses
// into JavaScript (about a microsecond), and a tile's transforms are 8
// calls on rows of 8-128 channels, so they are queued instead: the tile
// loops (winograd.go) call flushVecOps at the end of each tile row or image,
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
	if !wasmSIMD.enabled || n < 4 {
		flushVecOps()
		runVecGo(op, rows)
		return
	}
	if len(q.ops) > 0 && n != q.n {
		flushVecOps()
	}
	q.n = n
	k := len(q.ops)
	q.ops = slices.Grow(q.ops, vecOpWords)[:k+vecOpWords]
	e := q.ops[k : k+vecOpWords]
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

// flushVecOps runs the queued transforms (see above).
func flushVecOps() {
	q := &vecQueue
	if len(q.ops) == 0 {
		return
	}
	n4 := q.n &^ 3
	wasmSIMD.vecOps.Invoke(addr(q.ops), len(q.ops)/vecOpWords, n4)
	for k, r := range q.rows { // only when q.n%4 != 0: the last lanes
		var tail [8][]float32
		for i, row := range r {
			if row != nil {
				tail[i] = row[n4:]
			}
		}
		runVecGo(q.ops[k*vecOpWords], tail[:])
	}
	q.ops, q.rows = q.ops[:0], q.rows[:0]
}

// runVecGo runs op's Go loop on rows.
func runVecGo(op int32, r [][]float32) {
	switch op {
	case vecOpBt4:
		bt4VecGo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])
	case vecOpB4:
		b4VecGo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])
	case vecOpB4Add:
		b4AddVecGo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])
	case vecOpAt4:
		at4VecGo(r[0], r[1], r[2], r[3], r[4], r[5])
	case vecOpA2:
		a2VecGo(r[0], r[1], r[2], r[3], r[4], r[5])
	}
}

func bt4Vec(v0, v1, v2, v3, d0, d1, d2, d3 []float32) {
	queueVec(vecOpBt4, v0, v1, v2, v3, d0, d1, d2, d3)
}
func b4Vec(d0, d1, d2, d3, v0, v1, v2, v3 []float32) {
	queueVec(vecOpB4, d0, d1, d2, d3, v0, v1, v2, v3)
}
func b4AddVec(d0, d1, d2, d3, v0, v1, v2, v3 []float32) {
	queueVec(vecOpB4Add, d0, d1, d2, d3, v0, v1, v2, v3)
}
func at4Vec(y0, y1, m0, m1, m2, m3 []float32) { queueVec(vecOpAt4, y0, y1, m0, m1, m2, m3) }
func a2Vec(m0, m1, m2, m3, y0, y1 []float32)  { queueVec(vecOpA2, m0, m1, m2, m3, y0, y1) }
