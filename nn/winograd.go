package nn

import "convplay/nn/internal/kernel"

// Winograd F(2x2, 3x3) convolution (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2015) for 3x3 stride-1 Conv2D layers. A 2x2
// block of outputs of one channel pair needs 36 multiplications directly and
// 16 this way: each 4x4 input tile d and 3x3 kernel slice g are transformed,
// multiplied element by element and transformed back,
//
//	y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A
//
//	Bᵀ = | 1  0 -1  0 |   G = | 1    0    0   |   Aᵀ = | 1  1  1  0 |
//	     | 0  1  1  0 |       | 1/2  1/2  1/2 |        | 0  1 -1 -1 |
//	     | 0 -1  1  0 |       | 1/2 -1/2  1/2 |
//	     | 0  1  0 -1 |       | 0    0    1   |
//
// Summed over the C input channels, each of the 16 tile elements e is one
// matrix product over all tiles of the batch: M[e] (tiles, F) = V[e] (tiles,
// C) · U[e] (C, F). That is where the time goes, and it runs through gemm.
// Tiles start every 2 rows and columns; they read zeros outside the image,
// which gives 'same' padding and odd output sizes (the outputs past the edge
// are computed and dropped, so a 7x7 map costs what an 8x8 one does).
//
// Backward is the exact adjoint of these steps (the gradient of the
// bilinear map above, not a second convolution): with Z = A dy Aᵀ per 2x2
// block of dy,
//
//	dU[e] (C, F) = V[e]ᵀ · Z[e]           dkernel = Gᵀ dU G          (3x3 from 4x4)
//	dV[e] (tiles, C) = Z[e] · U[e]ᵀ       dx tile = B dV Bᵀ          (4x4 tiles added up)
//
// so the two gradients share Z and the forward pass's V, and each needs 16
// multiply-adds per 2x2 block of dy and channel pair where the direct
// gradient needs 36, like the forward.
//
// F(4x4, 3x3) would need 36 multiplications per 4x4 block (4x fewer than
// direct, against 2.25x here), but its transforms carry constants from 1/24
// to 8, and in float32 its error was 17x this one's: 6.9e-6 of the largest
// output forward (dkernel 3.7e-6, dx 3.2e-6) against 4.0e-7 (5.6e-7,
// 3.5e-7) for F(2x2, 3x3), which is im2col + gemm's level (2x14x14x64 ->
// 64, same, values in [-1, 1), 3 seeds, one generic implementation of
// both). This package stays with F(2x2, 3x3).
//
// The transforms only add, subtract and halve; halving is exact, so a
// compiler fusing it with an addition changes no bit. All products are in
// gemm, whose summation order is fixed; each stage's 16 products go to the
// helper goroutines together (kernel.GemmBatch), as one product of a block
// is too small to split well. Chunks of kernel.ParallelFor write disjoint
// outputs, so the result does not depend on the number of workers.
type winograd struct {
	g      convGeom // K = 3, S = 1
	f      int
	n      int         // batch of the last forward
	tH, tW int         // tiles per image: ceil(OH/2) x ceil(OW/2)
	block  int         // floats of V and M per block: winoBlockFloats (tests make it small)
	rows   int         // tile rows per block
	row0   int         // the block being worked on: tile rows row0.. of the batch (N*tH rows)
	u      []float32   // (16, C, F) the kernel transformed, G g Gᵀ
	kw     []float32   // (3, 3, C, F) the kernel u was computed from (valid with uOK)
	uOK    bool        // u (and with utOK, ut and utPack) are the transforms of kw
	utOK   bool        // ut is u transposed, utPack packed
	uPack  []float32   // u packed as gemm's B for the forward products (kernel.PackBatchB)
	utPack []float32   // u packed as gemm's B transposed, for dV's products
	v      []float32   // (16, N*tH*tW, C) input tiles transformed, Bᵀ d B; backward overwrites it with dV
	m      []float32   // (16, rows*tW, F) one block's products M; backward puts Z = A dy Aᵀ there
	du     []float32   // (16, C, F) gradient of u
	ut     []float32   // (16, F, C) u transposed, so that dV's products read it in place
	zero   []float32   // (max(C, F)) zeros: the cells outside the image
	junk   [][]float32 // per worker (max(C, F)): where outputs outside the map go
	task   winoTask
}

// winoMinChannels is the fewest input channels for which Conv2D takes the
// Winograd path: below it the 16 products are too thin (gemm's k or n is C)
// and the transforms dominate. Winograd's speed-up over im2col for
// forward+backward by BenchmarkWinogradChannels (28x28 maps, 32 filters,
// batch 32, one run each): C=4 1.26x natively (-cpu 1, per CPU-second) and
// 0.78x in wasm; C=8 1.64x and 1.21x; C=16 1.97x and 1.59x. Forward alone in
// wasm breaks even at C=16 (0.78x at C=8); a training step is the work that
// matters.
const winoMinChannels = 8

