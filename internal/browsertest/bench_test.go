//go:build browser

package browsertest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// benchRow is one row of the benchmark page's table (web/bench.js).
type benchRow struct {
	Kind         string    `json:"kind"`   // "train" or "latency"
	Model        string    `json:"model"`  // "reference" or "small"
	System       string    `json:"system"` // "convplay" or "tfjs"
	Workers      int       `json:"workers"`
	Threads      int       `json:"threads"`
	SIMD         bool      `json:"simd"`
	ImagesPerSec float64   `json:"imagesPerSec"`
	Ratio        float64   `json:"ratio"`
	Ms           float64   `json:"ms"`
	Batches      int       `json:"batches"`
	PeakMB       []int     `json:"peakMB"` // convplay: each worker's peak WebAssembly memory, MiB
	Runs         []float64 `json:"runs"`   // images/s of each run; ImagesPerSec is the best
	// kind "accuracy": the small model from the train request to 85% validation accuracy.
	Seconds      float64 `json:"seconds"`
	Epoch        int     `json:"epoch"`
	ValAccuracy  float64 `json:"valAccuracy"`
	BatchSize    int     `json:"batchSize"`
	LearningRate float64 `json:"learningRate"`
}

// TestBenchTFJSKernels: the two convolution gradients the benchmark page
// registers for TensorFlow.js's wasm backend agree with the definition,
// computed here by loops, for a 'same' and a 'valid' 3x3 convolution of a
// 2-image, 5x4, 2-channel input with 3 filters: dW[i,j,c,f] = sum over n,
// y, x of xpad[n,y+i,x+j,c] g[n,y,x,f] and dx the transposed sum.
func TestBenchTFJSKernels(t *testing.T) {
	s := openBench(t)
	r := Eval[map[string]any](s, `(async () => {
		const {tf} = await window.convplayBench.tfInit();
		const out = {};
		for (const pad of ['same', 'valid']) {
			const [N, H, W, C, F, K] = [2, 5, 4, 2, 3, 3];
			const xs = Array.from({length: N*H*W*C}, (_, i) => ((i * 7) % 13) / 6 - 1);
			const ws = Array.from({length: K*K*C*F}, (_, i) => ((i * 5) % 11) / 5 - 1);
			const p = pad === 'same' ? 1 : 0;
			const Ho = H + 2*p - K + 1, Wo = W + 2*p - K + 1;
			const gs = Array.from({length: N*Ho*Wo*F}, (_, i) => ((i * 3) % 7) / 3 - 1);
			const x = tf.tensor4d(xs, [N, H, W, C]), w = tf.tensor4d(ws, [K, K, C, F]), g = tf.tensor4d(gs, [N, Ho, Wo, F]);
			const [dx, dw] = tf.grads((a, b) => tf.conv2d(a, b, 1, pad))([x, w], g);
			const dW = new Array(K*K*C*F).fill(0), dX = new Array(N*H*W*C).fill(0);
			for (let n = 0; n < N; n++) for (let y = 0; y < Ho; y++) for (let xx = 0; xx < Wo; xx++)
				for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) {
					const iy = y + i - p, ix = xx + j - p;
					if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
					for (let c = 0; c < C; c++) for (let f = 0; f < F; f++) {
						const gv = gs[((n*Ho + y)*Wo + xx)*F + f];
						dW[((i*K + j)*C + c)*F + f] += xs[((n*H + iy)*W + ix)*C + c] * gv;
						dX[((n*H + iy)*W + ix)*C + c] += ws[((i*K + j)*C + c)*F + f] * gv;
					}
				}
			const diff = (a, b) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
			out[pad] = {dw: diff([...dw.dataSync()], dW), dx: diff([...dx.dataSync()], dX), dwShape: dw.shape, dxShape: dx.shape};
		}
		return out;
	})()`)
	for _, pad := range []string{"same", "valid"} {
		got := r[pad].(map[string]any)
		assert.Less(t, got["dw"].(float64), 1e-4, "%s: dW", pad)
		assert.Less(t, got["dx"].(float64), 1e-4, "%s: dx", pad)
		assert.Equal(t, []any{3.0, 3.0, 2.0, 3.0}, got["dwShape"], pad)
		assert.Equal(t, []any{2.0, 5.0, 4.0, 2.0}, got["dxShape"], pad)
	}
	assert.Empty(t, s.Problems())
}

