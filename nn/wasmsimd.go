package nn

// The WebAssembly SIMD kernels in the browser. Go compiles to WebAssembly
// without SIMD, so a scalar kernel does one multiply-add per instruction
// pair; WebAssembly's 128-bit SIMD does four. This file writes, as bytes, a
// small WebAssembly module that imports the Go program's own memory
// (env.mem) and works on Go's slices where they lie; gemm_wasm.go
// instantiates it and calls it. Its functions: gemmTiles, gemm's
// micro-kernel, and ReLU forward and backward (relu_wasm.go), each
// computing its Go loop's bits.
//
// gemmTiles computes what
// gemmKernel computes, bit for bit: each C element starts from 0 (or C) and
// adds float32(A[i][p]*B[p][j]) for p = 0, 1, ..., kc-1, one f32x4.mul and
// one f32x4.add per product (no fused multiply-add, whose single rounding
// would change the bits).
//
// gemmTiles(kc, a, ars, acs, b, ldb, bts, c, ldc, load, mt, nt), every
// argument an i32, addresses and strides in bytes, computes mt x nt tiles of
// 4 rows by 8 columns:
//
//	for tj < nt, ti < mt, r < 4, q < 8:
//	  C(r, q) = c + (4*ti + r)*ldc + (8*tj + q)*4
//	  *C(r, q) = (load ? *C(r, q) : 0) + sum over p < kc of
//	    float32(*(a + (4*ti + r)*ars + p*acs) * *(b + tj*bts + p*ldb + q*4))
//
// kc >= 1. Column tiles are the outer loop, so a tile column of op(B) stays
// in the L1 cache while the rows of op(A) stream past it.
const (
	wasmSIMDMR = 4
	wasmSIMDNR = 8
)

// wasmSIMDFunc is one function of the module: its name, how many i32
// parameters it takes, how many i32 and v128 locals it has after them, and
// its instructions.
type wasmSIMDFunc struct {
	name              string
	params            int
	i32Locals, v128Ls int
	code              func(*wasmWriter)
}

// wasmSIMDFuncs are the module's functions, exported under their names.
var wasmSIMDFuncs = []wasmSIMDFunc{
	{"gemmTiles", 12, 10, 11, gemmTilesCode},
	{"reluForward", 3, 1, 2, reluForwardCode},
	{"reluBackward", 4, 1, 2, reluBackwardCode},
	{"vecOps", 3, 13, 5, vecOpsCode},
}

