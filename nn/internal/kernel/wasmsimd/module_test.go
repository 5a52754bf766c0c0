package wasmsimd

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// moduleSHA256 is the hash of the bytes Module wrote when the kernels moved
// here from package nn (commit ae1d127's wasmSIMDModule, byte for byte).
// The WebAssembly tests (package kernel, under Node) vouch for those bytes:
// every kernel gives its Go loop's bits. A deliberate change to a kernel
// updates this hash once those tests pass on the new bytes.
const (
	moduleSHA256 = "60a6175bf88251ee6abf30a1a1b600f117ccf07ab62500d40905409c171f8e51"
	moduleSize   = 1780
)

func TestModuleKnownGoodEncoding(t *testing.T) {
	b := Module()
	sum := sha256.Sum256(b)
	require.Len(t, b, moduleSize)
	require.Equal(t, moduleSHA256, hex.EncodeToString(sum[:]))
}

// TestModuleValid decodes the module as a WebAssembly engine would and
// checks it: the header, the sections in order, one type, export and body
// per function, the env.mem import, and every body's instructions, each
// known, with well-formed immediates, operands of the right types on the
// stack, blocks that nest and branches that stay inside them.
func TestModuleValid(t *testing.T) {
	r := &reader{b: Module()}
	require.Equal(t, []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}, r.bytes(8), "magic and version")
	var ids []byte
	for r.more() {
		id := r.byte()
		s := &reader{b: r.bytes(int(r.u32()))}
		ids = append(ids, id)
		switch id {
		case 1: // types: function i's (i32 x params) -> ()
			require.Equal(t, len(functions), int(s.u32()))
			for _, f := range functions {
				require.Equal(t, byte(0x60), s.byte(), "%s: func type", f.name)
				require.Equal(t, f.params, int(s.u32()), "%s: params", f.name)
				for range f.params {
					require.Equal(t, byte(i32), s.byte(), "%s: param type", f.name)
				}
				require.Zero(t, s.u32(), "%s: results", f.name)
			}
		case 2: // one import: env.mem, a memory
			require.Equal(t, uint32(1), s.u32())
			require.Equal(t, "env", s.name())
			require.Equal(t, "mem", s.name())
			require.Equal(t, []byte{0x02, 0x00}, s.bytes(2), "memory, no maximum")
			s.u32()
		case 3: // function i has type i
			require.Equal(t, len(functions), int(s.u32()))
			for i := range functions {
				require.Equal(t, i, int(s.u32()))
			}
		case 7: // function i exported under its name
			require.Equal(t, len(functions), int(s.u32()))
			for i, f := range functions {
				require.Equal(t, f.name, s.name())
				require.Equal(t, byte(0x00), s.byte(), "export kind")
				require.Equal(t, i, int(s.u32()))
			}
		case 10:
			require.Equal(t, len(functions), int(s.u32()))
			for _, f := range functions {
				body := &reader{b: s.bytes(int(s.u32()))}
				t.Run(f.name, func(t *testing.T) { checkBody(t, f, body) })
			}
		default:
			t.Fatalf("unexpected section %d", id)
		}
		require.False(t, s.more(), "section %d has %d bytes left over", id, len(s.b)-s.i)
	}
	require.Equal(t, []byte{1, 2, 3, 7, 10}, ids, "sections")
}

const (
	i32  = 0x7f
	v128 = 0x7b
)