// useWinograd reports whether a convolution of geometry g takes the
// Winograd path: a 3x3 kernel, stride 1, at least winoMinChannels inputs.
func useWinograd(g convGeom) bool {
	return g.k == 3 && g.s == 1 && g.c >= winoMinChannels
}

// newWinograd prepares the Winograd path for a 3x3 stride-1 convolution with
// geometry g and f filters.
func newWinograd(g convGeom, f int) *winograd {
	if g.k != 3 || g.s != 1 {
		panic("nn: winograd needs a 3x3 kernel with stride 1")
	}
	return &winograd{g: g, f: f, tH: (g.oh + 1) / 2, tW: (g.ow + 1) / 2, block: winoBlockFloats}
}

// Stages of winoTask.
const (
	winoInput   = iota // x -> V, a chunk per tile row of the block
	winoOutput         // M -> z, a chunk per tile row of the block
	winoGradOut        // dz -> Z, a chunk per tile row of the block
	winoGradIn         // dV -> dx, a chunk per image (its tiles overlap)
)

// winoBlockFloats is the size of one block's V and M together, 1 MiB: the
// tiles are processed a block of tile rows at a time, each block's input
// transform, products and output transform in a row, so that V and M stay
// in the cache between them.
const winoBlockFloats = 1 << 18

// winoTask is one stage of the Winograd path on kernel.ParallelFor.
type winoTask struct {
	w     *winograd
	stage int
	img   []float32 // x or dx (N, H, W, C)
	out   []float32 // z or dz (N, OH, OW, F)
}

func (t *winoTask) RunChunk(worker, chunk int) {
	w := t.w
	row := w.row0 + chunk
	switch t.stage {
	case winoInput:
		w.inputRow(t.img, row/w.tH, row%w.tH)
	case winoOutput:
		w.outputRow(t.out, row/w.tH, row%w.tH, w.junk[worker])
	case winoGradOut:
		w.gradOutputRow(t.out, row/w.tH, row%w.tH)
	case winoGradIn:
		w.gradInputImage(t.img, chunk, w.junk[worker])
	}
}

// run hands one stage to kernel.ParallelFor.
func (w *winograd) run(stage, chunks int, img, out []float32) {
	workers := kernel.MaxWorkers()
	for len(w.junk) < workers {
		w.junk = append(w.junk, nil)
	}
	for i := range w.junk {
		w.junk[i] = grow(w.junk[i], max(w.g.c, w.f))
	}
	w.task = winoTask{w: w, stage: stage, img: img, out: out}
	kernel.ParallelFor(workers, chunks, &w.task)
	w.task = winoTask{}
}

// forward sets z (N, OH, OW, F) to the convolution of x (N, H, W, C) with
// kern (3, 3, C, F), without bias:
//
//	z[n, oh, ow, f] = sum over kh, kw, c of x[n, oh-padT+kh, ow-padL+kw, c] * kern[kh, kw, c, f]
func (w *winograd) forward(z, x, kern []float32, n int) {
	c, f := w.g.c, w.f
	tiles := n * w.tH * w.tW
	w.n = n
	w.rows = max(1, w.block/(16*(c+f)*w.tW))
	w.v = grow(w.v, 16*tiles*c)
	w.m = grow(w.m, 16*min(w.rows, n*w.tH)*w.tW*f)
	w.zero = grow(w.zero, max(c, f))
	w.setKernel(kern)
	for w.row0 = 0; w.row0 < n*w.tH; w.row0 += w.rows {
		rows := min(w.rows, n*w.tH-w.row0)
		bt := rows * w.tW
		w.run(winoInput, rows, x, nil)
		// M[e] = V[e]·U[e] for the 16 elements e, together on the pool.
		kernel.GemmBatchPacked(16, tiles*c, c*f, bt*f, false, false, bt, f, c, w.v[w.row0*w.tW*c:], w.u, w.uPack, w.m, false)
		w.run(winoOutput, rows, nil, z)
	}
}

