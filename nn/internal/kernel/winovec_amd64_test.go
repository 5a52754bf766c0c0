//go:build amd64 && !noasm

package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// The machines this runs on have AVX2; were one not to, the comparisons
// below would compare the Go loops with themselves.
func TestVecAsmAvailable(t *testing.T) {
	require.True(t, vecAsmEnabled, "this amd64 CPU reports no AVX2: the transforms' and ReLU's assembly is untested")
	require.Equal(t, 64, vecAsmLen(70))
	vecAsmEnabled = false
	defer func() { vecAsmEnabled = true }()
	require.Equal(t, 0, vecAsmLen(70))
}

// vecKernels are the functions with an AVX2 path, each beside its Go loop
// (the oracle), with how the callers alias their rows: layouts[i][j] is the
// buffer argument j gets, so a layout naming a buffer twice passes one row
// as two arguments.
var vecKernels = []struct {
	name        string
	asm, oracle func(r [][]float32)
	layouts     [][]int
}{
	{"bt4Vec",
		func(r [][]float32) { Bt4Vec(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) },
		func(r [][]float32) { bt4VecGo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) },
		[][]int{{0, 1, 2, 3, 4, 5, 6, 7}, {0, 1, 2, 3, 0, 1, 2, 3}, {0, 1, 2, 3, 4, 4, 5, 4}}},
	{"b4Vec",
		func(r [][]float32) { B4Vec(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) },
		func(r [][]float32) { b4VecGo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) },
		[][]int{{0, 1, 2, 3, 4, 5, 6, 7}, {0, 1, 2, 3, 0, 1, 2, 3}, {3, 2, 1, 0, 0, 1, 2, 3}}},
	{"b4AddVec",
		func(r [][]float32) { B4AddVec(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) },
		func(r [][]float32) { b4AddVecGo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) },
		[][]int{{0, 1, 2, 3, 4, 5, 6, 7}, {0, 0, 1, 0, 4, 5, 6, 7}, {0, 1, 2, 3, 0, 1, 2, 3}}},
	{"at4Vec",
		func(r [][]float32) { At4Vec(r[0], r[1], r[2], r[3], r[4], r[5]) },
		func(r [][]float32) { at4VecGo(r[0], r[1], r[2], r[3], r[4], r[5]) },
		[][]int{{0, 1, 2, 3, 4, 5}, {0, 1, 0, 1, 2, 3}, {0, 0, 1, 2, 3, 4}}},
	{"a2Vec",
		func(r [][]float32) { A2Vec(r[0], r[1], r[2], r[3], r[4], r[5]) },
		func(r [][]float32) { a2VecGo(r[0], r[1], r[2], r[3], r[4], r[5]) },
		[][]int{{0, 1, 2, 3, 4, 5}, {0, 1, 2, 3, 0, 1}, {0, 1, 2, 3, 4, 4}}},
	{"reluForward",
		func(r [][]float32) { ReLUForward(r[0], r[1]) },
		func(r [][]float32) { reluForwardGo(r[0], r[1]) },
		[][]int{{0, 1}, {0, 0}}},
	{"reluBackward",
		func(r [][]float32) { ReLUBackward(r[0], r[1], r[2]) },
		func(r [][]float32) { reluBackwardGo(r[0], r[1], r[2]) },
		[][]int{{0, 1, 2}, {0, 0, 1}, {0, 1, 1}}},
}

// awkwardFloat32s are values whose bits a careless kernel would change:
// NaNs of either sign with payloads (quiet and signalling), ±0, ±Inf,
// subnormals, the extremes, and ties for rounding.
var awkwardFloat32s = []uint32{
	0x7fc00000, 0xffc00000, 0x7fc12345, 0xffd00001, 0x7f800001, 0xff812345, // NaNs
	0x00000000, 0x80000000, 0x7f800000, 0xff800000, // ±0, ±Inf
	0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00400000, // subnormals
	0x7f7fffff, 0xff7fffff, 0x00800000, 0x80800000, // largest, smallest normal
	0x3f800000, 0xbf800000, 0x3f800001, 0x33800000, 0x4b800000, // 1, -1, 1+ulp, 2^-24, 2^24
}

// sameResult reports whether the kernel's value g is the oracle's w: the
// same bits, except that any NaN matches any NaN. Which NaN an operation on
// two NaNs gives back is the first operand on x86, and the compiler picks
// the operand order per statement (the same v1 + v2 came out both ways in
// two Go loops); bit-identical training is promised for numbers, and a NaN
// anywhere stops a run, so a future compiler's order must not fail this.
func sameResult(w, g float32) bool {
	return math.Float32bits(w) == math.Float32bits(g) || (w != w && g != g)
}

