// Package nn is convplay's CNN engine: float32 tensors, Keras-compatible layers,
// losses, optimizers, the Sequential model with fit/evaluate/predict, and
// serialization. It builds natively and for GOOS=js GOARCH=wasm.
//
// Package nn is plain Go over the standard library: it imports nothing else
// but its own kernels, nn/internal/kernel (the matrix product, ReLU, the
// Winograd transforms and the helper goroutines that spread them over the
// CPUs), where everything platform-specific lives: AVX2 assembly,
// golang.org/x/sys/cpu, unsafe, and the WebAssembly SIMD module with
// syscall/js. TestImportsOnlyStandardLibrary keeps it so.
//
// # Dimension letters
//
// Every shape comment in this package uses these letters:
//
//	N  batch size (samples)
//	H  height of a feature map (rows)
//	W  width of a feature map (columns)
//	C  channels of a layer's input
//	F  filters, the channels of a conv layer's output
//	K  kernel (window) size; kernels and pools are K x K
//	S  stride
//	P  padding
//	D  length of a vector (Dense input or output)
//
// # Layouts
//
// Activations are NHWC, as in Keras: element (n, h, w, c) of a batch of
// feature maps is at ((n*H+h)*W+w)*C+c, and element (n, d) of a batch of
// vectors is at n*D+d. Flatten therefore needs no copy and matches Keras's
// (h, w, c) order. Weights use Keras's layouts: Conv2D kernels (K, K, C, F)
// (HWIO), Conv2DTranspose kernels (K, K, F, C), Dense kernels (D_in, D_out),
// biases (F) or (D_out).
//
// # Conventions
//
//   - Backward accumulates into parameter gradients (Param.G); the model zeroes
//     them once per step (Model.ZeroGrads).
//   - A layer's Forward and Backward return buffers the layer owns; they stay
//     valid until the layer's next call. Buffers grow to the largest batch seen
//     and are then reused, so a training step allocates nothing.
//   - Shapes are validated once, when a model is built; inner kernels trust
//     their arguments.
//   - Errors are for input from outside (specs, files); panics are for bugs.
package nn
