//go:build !unix

package nn

// cpuSeconds is not measured here (js/wasm, windows): benchmarks report
// wall-clock rates only.
func cpuSeconds() float64 { return 0 }