// TestBenchPage: the page runs a short benchmark end to end (1 batch of the
// reference model, 2 of the small one, 1 and 2 workers) and shows every
// row, in English and in Chinese; the playground never loads TensorFlow.js.
func TestBenchPage(t *testing.T) {
	s := openBench(t)
	rows := Eval[[]benchRow](s, `window.convplayBench.runAll({refBatches: 1, smallBatches: 2, workers: 2, accuracy: false, repeat: 1})`)
	require.Len(t, rows, 8, "per model: convplay 1 and 2 workers, TensorFlow.js; latencies: convplay and TensorFlow.js")
	for _, r := range rows {
		switch {
		case r.Kind == "train" && r.System == "convplay":
			assert.Greater(t, r.ImagesPerSec, 0.0)
			assert.Len(t, r.PeakMB, r.Workers, "one memory figure per worker")
			assert.Greater(t, r.PeakMB[0], 0)
			assert.Greater(t, r.Ratio, 0.0)
			assert.Contains(t, []int{1, 2}, r.Workers)
		case r.Kind == "train":
			assert.Greater(t, r.ImagesPerSec, 0.0)
			assert.True(t, r.SIMD, "TensorFlow.js runs with SIMD")
			assert.Equal(t, 2, r.Threads, "TensorFlow.js runs as many threads as convplay has workers")
		default:
			assert.Greater(t, r.Ms, 0.0)
		}
	}
	text := Eval[string](s, `document.querySelector('#results').innerText`)
	assert.Contains(t, text, "TensorFlow.js 4.22, wasm backend")
	assert.Contains(t, text, "2 workers sharing each batch")
	facts := Eval[string](s, `document.querySelector('#bench-facts').innerText`)
	assert.Contains(t, facts, "its matrix products run on WebAssembly SIMD", "the engine linked its SIMD kernel")
	s.Screenshot("bench-en")
	Eval[any](s, `(() => { const l = document.querySelector('#lang'); l.value = 'zh'; l.dispatchEvent(new Event('change')); return null; })()`)
	text = Eval[string](s, `document.body.innerText`)
	assert.Contains(t, text, "convplay 训练有多快？")
	assert.Contains(t, text, "2 个 worker 分担每一批")
	assert.Contains(t, text, "矩阵乘法使用 WebAssembly SIMD")
	s.Screenshot("bench-zh")
	assert.Empty(t, s.Problems())

	// The playground's own page loads no TensorFlow.js.
	p := Start(t)
	p.Open("")
	p.WaitEngine()
	for _, u := range p.Requests() {
		assert.NotContains(t, u, "tfjs", "the playground loaded %s", u)
	}
}

// TestBenchBrowser is `make bench-browser`: the full benchmark in headless
// Chromium, its table printed. It runs only with CONVPLAY_BENCH=1 (a
// benchmark, minutes of both cores, not a test); BENCH_REF_BATCHES,
// BENCH_SMALL_BATCHES and BENCH_WORKERS change its size.
func TestBenchBrowser(t *testing.T) {
	if os.Getenv("CONVPLAY_BENCH") != "1" {
		t.Skip("a benchmark: run it with make bench-browser (CONVPLAY_BENCH=1)")
	}
	env := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	s := openBench(t)
	// The benchmark takes longer than a test's browser session may
	// (Timeout): the same tab, with a deadline of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s.Ctx), 20*time.Minute)
	defer cancel()
	s.Ctx = ctx
	rows := Eval[[]benchRow](s, fmt.Sprintf(`window.convplayBench.runAll({refBatches: %s, smallBatches: %s, workers: %s})`,
		env("BENCH_REF_BATCHES", "20"), env("BENCH_SMALL_BATCHES", "100"), env("BENCH_WORKERS", "2")))
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-10s %-10s %-28s %12s %10s\n", "model", "system", "setup", "images/s", "vs TF.js")
	for _, r := range rows {
		setup := fmt.Sprintf("%d worker(s)", r.Workers)
		if r.System == "tfjs" {
			setup = fmt.Sprintf("wasm, SIMD %v, %d threads", r.SIMD, r.Threads)
		}
		if r.Kind == "accuracy" {
			fmt.Fprintf(&b, "%-10s %-10s %d worker(s): %.1f s from Train to val_accuracy %.4f (epoch %d; Adam %g, batch %d)\n",
				r.Model, r.System, r.Workers, r.Seconds, r.ValAccuracy, r.Epoch, r.LearningRate, r.BatchSize)
			continue
		}
		if r.Kind == "latency" {
			fmt.Fprintf(&b, "%-10s %-10s %-28s %9.2f ms\n", r.Model, r.System, "predict latency ("+map[bool]string{true: "with trace", false: "no trace"}[r.System == "convplay"]+")", r.Ms)
			continue
		}
		ratio := ""
		if r.Ratio > 0 {
			ratio = fmt.Sprintf("%.2fx", r.Ratio)
		}
		mem := fmt.Sprintf("  runs %.1f", r.Runs)
		if len(r.PeakMB) > 0 {
			mem += fmt.Sprintf("  peak memory per worker %v MiB", r.PeakMB)
		}
		fmt.Fprintf(&b, "%-10s %-10s %-28s %12.1f %10s%s\n", r.Model, r.System, setup, r.ImagesPerSec, ratio, mem)
	}
	t.Log(b.String())
	fmt.Print(b.String())
	assert.Empty(t, s.Problems())
}
