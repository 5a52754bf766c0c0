package wasmsimd

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
