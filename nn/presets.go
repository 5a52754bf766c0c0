package nn

import "fmt"

// ReferenceSpec is the notebook's model for Fashion-MNIST, in Keras:
//
//	input (28, 28, 1)
//	Conv2D(32, 3, padding='same', activation='relu') x 2, MaxPooling2D(2)  -> (14, 14, 32)
//	Conv2D(64, 3, padding='same', activation='relu') x 2, MaxPooling2D(2)  -> (7, 7, 64)
//	Conv2D(128, 3, padding='same', activation='relu') x 2, MaxPooling2D(2) -> (3, 3, 128): 7 -> 3, pooling floors
//	Flatten -> (1152), Dense(128, 'relu'), Dense(10, 'softmax')
//
// It has 435,306 parameters (testdata/reference_summary.txt is its Keras summary).
func ReferenceSpec() ModelSpec {
	conv := func(filters int) LayerSpec {
		return LayerSpec{Type: "Conv2D", Filters: filters, KernelSize: 3, Padding: "same", Activation: "relu"}
	}
	pool := LayerSpec{Type: "MaxPooling2D", PoolSize: 2}
	return ModelSpec{
		Input: []int{28, 28, 1},
		Layers: []LayerSpec{
			conv(32), conv(32), pool,
			conv(64), conv(64), pool,
			conv(128), conv(128), pool,
			{Type: "Flatten"},
			{Type: "Dense", Units: 128, Activation: "relu"},
			{Type: "Dense", Units: 10, Activation: "softmax"},
		},
	}
}

// SmallSpec is a small, fast model (5,258 parameters) for trying things out
// in seconds:
//
//	input (28, 28, 1)
//	Conv2D(8, 3, activation='relu')  -> (26, 26, 8),  MaxPooling2D(2) -> (13, 13, 8)
//	Conv2D(16, 3, activation='relu') -> (11, 11, 16), MaxPooling2D(2) -> (5, 5, 16)
//	Flatten -> (400), Dense(10, 'softmax')
func SmallSpec() ModelSpec {
	return ModelSpec{
		Input: []int{28, 28, 1},
		Layers: []LayerSpec{
			{Type: "Conv2D", Filters: 8, KernelSize: 3, Activation: "relu"},
			{Type: "MaxPooling2D", PoolSize: 2},
			{Type: "Conv2D", Filters: 16, KernelSize: 3, Activation: "relu"},
			{Type: "MaxPooling2D", PoolSize: 2},
			{Type: "Flatten"},
			{Type: "Dense", Units: 10, Activation: "softmax"},
		},
	}
}

// FCNSpec is the notes' second network, a fully convolutional network for
// the 64x64 segmentation scenes (package scenes): a conv/pool encoder, then
// transposed convolutions that grow the maps back to full size, and a 1x1
// convolution giving every pixel 11 class probabilities (background and ten
// item classes). It has 105,531 parameters:
//
//	input (64, 64, 1)
//	Conv2D(16, 3, padding='same', activation='relu'), MaxPooling2D(2)  -> (32, 32, 16)
//	Conv2D(32, 3, padding='same', activation='relu'), MaxPooling2D(2)  -> (16, 16, 32)
//	Conv2D(64, 3, padding='same', activation='relu'), MaxPooling2D(2)  -> (8, 8, 64)
//	Conv2D(64, 3, padding='same', activation='relu')                   -> (8, 8, 64)
//	Conv2DTranspose(32, 4, strides=2, padding='same', activation='relu') -> (16, 16, 32)
//	Conv2DTranspose(16, 4, strides=2, padding='same', activation='relu') -> (32, 32, 16)
//	Conv2DTranspose(16, 4, strides=2, padding='same', activation='relu') -> (64, 64, 16)
//	Conv2D(11, 1, activation='softmax')                                -> (64, 64, 11)
//
// The encoder's last conv sees 38 x 38 input pixels, more than a 28 x 28
// item; 4 x 4 kernels at stride 2 overlap, so neighbouring output pixels
// share inputs. testdata/fcn_summary.txt is its summary in Keras's format.
func FCNSpec() ModelSpec {
	conv := func(filters int) LayerSpec {
		return LayerSpec{Type: "Conv2D", Filters: filters, KernelSize: 3, Padding: "same", Activation: "relu"}
	}
	up := func(filters int) LayerSpec {
		return LayerSpec{Type: "Conv2DTranspose", Filters: filters, KernelSize: 4, Strides: 2, Padding: "same", Activation: "relu"}
	}
	pool := LayerSpec{Type: "MaxPooling2D", PoolSize: 2}
	return ModelSpec{
		Input: []int{64, 64, 1},
		Layers: []LayerSpec{
			conv(16), pool, conv(32), pool, conv(64), pool, conv(64),
			up(32), up(16), up(16),
			{Type: "Conv2D", Filters: 11, KernelSize: 1, Activation: "softmax"},
		},
	}
}

