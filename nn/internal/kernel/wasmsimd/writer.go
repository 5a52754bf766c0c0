package wasmsimd

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