// backward takes dz (N, OH, OW, F), the gradient with respect to the last
// forward's z, adds the kernel gradient into kernelG (3, 3, C, F) (unless
// kernelG is nil: the explanations, why.go, need dx alone) and sets dx
// (N, H, W, C):
//
//	kernelG[kh, kw, c, f] += sum over n, oh, ow of x[n, oh-padT+kh, ow-padL+kw, c] * dz[n, oh, ow, f]
//	dx[n, h, w, c] = sum over kh, kw, f of dz[n, h+padT-kh, w+padL-kw, f] * kernel[kh, kw, c, f]
//
// It overwrites the forward's V, so it runs once per forward. dU sums over
// the blocks in tile order, as one product over all tiles would.
func (w *winograd) backward(dx, kernelG, dz []float32) {
	c, f, n := w.g.c, w.f, w.n
	tiles := n * w.tH * w.tW
	w.du = grow(w.du, 16*c*f)
	// Uᵀ once per kernel (setKernel): gemm would pack U transposed for
	// every block.
	if !w.utOK {
		w.ut = grow(w.ut, 16*c*f)
		for e := range 16 {
			transpose(w.ut[e*c*f:(e+1)*c*f], w.u[e*c*f:(e+1)*c*f], c, f)
		}
		// Uᵀ as the pure-Go kernel reads it: U[e] is Uᵀ[e] stored
		// transposed, so it packs from U directly.
		w.utPack = kernel.PackForGoKernel(w.utPack, 16, c*f, true, c, f, w.u)
		w.utOK = true
	}
	for w.row0 = 0; w.row0 < n*w.tH; w.row0 += w.rows {
		rows := min(w.rows, n*w.tH-w.row0)
		bt := rows * w.tW
		w.run(winoGradOut, rows, nil, dz)
		// dU[e] (+)= V[e]ᵀ·Z[e], then dV[e] = Z[e]·U[e]ᵀ over V[e], the 16
		// elements of each together on the pool.
		v := w.v[w.row0*w.tW*c:]
		if kernelG != nil {
			kernel.GemmBatch(16, tiles*c, bt*f, c*f, true, false, c, f, bt, v, w.m, w.du, w.row0 > 0)
		}
		kernel.GemmBatchPacked(16, bt*f, c*f, tiles*c, false, false, bt, c, f, w.m, w.ut, w.utPack, v, false)
	}
	if kernelG != nil {
		winoKernelGrad(kernelG, w.du, c*f)
	}
	w.run(winoGradIn, n, dx, nil)
}

// setKernel makes u the transform of kern (3, 3, C, F). The transforms
// (u, and ut for backward) depend on the weights only, so they are kept
// from one call to the next while the kernel stays the same bit for bit:
// a batch trained in slices (FitConfig.StepSamples) or shards, and
// inference, transform (and pack, for gemm's pure-Go kernel) each kernel
// once per optimizer step instead of once per forward. The kernel is compared with the copy u was made from rather
// than trusting its writers to say when they write (the optimizer,
// SetFlatWeights, LoadWeights, ImportNPZ, the page's edits, tests writing
// Param.W): one read of the kernel against a transform and a transpose.
func (w *winograd) setKernel(kern []float32) {
	cf := w.g.c * w.f
	kern = kern[:9*cf]
	if w.uOK && kernel.SameBits(w.kw, kern) {
		return
	}
	w.kw = append(w.kw[:0], kern...)
	w.u = grow(w.u, 16*cf)
	winoKernel(w.u, kern, cf)
	w.uPack = kernel.PackForGoKernel(w.uPack, 16, cf, false, w.f, w.g.c, w.u)
	w.uOK, w.utOK = true, false
}

// transpose sets dst (cols x rows) to src (rows x cols) transposed.
func transpose(dst, src []float32, rows, cols int) {
	dst, src = dst[:rows*cols], src[:rows*cols]
	for i := range rows {
		for j, v := range src[i*cols : (i+1)*cols] {
			dst[j*rows+i] = v
		}
	}
}

// cell is the C (or F) values at row r, column col of image img in x, an
// NHWC batch of rows x cols maps; zero outside the map.
func (w *winograd) cell(x []float32, img, r, col, rows, cols, ch int) []float32 {
	if r < 0 || r >= rows || col < 0 || col >= cols {
		return w.zero[:ch]
	}
	return x[((img*rows+r)*cols+col)*ch:][:ch]
}

// inputRow transforms the input tiles of tile row ty of image img into V:
// Bᵀ·d into V, then ·B in place. Element e = 4*i + j of a tile is its row
// i, column j.
func (w *winograd) inputRow(x []float32, img, ty int) {
	g, c := &w.g, w.g.c
	tiles := w.n * w.tH * w.tW
	var d, v [16][]float32
	for tx := 0; tx < w.tW; tx++ {
		p := (img*w.tH+ty)*w.tW + tx
		for i := 0; i < 16; i++ {
			d[i] = w.cell(x, img, 2*ty-g.padT+i/4, 2*tx-g.padL+i%4, g.h, g.w, c)
			v[i] = w.v[(i*tiles+p)*c:][:c]
		}
		for j := 0; j < 4; j++ {
			kernel.Bt4Vec(v[j], v[4+j], v[8+j], v[12+j], d[j], d[4+j], d[8+j], d[12+j])
		}
		for i := 0; i < 16; i += 4 {
			kernel.Bt4Vec(v[i], v[i+1], v[i+2], v[i+3], v[i], v[i+1], v[i+2], v[i+3])
		}
	}
	kernel.FlushVecOps() // in WebAssembly the transforms above are queued (package kernel, winovec_wasm.go)
}