// The Winograd transforms on channel rows (winograd_math.go) as vecOps
// runs them: an entry of its list is the op's code and the addresses of its
// 8 row arguments, in the Go function's order (outputs first; the unused
// ones 0).
const (
	vecOpBt4   = iota // bt4Vec(v0, v1, v2, v3, d0, d1, d2, d3)
	vecOpB4           // b4Vec(d0, d1, d2, d3, v0, v1, v2, v3)
	vecOpB4Add        // b4AddVec(d0, d1, d2, d3, v0, v1, v2, v3)
	vecOpAt4          // at4Vec(y0, y1, m0, m1, m2, m3)
	vecOpA2           // a2Vec(m0, m1, m2, m3, y0, y1)
	vecOpWords = 9    // i32 words per entry
)

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
	f.i32Const(4 * vecOpWords)
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
		vecOpBt4: {[]int{4, 5, 6, 7}, func() { // v = (d0-d2, d1+d2, d2-d1, d1-d3)
			store(0, bin(sub, x(0), x(2)))
			store(1, bin(add, x(1), x(2)))
			store(2, bin(sub, x(2), x(1)))
			store(3, bin(sub, x(1), x(3)))
		}},
		vecOpB4: {[]int{4, 5, 6, 7}, func() { // d = (v0, v1-v2+v3, v1+v2-v0, -v3)
			store(0, x(0))
			store(1, bin(add, bin(sub, x(1), x(2)), x(3)))
			store(2, bin(sub, bin(add, x(1), x(2)), x(0)))
			store(3, func() { f.get(x0 + 3); f.simd(neg) })
		}},
		vecOpB4Add: {[]int{4, 5, 6, 7}, func() { // d += b4(v), each d loaded into t first
			b4 := []func(){x(0), bin(add, bin(sub, x(1), x(2)), x(3)), bin(sub, bin(add, x(1), x(2)), x(0)), func() { f.get(x0 + 3); f.simd(neg) }}
			for j, v := range b4 {
				load(j, t)
				store(j, bin(add, func() { f.get(t) }, v))
			}
		}},
		vecOpAt4: {[]int{2, 3, 4, 5}, func() { // y = (m0+m1+m2, m1-m2-m3)
			store(0, bin(add, bin(add, x(0), x(1)), x(2)))
			store(1, bin(sub, bin(sub, x(1), x(2)), x(3)))
		}},
		vecOpA2: {[]int{4, 5}, func() { // m = (y0, y0+y1, y0-y1, -y1)
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
	f.i32Const(4 * vecOpWords)
	f.op(opI32Add)
	f.tee(e)
	f.get(stop)
	f.op(opI32LtU)
	f.brIf(0)
	f.op(opEnd) // end loop over entries
}

// wasmSIMDModule returns the module's bytes.
func wasmSIMDModule() []byte {
	const (
		i32  = 0x7f
		v128 = 0x7b
	)
	fs := wasmSIMDFuncs
	var w wasmWriter
	w.raw(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00) // \0asm, version 1

	// Type i: function i's (i32 x params) -> ().
	w.section(1, func(s *wasmWriter) {
		s.u32(uint32(len(fs)))
		for _, f := range fs {
			s.raw(0x60)
			s.u32(uint32(f.params))
			for range f.params {
				s.raw(i32)
			}
			s.u32(0)
		}
	})
	// Import env.mem, a memory of at least 0 pages: Go's.
	w.section(2, func(s *wasmWriter) {
		s.u32(1)
		s.name("env")
		s.name("mem")
		s.raw(0x02, 0x00) // memory, limits without a maximum
		s.u32(0)
	})
	w.section(3, func(s *wasmWriter) { // function i has type i
		s.u32(uint32(len(fs)))
		for i := range fs {
			s.u32(uint32(i))
		}
	})
	w.section(7, func(s *wasmWriter) {
		s.u32(uint32(len(fs)))
		for i, f := range fs {
			s.name(f.name)
			s.raw(0x00) // a function
			s.u32(uint32(i))
		}
	})
	w.section(10, func(s *wasmWriter) {
		s.u32(uint32(len(fs)))
		for _, f := range fs {
			var body wasmWriter
			body.u32(2) // local groups: the i32s, then the v128s
			body.u32(uint32(f.i32Locals))
			body.raw(i32)
			body.u32(uint32(f.v128Ls))
			body.raw(v128)
			f.code(&body)
			body.raw(0x0b) // end of the function
			s.u32(uint32(len(body.b)))
			s.raw(body.b...)
		}
	})
	return w.b
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

// gemmTilesCode writes gemmTiles' instructions.
func gemmTilesCode(f *wasmWriter) {
	// Parameters.
	const (
		kc = iota
		a
		ars
		acs
		b
		ldb
		bts
		c
		ldc
		load
		mt
		nt
	)
	// i32 locals.
	const (
		tj    = 12 + iota
		ti    // tile row
		ap    // op(A) at step p, row 0 of the tile
		bp    // op(B) at step p
		cp    // the tile's first C element
		p     // steps left
		ars2  // 2*ars
		ars3  // 3*ars
		bcol  // b + tj*bts
		crow4 // 4*ars: from one tile row of op(A) to the next
	)
	// v128 locals: the 4x8 tile as 8 vectors of 4 lanes (row r, half h at
	// acc + 2*r + h), then op(B)'s two vectors and A's splat at step p.
	const (
		acc = 22
		b0  = 30
		b1  = 31
		av  = 32
	)

	f.get(ars)
	f.i32Const(1)
	f.op(opI32Shl)
	f.set(ars2)
	f.get(ars2)
	f.get(ars)
	f.op(opI32Add)
	f.set(ars3)
	f.get(ars)
	f.i32Const(2)
	f.op(opI32Shl)
	f.set(crow4)

	f.i32Const(0)
	f.set(tj)
	f.block()
	f.loop() // over tile columns
	f.get(tj)
	f.get(nt)
	f.op(opI32GeS)
	f.brIf(1)
	f.get(b)
	f.get(tj)
	f.get(bts)
	f.op(opI32Mul)
	f.op(opI32Add)
	f.set(bcol)

	f.i32Const(0)
	f.set(ti)
	f.block()
	f.loop() // over tile rows
	f.get(ti)
	f.get(mt)
	f.op(opI32GeS)
	f.brIf(1)
	// ap = a + ti*4*ars; cp = c + ti*4*ldc + tj*32
	f.get(a)
	f.get(ti)
	f.get(crow4)
	f.op(opI32Mul)
	f.op(opI32Add)
	f.set(ap)
	f.get(c)
	f.get(ti)
	f.get(ldc)
	f.i32Const(2)
	f.op(opI32Shl)
	f.op(opI32Mul)
	f.op(opI32Add)
	f.get(tj)
	f.i32Const(5)
	f.op(opI32Shl)
	f.op(opI32Add)
	f.set(cp)

	// The accumulators: C's tile, or 0.
	f.get(load)
	f.ifBlock()
	for r := range 4 {
		for h := range 2 {
			f.cRow(cp, ldc, r)
			f.simdMem(simdV128Load, uint32(16*h))
			f.set(acc + 2*r + h)
		}
	}
	f.op(opElse)
	for i := range 8 {
		f.v128Zero()
		f.set(acc + i)
	}
	f.op(opEnd) // end if

	f.get(bcol)
	f.set(bp)
	f.get(kc)
	f.set(p)
	f.loop() // over steps p
	f.get(bp)
	f.simdMem(simdV128Load, 0)
	f.set(b0)
	f.get(bp)
	f.simdMem(simdV128Load, 16)
	f.set(b1)
	for r := range 4 {
		f.get(ap)
		switch r {
		case 1:
			f.get(ars)
			f.op(opI32Add)
		case 2:
			f.get(ars2)
			f.op(opI32Add)
		case 3:
			f.get(ars3)
			f.op(opI32Add)
		}
		f.simdMem(simdLoad32Splat, 0)
		f.set(av)
		for h, bv := range []int{b0, b1} {
			f.get(acc + 2*r + h)
			f.get(av)
			f.get(bv)
			f.simd(simdF32x4Mul)
			f.simd(simdF32x4Add)
			f.set(acc + 2*r + h)
		}
	}
	f.get(ap)
	f.get(acs)
	f.op(opI32Add)
	f.set(ap)
	f.get(bp)
	f.get(ldb)
	f.op(opI32Add)
	f.set(bp)
	f.get(p)
	f.i32Const(1)
	f.op(opI32Sub)
	f.tee(p)
	f.brIf(0)
	f.op(opEnd) // end loop over p

	for r := range 4 {
		for h := range 2 {
			f.cRow(cp, ldc, r)
			f.get(acc + 2*r + h)
			f.simdMem(simdV128Store, uint32(16*h))
		}
	}

	f.get(ti)
	f.i32Const(1)
	f.op(opI32Add)
	f.set(ti)
	f.br(0)
	f.op(opEnd) // end loop over tile rows
	f.op(opEnd) // end block

	f.get(tj)
	f.i32Const(1)
	f.op(opI32Add)
	f.set(tj)
	f.br(0)
	f.op(opEnd) // end loop over tile columns
	f.op(opEnd) // end block
}

// The instructions the kernels use, by their WebAssembly names: opcodes,
// and SIMD opcodes (after the 0xfd prefix, simd and simdMem).
const (
	opElse   = 0x05
	opEnd    = 0x0b
	opI32Eq  = 0x46
	opI32LtU = 0x49
	opI32GeS = 0x4e
	opI32Add = 0x6a
	opI32Sub = 0x6b
	opI32Mul = 0x6c
	opI32Shl = 0x74

	simdV128Load    = 0x00
	simdLoad32Splat = 0x09
	simdV128Store   = 0x0b
	simdV128Const   = 0x0c
	simdF32x4Gt     = 0x44
	simdF32x4Le     = 0x45
	simdV128And     = 0x4e
	simdV128AndNot  = 0x4f
	simdF32x4Neg    = 0xe1
	simdF32x4Add    = 0xe4
	simdF32x4Sub    = 0xe5
	simdF32x4Mul    = 0xe6
)

// wasmWriter appends WebAssembly's binary encoding.
type wasmWriter struct{ b []byte }

func (w *wasmWriter) raw(bs ...byte) { w.b = append(w.b, bs...) }
func (w *wasmWriter) op(code byte)   { w.b = append(w.b, code) }

// u32 appends v as unsigned LEB128.
func (w *wasmWriter) u32(v uint32) {
	for v >= 0x80 {
		w.b = append(w.b, byte(v)|0x80)
		v >>= 7
	}
	w.b = append(w.b, byte(v))
}

// s32 appends v as signed LEB128.
func (w *wasmWriter) s32(v int32) {
	for {
		bits := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && bits&0x40 == 0) || (v == -1 && bits&0x40 != 0) {
			w.b = append(w.b, bits)
			return
		}
		w.b = append(w.b, bits|0x80)
	}
}

func (w *wasmWriter) name(s string) { w.u32(uint32(len(s))); w.raw([]byte(s)...) }

// section appends section id with the contents fill writes.
func (w *wasmWriter) section(id byte, fill func(*wasmWriter)) {
	var s wasmWriter
	fill(&s)
	w.op(id)
	w.u32(uint32(len(s.b)))
	w.raw(s.b...)
}

func (w *wasmWriter) get(local int)    { w.op(0x20); w.u32(uint32(local)) }
func (w *wasmWriter) set(local int)    { w.op(0x21); w.u32(uint32(local)) }
func (w *wasmWriter) tee(local int)    { w.op(0x22); w.u32(uint32(local)) }
func (w *wasmWriter) i32Const(v int32) { w.op(0x41); w.s32(v) }
func (w *wasmWriter) block()           { w.raw(0x02, 0x40) }
func (w *wasmWriter) loop()            { w.raw(0x03, 0x40) }
func (w *wasmWriter) ifBlock()         { w.raw(0x04, 0x40) } // if, without a result; an else (0x05) may follow

// memI32 appends i32.load with alignment hint 4 bytes and the given offset.
func (w *wasmWriter) memI32(offset uint32) { w.op(0x28); w.u32(2); w.u32(offset) }
func (w *wasmWriter) br(depth int)         { w.op(0x0c); w.u32(uint32(depth)) }
func (w *wasmWriter) brIf(depth int)       { w.op(0x0d); w.u32(uint32(depth)) }

// simd appends a SIMD instruction (prefix 0xfd).
func (w *wasmWriter) simd(code uint32) { w.op(0xfd); w.u32(code) }

// v128Zero pushes a v128 of zeros.
func (w *wasmWriter) v128Zero() { w.simd(simdV128Const); w.raw(make([]byte, 16)...) }

// simdMem appends a SIMD load or store with alignment hint 1 byte and the
// given offset.
func (w *wasmWriter) simdMem(code, offset uint32) { w.simd(code); w.u32(0); w.u32(offset) }

// floatsEnd sets local dst to the address just past n floats from local
// base: base + 4*n.
func (w *wasmWriter) floatsEnd(dst, base, n int) {
	w.get(base)
	w.get(n)
	w.i32Const(2)
	w.op(opI32Shl)
	w.op(opI32Add)
	w.set(dst)
}

// stepPointers adds step to each of the locals.
func (w *wasmWriter) stepPointers(step int32, locals ...int) {
	for _, l := range locals {
		w.get(l)
		w.i32Const(step)
		w.op(opI32Add)
		w.set(l)
	}
}

// cRow pushes the address of row r of the tile at local cp: cp + r*ldc.
func (w *wasmWriter) cRow(cp, ldc, r int) {
	w.get(cp)
	if r == 0 {
		return
	}
	w.get(ldc)
	if r > 1 {
		w.i32Const(int32(r))
		w.op(opI32Mul)
	}
	w.op(opI32Add)
}
