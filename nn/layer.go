package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Layer is one stage of a Sequential model. Implementations live one family
// per file (conv.go, pool.go, dense.go, ...), each with its Forward and
// Backward side by side.
type Layer interface {
	// Spec is the description the layer was built from, with its name and
	// Keras defaults filled in.
	Spec() LayerSpec
	// InShape and OutShape are the per-sample shapes, without N.
	InShape() Shape
	OutShape() Shape
	// Params lists the trainable parameters in Keras's get_weights() order
	// (kernel, then bias); nil for layers without weights.
	Params() []*Param
	// Forward computes the layer on a batch of n samples; x holds
	// n*InShape().Size() values. The result is owned by the layer and valid
	// until its next Forward. training switches Dropout on.
	Forward(x []float32, n int, training bool) []float32
	// Backward takes dy, the gradient of the loss with respect to the last
	// Forward's output, accumulates the parameter gradients into Param.G and
	// returns dx, owned by the layer.
	Backward(dy []float32) []float32
}

// Param is one trainable array of a layer with its gradient.
type Param struct {
	Name  string    // "kernel" or "bias", as Keras names them
	Shape []int     // Keras's shape, e.g. (K, K, C, F) for a Conv2D kernel
	W     []float32 // values, row-major in Shape
	G     []float32 // gradient, same layout; Backward adds to it

	// NonTrainable marks state that Forward updates in training and no
	// optimizer moves (BatchNormalization's moving statistics, Keras's
	// non-trainable weights): its gradient stays zero. It is saved and
	// loaded with the weights, in Keras's get_weights() order.
	NonTrainable bool
}

func newParam(name string, shape ...int) *Param {
	n := Shape(shape).Size()
	return &Param{Name: name, Shape: shape, W: make([]float32, n), G: make([]float32, n)}
}

// LayerSpec describes a layer with Keras's argument names. It is plain data:
// the page, the command line and saved files share it as JSON. Fields that a
// layer type does not use stay zero.
type LayerSpec struct {
	Type       string  `json:"type"`                  // Keras class name: "Conv2D", "MaxPooling2D", "Dense", ...
	Name       string  `json:"name,omitempty"`        // "conv2d_1"; empty means the Keras auto name
	Filters    int     `json:"filters,omitempty"`     // Conv2D, Conv2DTranspose
	KernelSize int     `json:"kernel_size,omitempty"` // Conv2D, Conv2DTranspose: K of a K x K kernel
	Strides    int     `json:"strides,omitempty"`     // conv: default 1; pooling: default PoolSize
	Padding    string  `json:"padding,omitempty"`     // "valid" (default) or "same"
	Activation string  `json:"activation,omitempty"`  // "linear" (default), "relu", "sigmoid", "tanh", "softmax"
	NoBias     bool    `json:"no_bias,omitempty"`     // Keras use_bias=False
	PoolSize   int     `json:"pool_size,omitempty"`   // pooling: default 2
	Units      int     `json:"units,omitempty"`       // Dense
	Rate       float64 `json:"rate,omitempty"`        // Dropout
	Momentum   float64 `json:"momentum,omitempty"`    // BatchNormalization: default 0.99
	Epsilon    float64 `json:"epsilon,omitempty"`     // BatchNormalization: default 0.001
	NoScale    bool    `json:"no_scale,omitempty"`    // BatchNormalization scale=False: no gamma
	NoCenter   bool    `json:"no_center,omitempty"`   // BatchNormalization center=False: no beta
	Scale      float64 `json:"scale,omitempty"`       // Rescaling: y = x*scale + offset
	Offset     float64 `json:"offset,omitempty"`      // Rescaling
}

// ModelSpec describes a Sequential model: its per-sample input shape and its
// layers in order.
type ModelSpec struct {
	Input  []int       `json:"input"` // (H, W, C), e.g. (28, 28, 1)
	Layers []LayerSpec `json:"layers"`
	// InputScaling is what the model expects of 0-255 pixels (inputs.go);
	// empty means standardized, convplay's own models' input.
	InputScaling InputScaling `json:"input_scaling,omitempty"`
}

// layerBuilders maps a Keras class name to the constructor of that layer.
// Each layer file registers its types in an init function. A builder
// validates the spec against the input shape and returns an error that says
// what is wrong (the model adds which layer); it fills in defaults and
// initializes weights from rng (glorot-uniform kernels, zero biases).
var layerBuilders = map[string]func(spec LayerSpec, in Shape, rng *rand.Rand) (Layer, error){}

func registerLayer(typ string, build func(spec LayerSpec, in Shape, rng *rand.Rand) (Layer, error)) {
	if _, dup := layerBuilders[typ]; dup {
		panic("nn: layer type registered twice: " + typ)
	}
	layerBuilders[typ] = build
}

// buildLayer constructs one layer from its spec. Its input and output must
// stay within the bounds of geometry.go (each builder bounds what it
// allocates before allocating it).
func buildLayer(spec LayerSpec, in Shape, rng *rand.Rand) (Layer, error) {
	build, ok := layerBuilders[spec.Type]
	if !ok {
		return nil, fmt.Errorf("unknown layer type %q", spec.Type)
	}
	if err := checkTensor("input", in...); err != nil {
		return nil, err
	}
	l, err := build(spec, in, rng)
	if err != nil {
		return nil, err
	}
	if err := checkTensor("output", l.OutShape()...); err != nil {
		return nil, err
	}
	return l, nil
}

// glorotUniform fills w with samples from U(-limit, limit), limit =
// sqrt(6 / (fanIn + fanOut)), Keras's default kernel initializer.
func glorotUniform(w []float32, fanIn, fanOut int, rng *rand.Rand) {
	limit := math.Sqrt(6 / float64(fanIn+fanOut))
	for i := range w {
		w[i] = float32((rng.Float64()*2 - 1) * limit)
	}
}

// activatedLayer is implemented by layers with a built-in activation (Dense,
// Conv2D, Conv2DTranspose). It lets the model fuse a softmax output with
// cross-entropy: the loss is computed from the logits, and the gradient with
// respect to them (p - onehot) goes straight to backwardLogits, skipping the
// softmax Jacobian, which is unstable when a probability underflows.
type activatedLayer interface {
	Layer
	activation() Activation
	// logits is the pre-activation output of the last Forward.
	logits() []float32
	// backwardLogits is Backward given the gradient with respect to the logits.
	backwardLogits(dz []float32) []float32
}