// outputRow transforms M (the current block's) back into the 2x2 output
// blocks of tile row ty of image img in z: Aᵀ·M in place (rows 0 and 1 of
// the tile), then ·A into z. Outputs past the map's edge go to junk.
func (w *winograd) outputRow(z []float32, img, ty int, junk []float32) {
	g, f := &w.g, w.f
	p0, bt := w.row0*w.tW, min(w.rows, w.n*w.tH-w.row0)*w.tW // the block M holds
	var m [16][]float32
	var y [4][]float32
	for tx := 0; tx < w.tW; tx++ {
		p := (img*w.tH+ty)*w.tW + tx
		for i := 0; i < 16; i++ {
			m[i] = w.m[(i*bt+p-p0)*f:][:f]
		}
		for i := 0; i < 4; i++ {
			r, col := 2*ty+i/2, 2*tx+i%2
			if r < g.oh && col < g.ow {
				y[i] = z[((img*g.oh+r)*g.ow+col)*f:][:f]
			} else {
				y[i] = junk[:f]
			}
		}
		for j := 0; j < 4; j++ {
			kernel.At4Vec(m[j], m[4+j], m[j], m[4+j], m[8+j], m[12+j])
		}
		kernel.At4Vec(y[0], y[1], m[0], m[1], m[2], m[3])
		kernel.At4Vec(y[2], y[3], m[4], m[5], m[6], m[7])
	}
	kernel.FlushVecOps() // in WebAssembly the transforms above are queued (package kernel, winovec_wasm.go)
}

// gradOutputRow puts Z = A dy Aᵀ for the 2x2 blocks of dz in tile row ty of
// image img into M (the current block's): A·dy into columns 0 and 1, then
// ·Aᵀ in place. dz is zero past the map's edge.
func (w *winograd) gradOutputRow(dz []float32, img, ty int) {
	g, f := &w.g, w.f
	p0, bt := w.row0*w.tW, min(w.rows, w.n*w.tH-w.row0)*w.tW // the block M holds
	var dy [4][]float32
	var m [16][]float32
	for tx := 0; tx < w.tW; tx++ {
		p := (img*w.tH+ty)*w.tW + tx
		for i := 0; i < 4; i++ {
			dy[i] = w.cell(dz, img, 2*ty+i/2, 2*tx+i%2, g.oh, g.ow, f)
		}
		for i := 0; i < 16; i++ {
			m[i] = w.m[(i*bt+p-p0)*f:][:f]
		}
		kernel.A2Vec(m[0], m[4], m[8], m[12], dy[0], dy[2])
		kernel.A2Vec(m[1], m[5], m[9], m[13], dy[1], dy[3])
		for i := 0; i < 16; i += 4 {
			kernel.A2Vec(m[i], m[i+1], m[i+2], m[i+3], m[i], m[i+1])
		}
	}
	kernel.FlushVecOps() // in WebAssembly the transforms above are queued (package kernel, winovec_wasm.go)
}

// gradInputImage sets image img of dx to the sum of B dV Bᵀ over its tiles,
// in tile order: B·dV in place in V, then ·Bᵀ added into dx. Cells outside
// the image (the padding) go to junk.
func (w *winograd) gradInputImage(dx []float32, img int, junk []float32) {
	g, c := &w.g, w.g.c
	tiles := w.n * w.tH * w.tW
	clear(dx[img*g.h*g.w*c : (img+1)*g.h*g.w*c])
	var dv, d [16][]float32
	for ty := 0; ty < w.tH; ty++ {
		for tx := 0; tx < w.tW; tx++ {
			p := (img*w.tH+ty)*w.tW + tx
			for i := 0; i < 16; i++ {
				dv[i] = w.v[(i*tiles+p)*c:][:c]
				r, col := 2*ty-g.padT+i/4, 2*tx-g.padL+i%4
				if r >= 0 && r < g.h && col >= 0 && col < g.w {
					d[i] = dx[((img*g.h+r)*g.w+col)*c:][:c]
				} else {
					d[i] = junk[:c]
				}
			}
			for j := 0; j < 4; j++ {
				kernel.B4Vec(dv[j], dv[4+j], dv[8+j], dv[12+j], dv[j], dv[4+j], dv[8+j], dv[12+j])
			}
			for i := 0; i < 16; i += 4 {
				kernel.B4AddVec(d[i], d[i+1], d[i+2], d[i+3], dv[i], dv[i+1], dv[i+2], dv[i+3])
			}
		}
	}
	kernel.FlushVecOps() // in WebAssembly the transforms above are queued (package kernel, winovec_wasm.go)
}