// randomRow fills r with a mix of awkward values, random bit patterns and
// ordinary numbers of either sign.
func randomRow(rng *rand.Rand, r []float32) {
	for i := range r {
		switch rng.IntN(4) {
		case 0:
			r[i] = math.Float32frombits(awkwardFloat32s[rng.IntN(len(awkwardFloat32s))])
		case 1:
			r[i] = math.Float32frombits(rng.Uint32())
		default:
			r[i] = float32(rng.NormFloat64())
		}
	}
}

// TestVecAsmSameBits runs every kernel's AVX2 path and its Go loop on the
// same rows, lengths 0-70 and 128, out of place and aliased as the callers
// alias them, rows starting at an offset (unaligned), and compares every
// bit of the buffers (NaNs aside: sameResult), including 8 guard values past each row.
func TestVecAsmSameBits(t *testing.T) {
	require.True(t, vecAsmEnabled)
	rng := rand.New(rand.NewPCG(1, 2))
	lengths := []int{128}
	for n := 0; n <= 70; n++ {
		lengths = append(lengths, n)
	}
	for _, k := range vecKernels {
		for li, layout := range k.layouts {
			for _, n := range lengths {
				for rep := 0; rep < 4; rep++ {
					bufs := 0
					for _, b := range layout {
						bufs = max(bufs, b+1)
					}
					off := rng.IntN(8)
					want, got := make([][]float32, bufs), make([][]float32, bufs)
					for b := range bufs {
						want[b] = make([]float32, off+n+8)
						randomRow(rng, want[b])
						got[b] = append([]float32(nil), want[b]...)
					}
					args := func(bufs [][]float32) [][]float32 {
						r := make([][]float32, len(layout))
						for j, b := range layout {
							r[j] = bufs[b][off : off+n]
						}
						return r
					}
					k.oracle(args(want))
					k.asm(args(got))
					for b := range bufs {
						for i := range want[b] {
							if !sameResult(want[b][i], got[b][i]) {
								in := fmt.Sprintf("%s, layout %d (%v), n = %d, offset %d", k.name, li, layout, n, off)
								t.Fatalf("%s: buffer %d [%d]: asm %v (%#08x), Go %v (%#08x)", in, b, i-off,
									got[b][i], math.Float32bits(got[b][i]), want[b][i], math.Float32bits(want[b][i]))
							}
						}
					}
				}
			}
		}
	}
}

// TestVecAsmEveryAwkwardPair puts every pair of awkward values (and
// each with an ordinary number) through every kernel, in each pair of
// argument positions, so that no combination is left to chance.
func TestVecAsmEveryAwkwardPair(t *testing.T) {
	vals := append([]uint32{0x3fc00000, 0xc0200000}, awkwardFloat32s...) // 1.5, -2.5
	var pairs [][2]uint32
	for _, a := range vals {
		for _, b := range vals {
			pairs = append(pairs, [2]uint32{a, b})
		}
	}
	n := len(pairs)
	for _, k := range vecKernels {
		args := len(k.layouts[0])
		for p := 0; p < args; p++ {
			for q := 0; q < args; q++ {
				if p == q {
					continue
				}
				want := make([][]float32, args)
				for j := range want {
					want[j] = make([]float32, n)
					for i := range want[j] {
						want[j][i] = 0.75
					}
				}
				for i, pr := range pairs {
					want[p][i], want[q][i] = math.Float32frombits(pr[0]), math.Float32frombits(pr[1])
				}
				got := make([][]float32, args)
				for j := range got {
					got[j] = append([]float32(nil), want[j]...)
				}
				k.oracle(want)
				k.asm(got)
				for j := range want {
					for i := range want[j] {
						w, g := want[j][i], got[j][i]
						require.True(t, sameResult(w, g), "%s: arguments %d, %d = %#08x, %#08x: argument %d: asm %#08x, Go %#08x",
							k.name, p, q, pairs[i][0], pairs[i][1], j, math.Float32bits(g), math.Float32bits(w))
					}
				}
			}
		}
	}
}

// BenchmarkVecAsm times each kernel's AVX2 path and its Go loop on rows of
// the reference model's channel counts (32-128; ReLU on one worker's chunk
// of 1<<14 values, nn's activationChunk), out of place.
func BenchmarkVecAsm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range vecKernels {
		lengths := []int{32, 64, 128}
		if k.name == "reluForward" || k.name == "reluBackward" {
			lengths = []int{1 << 14} // nn's activationChunk
		}
		for _, n := range lengths {
			rows := make([][]float32, len(k.layouts[0]))
			for j := range rows {
				rows[j] = make([]float32, n)
				randomRow(rng, rows[j])
			}
			for _, path := range []struct {
				name string
				f    func(r [][]float32)
			}{{"asm", k.asm}, {"go", k.oracle}} {
				b.Run(fmt.Sprintf("%s/n=%d/%s", k.name, n, path.name), func(b *testing.B) {
					for b.Loop() {
						path.f(rows)
					}
				})
			}
		}
	}
}