// checkBody validates one function body: its locals, then its
// instructions (see TestModuleValid), ending with the function's end.
func checkBody(t *testing.T, f function, r *reader) {
	locals := make([]byte, f.params)
	for i := range locals {
		locals[i] = i32
	}
	groups := r.u32()
	for range groups {
		n, typ := r.u32(), r.byte()
		require.Contains(t, []byte{i32, v128}, typ, "local type")
		for range n {
			locals = append(locals, typ)
		}
	}
	require.Len(t, locals, f.params+f.i32Locals+f.v128Ls, "locals")

	type frame struct {
		height      int
		unreachable bool
	}
	var stack []byte               // operand types
	frames := []frame{{height: 0}} // the function's own block
	at := func() string { return fmt.Sprintf("byte %d", r.i) }
	pop := func(want byte) {
		fr := frames[len(frames)-1]
		if len(stack) == fr.height {
			require.True(t, fr.unreachable, "%s: pop from an empty stack", at())
			return
		}
		got := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		require.Equal(t, want, got, "%s: operand type", at())
	}
	push := func(typ byte) { stack = append(stack, typ) }
	local := func() byte {
		x := r.u32()
		require.Less(t, int(x), len(locals), "%s: local index", at())
		return locals[x]
	}
	memarg := func(maxAlign uint32) {
		require.LessOrEqual(t, r.u32(), maxAlign, "%s: alignment", at())
		r.u32() // offset
	}
	branch := func() {
		require.Less(t, int(r.u32()), len(frames), "%s: branch depth", at())
	}
	endFrame := func() {
		fr := frames[len(frames)-1]
		if fr.unreachable {
			stack = stack[:fr.height]
		}
		require.Len(t, stack, fr.height, "%s: values left on the stack at end", at())
		frames = frames[:len(frames)-1]
	}
	for len(frames) > 0 {
		require.True(t, r.more(), "body ends inside a block")
		switch op := r.byte(); op {
		case 0x02, 0x03, 0x04: // block, loop, if (with no result)
			if op == 0x04 {
				pop(i32)
			}
			require.Equal(t, byte(0x40), r.byte(), "%s: block type", at())
			frames = append(frames, frame{height: len(stack)})
		case opElse:
			fr := frames[len(frames)-1]
			if !fr.unreachable {
				require.Len(t, stack, fr.height, "%s: values left on the stack at else", at())
			}
			stack = stack[:fr.height]
			frames[len(frames)-1].unreachable = false
		case opEnd:
			endFrame()
		case 0x0c: // br
			branch()
			frames[len(frames)-1].unreachable = true
		case 0x0d: // br_if
			branch()
			pop(i32)
		case 0x20:
			push(local())
		case 0x21:
			pop(local())
		case 0x22:
			typ := local()
			pop(typ)
			push(typ)
		case 0x28: // i32.load
			memarg(2)
			pop(i32)
			push(i32)
		case 0x41:
			r.s32()
			push(i32)
		case opI32Eq, opI32LtU, opI32GeS, opI32Add, opI32Sub, opI32Mul, opI32Shl:
			pop(i32)
			pop(i32)
			push(i32)
		case 0xfd:
			switch sub := r.u32(); sub {
			case simdV128Load:
				memarg(4)
				pop(i32)
				push(v128)
			case simdLoad32Splat:
				memarg(2)
				pop(i32)
				push(v128)
			case simdV128Store:
				memarg(4)
				pop(v128)
				pop(i32)
			case simdV128Const:
				r.bytes(16)
				push(v128)
			case simdF32x4Gt, simdF32x4Le, simdV128And, simdV128AndNot, simdF32x4Add, simdF32x4Sub, simdF32x4Mul:
				pop(v128)
				pop(v128)
				push(v128)
			case simdF32x4Neg:
				pop(v128)
				push(v128)
			default:
				t.Fatalf("%s: unknown SIMD instruction %#x", at(), sub)
			}
		default:
			t.Fatalf("%s: unknown instruction %#x", at(), op)
		}
	}
	require.False(t, r.more(), "bytes after the function's end")
}

// The LEB128 encoders on values whose encodings are worked out by hand.
func TestLEB128(t *testing.T) {
	for _, tc := range []struct {
		v    uint32
		want []byte
	}{{0, []byte{0x00}}, {127, []byte{0x7f}}, {128, []byte{0x80, 0x01}}, {624485, []byte{0xe5, 0x8e, 0x26}}, {1<<32 - 1, []byte{0xff, 0xff, 0xff, 0xff, 0x0f}}} {
		var w wasmWriter
		w.u32(tc.v)
		require.Equal(t, tc.want, w.b, "u32 %d", tc.v)
		require.Equal(t, tc.v, (&reader{b: w.b}).u32())
	}
	for _, tc := range []struct {
		v    int32
		want []byte
	}{{0, []byte{0x00}}, {63, []byte{0x3f}}, {64, []byte{0xc0, 0x00}}, {-1, []byte{0x7f}}, {-64, []byte{0x40}}, {-65, []byte{0xbf, 0x7f}}, {-123456, []byte{0xc0, 0xbb, 0x78}}, {-1 << 31, []byte{0x80, 0x80, 0x80, 0x80, 0x78}}} {
		var w wasmWriter
		w.s32(tc.v)
		require.Equal(t, tc.want, w.b, "s32 %d", tc.v)
		require.Equal(t, tc.v, (&reader{b: w.b}).s32())
	}
}

// reader decodes WebAssembly's binary encoding; it panics (failing the
// test) on reading past its bytes.
type reader struct {
	b []byte
	i int
}

func (r *reader) more() bool { return r.i < len(r.b) }
func (r *reader) byte() byte { r.i++; return r.b[r.i-1] }
func (r *reader) bytes(n int) []byte {
	r.i += n
	return r.b[r.i-n : r.i]
}
func (r *reader) name() string { return string(r.bytes(int(r.u32()))) }

func (r *reader) u32() uint32 {
	var v uint32
	for shift := 0; ; shift += 7 {
		c := r.byte()
		v |= uint32(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
}

func (r *reader) s32() int32 {
	var v int32
	for shift := 0; ; shift += 7 {
		c := r.byte()
		v |= int32(c&0x7f) << shift
		if c < 0x80 {
			if shift+7 < 32 && c&0x40 != 0 {
				v |= -1 << (shift + 7)
			}
			return v
		}
	}
}

// TestModuleBytesAreCurrent: the generated ModuleBytes, which the browser's
// engine links, is what Module writes (run go generate in this folder when
// it is not).
func TestModuleBytesAreCurrent(t *testing.T) {
	if string(Module()) != ModuleBytes {
		t.Fatal("module_bytes.go is stale: run go generate in nn/internal/kernel/wasmsimd")
	}
}
