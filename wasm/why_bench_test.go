//go:build js && wasm

package main

import (
	"convplay/wasm/jsarray"
	"math/rand/v2"
	"testing"
)

// BenchmarkWhyOps times each why op on the reference model through the
// worker's handle, as the page sends it: reading the pixels, the
// computation in nn and the typed arrays of the reply (not the
// postMessage). Targets (issue 17): saliency, Grad-CAM and FGSM under
// 30 ms, occlusion (4x4, stride 2) under 300 ms, 64 steps of maximization
// under 2 s. Run with tools/wasmexec on PATH so nn links its WebAssembly
// SIMD kernels, as the page's worker does:
//
//	GOOS=js GOARCH=wasm PATH="$PWD/tools/wasmexec:$PATH" go test -run '^$' -bench WhyOps ./wasm/
func BenchmarkWhyOps(b *testing.B) {
	w, ev := newWorker()
	if r := request(w, "buildModel", map[string]any{"preset": "reference", "seed": 1}); !r.ok {
		b.Fatal(r.err)
	}
	w.why = &whyState{kick: timerKicker(w.whySlice)}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 784)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	px := jsarray.Float32sToJS(x)
	for _, op := range []struct {
		name string
		args map[string]any
	}{
		{"saliency", map[string]any{"pixels": px}},
		{"gradCam", map[string]any{"pixels": px}},
		{"fgsm", map[string]any{"pixels": px, "epsilon": 0.1}},
		{"occlusion", map[string]any{"pixels": px, "patch": 4, "stride": 2}},
		{"maximize", map[string]any{"layer": 6, "channel": 5, "steps": 64}},
	} {
		b.Run(op.name, func(b *testing.B) {
			req := map[string]any{"id": 1, "type": op.name}
			for k, v := range op.args {
				req[k] = v
			}
			if r := sendWait(b, w, ev, obj(req)); !r.ok { // the layers' buffers for one image
				b.Fatal(r.err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if r := sendWait(b, w, ev, obj(req)); !r.ok {
					b.Fatal(r.err)
				}
			}
		})
	}
}
