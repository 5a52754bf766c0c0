package wasmsimd

// vecOpsCode writes vecOps(list, count, n): the count entries of list, in
// order, each on lanes 0..n-1 of its rows (n a positive multiple of 4). A
// lane's outputs are its Go loop's: the same f32 operations in the same
// order, -v a sign flip (f32x4.neg), all of a group's inputs loaded before
// any output is stored, so an output may be an input.
func vecOpsCode(f *wasmWriter) {
	const (
		list, count, n = 0, 1, 2 // parameters
		e              = 3       // the entry
		stop           = 4       // list's end
		o              = 5       // the lane group's byte offset
		end            = 6       // 4n
		code           = 7
		p0             = 8  // 8 row addresses: p0..p0+7 (locals 8-15)
		x0             = 16 // v128: up to 4 inputs x0..x3, then t
		t              = 20
	)
	f.get(n)
	f.i32Const(2)
	f.op(opI32Shl)
	f.set(end)
	f.get(list)
	f.get(count)
	f.i32Const(4 * VecOpWords)
	f.op(opI32Mul)
	f.op(opI32Add)
	f.set(stop)
	f.get(list)
	f.set(e)
	f.loop() // over entries
	f.get(e)
	f.memI32(0)
	f.set(code)
	for j := range 8 {
		f.get(e)
		f.memI32(uint32(4 + 4*j))
		f.set(p0 + j)
	}
	// row j at the lane group: p_j + o
	at := func(j int) { f.get(p0 + j); f.get(o); f.op(opI32Add) }
	load := func(j, dst int) { at(j); f.simdMem(simdV128Load, 0); f.set(dst) }
	store := func(j int, value func()) { at(j); value(); f.simdMem(simdV128Store, 0) }
	x := func(i int) func() { return func() { f.get(x0 + i) } }
	bin := func(op uint32, a, b func()) func() { return func() { a(); b(); f.simd(op) } }
	const add, sub, neg = simdF32x4Add, simdF32x4Sub, simdF32x4Neg
	ops := []struct {
		inputs []int // rows loaded into x0, x1, ...
		body   func()
	}{
		VecOpBt4: {[]int{4, 5, 6, 7}, func() { // v = (d0-d2, d1+d2, d2-d1, d1-d3)
			store(0, bin(sub, x(0), x(2)))
			store(1, bin(add, x(1), x(2)))
			store(2, bin(sub, x(2), x(1)))
			store(3, bin(sub, x(1), x(3)))
		}},
		VecOpB4: {[]int{4, 5, 6, 7}, func() { // d = (v0, v1-v2+v3, v1+v2-v0, -v3)
			store(0, x(0))
			store(1, bin(add, bin(sub, x(1), x(2)), x(3)))
			store(2, bin(sub, bin(add, x(1), x(2)), x(0)))
			store(3, func() { f.get(x0 + 3); f.simd(neg) })
		}},
		VecOpB4Add: {[]int{4, 5, 6, 7}, func() { // d += b4(v), each d loaded into t first
			b4 := []func(){x(0), bin(add, bin(sub, x(1), x(2)), x(3)), bin(sub, bin(add, x(1), x(2)), x(0)), func() { f.get(x0 + 3); f.simd(neg) }}
			for j, v := range b4 {
				load(j, t)
				store(j, bin(add, func() { f.get(t) }, v))
			}
		}},
		VecOpAt4: {[]int{2, 3, 4, 5}, func() { // y = (m0+m1+m2, m1-m2-m3)
			store(0, bin(add, bin(add, x(0), x(1)), x(2)))
			store(1, bin(sub, bin(sub, x(1), x(2)), x(3)))
		}},
		VecOpA2: {[]int{4, 5}, func() { // m = (y0, y0+y1, y0-y1, -y1)
			store(0, x(0))
			store(1, bin(add, x(0), x(1)))
			store(2, bin(sub, x(0), x(1)))
			store(3, func() { f.get(x0 + 1); f.simd(neg) })
		}},
	}
	for c, op := range ops {
		f.get(code)
		f.i32Const(int32(c))
		f.op(opI32Eq)
		f.ifBlock()
		f.i32Const(0)
		f.set(o)
		f.loop() // over lane groups
		for i, j := range op.inputs {
			load(j, x0+i)
		}
		op.body()
		f.get(o)
		f.i32Const(16)
		f.op(opI32Add)
		f.tee(o)
		f.get(end)
		f.op(opI32LtU)
		f.brIf(0)
		f.op(opEnd) // end loop
		f.op(opEnd) // end if
	}
	f.get(e)
	f.i32Const(4 * VecOpWords)
	f.op(opI32Add)
	f.tee(e)
	f.get(stop)
	f.op(opI32LtU)
	f.brIf(0)
	f.op(opEnd) // end loop over entries
}

// reluForwardCode writes reluForward(y, z, n): for i < n (a positive
// multiple of 4), y[i] = z[i] if !(z[i] <= 0) else +0, as reluForwardGo:
// f32x4.le gives the lanes where z <= 0 (not a NaN's) all ones, and
// v128.andnot clears them.
func reluForwardCode(f *wasmWriter) {
	const (
		y, z, n = 0, 1, 2 // parameters
		end     = 3       // z + 4n
		v, zero = 4, 5    // v128
	)
	f.v128Zero()
	f.set(zero)
	f.floatsEnd(end, z, n)
	f.loop()
	f.get(y)
	f.get(z)
	f.simdMem(simdV128Load, 0)
	f.tee(v)
	f.get(v)
	f.get(zero)
	f.simd(simdF32x4Le)
	f.simd(simdV128AndNot) // v & ^mask
	f.simdMem(simdV128Store, 0)
	f.stepPointers(16, y, z)
	f.get(z)
	f.get(end)
	f.op(opI32LtU)
	f.brIf(0)
	f.op(opEnd) // end loop
}

// reluBackwardCode writes reluBackward(dz, dy, y, n): for i < n (a positive
// multiple of 4), dz[i] = dy[i] if y[i] > 0 else +0, as reluBackwardGo:
// f32x4.gt's mask ANDed with dy.
func reluBackwardCode(f *wasmWriter) {
	const (
		dz, dy, y, n = 0, 1, 2, 3 // parameters
		end          = 4          // y + 4n
		g, zero      = 5, 6       // v128
	)
	f.v128Zero()
	f.set(zero)
	f.floatsEnd(end, y, n)
	f.loop()
	f.get(dy)
	f.simdMem(simdV128Load, 0)
	f.set(g)
	f.get(dz)
	f.get(g)
	f.get(y)
	f.simdMem(simdV128Load, 0)
	f.get(zero)
	f.simd(simdF32x4Gt)
	f.simd(simdV128And)
	f.simdMem(simdV128Store, 0)
	f.stepPointers(16, dz, dy, y)
	f.get(y)
	f.get(end)
	f.op(opI32LtU)
	f.brIf(0)
	f.op(opEnd)
}
