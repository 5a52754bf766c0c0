// Package wasmsimd writes, as bytes, the WebAssembly SIMD module behind
// convplay's kernels in the browser. Go compiles to WebAssembly without
// SIMD, so a scalar kernel does one multiply-add per instruction pair;
// WebAssembly's 128-bit SIMD does four. The module imports the Go program's
// own memory (env.mem) and works on Go's slices where they lie; package
// kernel (gemm_wasm.go) instantiates it and calls it. Its functions:
// gemmTiles, gemm's micro-kernel; reluForward and reluBackward; and vecOps,
// the Winograd transforms on channel rows; each computes its Go loop's bits.
//
// This package is plain Go with no build tags, so the encoder is tested on
// the host (module_test.go decodes and checks what it writes); only its
// caller needs WebAssembly.
//
// gemmTiles computes what
// the pure-Go gemm kernel computes, bit for bit: each C element starts from 0 (or C) and
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
package wasmsimd

// MR x NR is gemmTiles' tile: MR rows of op(A) by NR columns of op(B).
const (
	MR = 4
	NR = 8
)

// function is one function of the module: its name, how many i32
// parameters it takes, how many i32 and v128 locals it has after them, and
// its instructions.
type function struct {
	name              string
	params            int
	i32Locals, v128Ls int
	code              func(*wasmWriter)
}

// functions are the module's functions, exported under their names.
var functions = []function{
	{"gemmTiles", 12, 10, 11, gemmTilesCode},
	{"reluForward", 3, 1, 2, reluForwardCode},
	{"reluBackward", 4, 1, 2, reluBackwardCode},
	{"vecOps", 3, 13, 5, vecOpsCode},
}

// The Winograd transforms on channel rows (package kernel's
// winovec.go) as vecOps runs them: an entry of its list is the op's code and the addresses of its
// 8 row arguments, in the Go function's order (outputs first; the unused
// ones 0).
const (
	VecOpBt4   = iota // bt4Vec(v0, v1, v2, v3, d0, d1, d2, d3)
	VecOpB4           // b4Vec(d0, d1, d2, d3, v0, v1, v2, v3)
	VecOpB4Add        // b4AddVec(d0, d1, d2, d3, v0, v1, v2, v3)
	VecOpAt4          // at4Vec(y0, y1, m0, m1, m2, m3)
	VecOpA2           // a2Vec(m0, m1, m2, m3, y0, y1)
	VecOpWords = 9    // i32 words per entry
)

//go:generate go run ./gen

// Module returns the module's bytes (ModuleBytes holds them, generated).
func Module() []byte {
	const (
		i32  = 0x7f
		v128 = 0x7b
	)
	fs := functions
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
