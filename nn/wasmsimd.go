package nn

// The WebAssembly SIMD micro-kernel for gemm in the browser. Go compiles to
// WebAssembly without SIMD, so a scalar kernel does one multiply-add per
// instruction pair; WebAssembly's 128-bit SIMD does four. This file writes,
// as bytes, a small WebAssembly module with one function, gemmTiles, that
// imports the Go program's own memory (env.mem) and works on Go's slices
// where they lie; gemm_wasm.go instantiates it and calls it. It computes what
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

// wasmSIMDModule returns the module's bytes.
func wasmSIMDModule() []byte {
	const (
		i32  = 0x7f
		v128 = 0x7b
	)
	var w wasmWriter
	w.raw(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00) // \0asm, version 1

	// Type 0: (i32 x 12) -> ().
	params := make([]byte, 12)
	for i := range params {
		params[i] = i32
	}
	w.section(1, func(s *wasmWriter) {
		s.u32(1)
		s.raw(0x60)
		s.u32(uint32(len(params)))
		s.raw(params...)
		s.u32(0)
	})
	// Import env.mem, a memory of at least 0 pages: Go's.
	w.section(2, func(s *wasmWriter) {
		s.u32(1)
		s.name("env")
		s.name("mem")
		s.raw(0x02, 0x00) // memory, limits without a maximum
		s.u32(0)
	})
	w.section(3, func(s *wasmWriter) { s.u32(1); s.u32(0) }) // function 0 has type 0
	w.section(7, func(s *wasmWriter) {
		s.u32(1)
		s.name("gemmTiles")
		s.raw(0x00) // a function
		s.u32(0)
	})
	w.section(10, func(s *wasmWriter) {
		s.u32(1)
		var body wasmWriter
		// Locals after the 12 parameters: 10 i32, then 11 v128.
		body.u32(2)
		body.u32(10)
		body.raw(i32)
		body.u32(11)
		body.raw(v128)
		gemmTilesCode(&body)
		body.raw(0x0b) // end of the function
		s.u32(uint32(len(body.b)))
		s.raw(body.b...)
	})
	return w.b
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
	f.op(0x74) // i32.shl
	f.set(ars2)
	f.get(ars2)
	f.get(ars)
	f.op(0x6a) // i32.add
	f.set(ars3)
	f.get(ars)
	f.i32Const(2)
	f.op(0x74)
	f.set(crow4)

	f.i32Const(0)
	f.set(tj)
	f.block()
	f.loop() // over tile columns
	f.get(tj)
	f.get(nt)
	f.op(0x4e) // i32.ge_s
	f.brIf(1)
	f.get(b)
	f.get(tj)
	f.get(bts)
	f.op(0x6c) // i32.mul
	f.op(0x6a)
	f.set(bcol)

	f.i32Const(0)
	f.set(ti)
	f.block()
	f.loop() // over tile rows
	f.get(ti)
	f.get(mt)
	f.op(0x4e)
	f.brIf(1)
	// ap = a + ti*4*ars; cp = c + ti*4*ldc + tj*32
	f.get(a)
	f.get(ti)
	f.get(crow4)
	f.op(0x6c)
	f.op(0x6a)
	f.set(ap)
	f.get(c)
	f.get(ti)
	f.get(ldc)
	f.i32Const(2)
	f.op(0x74)
	f.op(0x6c)
	f.op(0x6a)
	f.get(tj)
	f.i32Const(5)
	f.op(0x74)
	f.op(0x6a)
	f.set(cp)

	// The accumulators: C's tile, or 0.
	f.get(load)
	f.ifElse()
	for r := range 4 {
		for h := range 2 {
			f.cRow(cp, ldc, r)
			f.simdMem(0x00, uint32(16*h)) // v128.load
			f.set(acc + 2*r + h)
		}
	}
	f.op(0x05) // else
	for i := range 8 {
		f.simd(0x0c) // v128.const 0
		f.raw(make([]byte, 16)...)
		f.set(acc + i)
	}
	f.op(0x0b) // end if

	f.get(bcol)
	f.set(bp)
	f.get(kc)
	f.set(p)
	f.loop() // over steps p
	f.get(bp)
	f.simdMem(0x00, 0)
	f.set(b0)
	f.get(bp)
	f.simdMem(0x00, 16)
	f.set(b1)
	for r := range 4 {
		f.get(ap)
		switch r {
		case 1:
			f.get(ars)
			f.op(0x6a)
		case 2:
			f.get(ars2)
			f.op(0x6a)
		case 3:
			f.get(ars3)
			f.op(0x6a)
		}
		f.simdMem(0x09, 0) // v128.load32_splat
		f.set(av)
		for h, bv := range []int{b0, b1} {
			f.get(acc + 2*r + h)
			f.get(av)
			f.get(bv)
			f.simd(0xe6) // f32x4.mul
			f.simd(0xe4) // f32x4.add
			f.set(acc + 2*r + h)
		}
	}
	f.get(ap)
	f.get(acs)
	f.op(0x6a)
	f.set(ap)
	f.get(bp)
	f.get(ldb)
	f.op(0x6a)
	f.set(bp)
	f.get(p)
	f.i32Const(1)
	f.op(0x6b) // i32.sub
	f.tee(p)
	f.brIf(0)
	f.op(0x0b) // end loop over p

	for r := range 4 {
		for h := range 2 {
			f.cRow(cp, ldc, r)
			f.get(acc + 2*r + h)
			f.simdMem(0x0b, uint32(16*h)) // v128.store
		}
	}

	f.get(ti)
	f.i32Const(1)
	f.op(0x6a)
	f.set(ti)
	f.br(0)
	f.op(0x0b) // end loop over tile rows
	f.op(0x0b) // end block

	f.get(tj)
	f.i32Const(1)
	f.op(0x6a)
	f.set(tj)
	f.br(0)
	f.op(0x0b) // end loop over tile columns
	f.op(0x0b) // end block
}

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
func (w *wasmWriter) ifElse()          { w.raw(0x04, 0x40) }
func (w *wasmWriter) br(depth int)     { w.op(0x0c); w.u32(uint32(depth)) }
func (w *wasmWriter) brIf(depth int)   { w.op(0x0d); w.u32(uint32(depth)) }

// simd appends a SIMD instruction (prefix 0xfd).
func (w *wasmWriter) simd(code uint32) { w.op(0xfd); w.u32(code) }

// simdMem appends a SIMD load or store with alignment hint 1 byte and the
// given offset.
func (w *wasmWriter) simdMem(code, offset uint32) { w.simd(code); w.u32(0); w.u32(offset) }

// cRow pushes the address of row r of the tile at local cp: cp + r*ldc.
func (w *wasmWriter) cRow(cp, ldc, r int) {
	w.get(cp)
	if r == 0 {
		return
	}
	w.get(ldc)
	if r > 1 {
		w.i32Const(int32(r))
		w.op(0x6c)
	}
	w.op(0x6a)
}