// FCNSmallSpec is the segmentation lesson's network for training from
// scratch in the page (issue 18): the fcn preset's shape with two pooling
// steps instead of three and fewer filters (27,003 parameters, a quarter
// of fcn's), and a BatchNormalization after every ReLU, with moving statistics that
// follow the batches fast (momentum 0.9: a minute's ~150 steps are too few
// for Keras's 0.99). Trained with the background-weighted cross-entropy it
// leaves the all-background plateau within its first 600 scenes
// (BENCHMARKS.md, "Segmentation that learns within a minute").
//
//	input (64, 64, 1)
//	Conv2D(16, 3, 'same', relu), BN, MaxPooling2D(2)  -> (32, 32, 16)
//	Conv2D(32, 3, 'same', relu), BN, MaxPooling2D(2)  -> (16, 16, 32)
//	Conv2D(32, 3, 'same', relu), BN                   -> (16, 16, 32)
//	Conv2DTranspose(16, 4, strides=2, 'same', relu), BN -> (32, 32, 16)
//	Conv2DTranspose(16, 4, strides=2, 'same', relu), BN -> (64, 64, 16)
//	Conv2D(11, 1, activation='softmax')               -> (64, 64, 11)
func FCNSmallSpec() ModelSpec {
	conv := func(filters int) LayerSpec {
		return LayerSpec{Type: "Conv2D", Filters: filters, KernelSize: 3, Padding: "same", Activation: "relu"}
	}
	up := func(filters int) LayerSpec {
		return LayerSpec{Type: "Conv2DTranspose", Filters: filters, KernelSize: 4, Strides: 2, Padding: "same", Activation: "relu"}
	}
	bn := LayerSpec{Type: "BatchNormalization", Momentum: 0.9}
	pool := LayerSpec{Type: "MaxPooling2D", PoolSize: 2}
	return ModelSpec{
		Input: []int{64, 64, 1},
		Layers: []LayerSpec{
			conv(16), bn, pool, conv(32), bn, pool, conv(32), bn,
			up(16), bn, up(16), bn,
			{Type: "Conv2D", Filters: 11, KernelSize: 1, Activation: "softmax"},
		},
	}
}

// DenseSpec is the dense-only network of the "Why convolution" lesson
// (web/views/densevsconv): every pixel to each of 128 units, then 10
// classes; 101,770 parameters:
//
//	input (28, 28, 1)
//	Flatten -> (784), Dense(128, 'relu'), Dense(10, 'softmax')
func DenseSpec() ModelSpec {
	return ModelSpec{
		Input: []int{28, 28, 1},
		Layers: []LayerSpec{
			{Type: "Flatten", Name: "flatten"},
			{Type: "Dense", Name: "dense", Units: 128, Activation: "relu"},
			{Type: "Dense", Name: "dense_out", Units: 10, Activation: "softmax"},
		},
	}
}

// SmallSameSpec is the same lesson's small CNN, SmallSpec with same
// padding (so a shifted drawing's feature maps shift whole); 9,098
// parameters:
//
//	input (28, 28, 1)
//	Conv2D(8, 3, padding='same', activation='relu')  -> (28, 28, 8),  MaxPooling2D(2) -> (14, 14, 8)
//	Conv2D(16, 3, padding='same', activation='relu') -> (14, 14, 16), MaxPooling2D(2) -> (7, 7, 16)
//	Flatten -> (784), Dense(10, 'softmax')
func SmallSameSpec() ModelSpec {
	conv := func(name string, filters int) LayerSpec {
		return LayerSpec{Type: "Conv2D", Name: name, Filters: filters, KernelSize: 3, Strides: 1, Padding: "same", Activation: "relu"}
	}
	pool := func(name string) LayerSpec {
		return LayerSpec{Type: "MaxPooling2D", Name: name, PoolSize: 2, Strides: 2}
	}
	return ModelSpec{
		Input: []int{28, 28, 1},
		Layers: []LayerSpec{
			conv("conv2d", 8), pool("pool"), conv("conv2d_2", 16), pool("pool_2"),
			{Type: "Flatten", Name: "flatten"},
			{Type: "Dense", Name: "dense_out", Units: 10, Activation: "softmax"},
		},
	}
}

// presets maps each preset name to its spec. "seed" is what the command
// line's -arch flag calls the reference model.
var presets = map[string]func() ModelSpec{
	"seed":       ReferenceSpec,
	"reference":  ReferenceSpec,
	"small":      SmallSpec,
	"fcn":        FCNSpec,
	"dense":      DenseSpec,
	"small-same": SmallSameSpec,
	"fcn-small":  FCNSmallSpec,
}

// PresetNames lists the presets, as error messages name them.
const PresetNames = "seed, reference, small, fcn, dense, small-same or fcn-small"

// Preset returns the model spec called name: "seed" or "reference" (the
// notebook's model, ReferenceSpec), "small" (SmallSpec), "fcn" (FCNSpec,
// for segmentation), "dense" (DenseSpec), "small-same" (SmallSameSpec) or "fcn-small"
// (FCNSmallSpec, segmentation trained from scratch in the page).
// Each call returns
// a fresh spec that the caller may change.
func Preset(name string) (ModelSpec, error) {
	f, ok := presets[name]
	if !ok {
		return ModelSpec{}, fmt.Errorf("nn: unknown preset %q (want %s)", name, PresetNames)
	}
	return f(), nil
}
