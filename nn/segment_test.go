package nn

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pixelLoss is the per-pixel loss written out independently of the
// engine: the mean over every pixel of every sample of -log p[label] (sparse)
// or -sum_j y_j log p_j (one-hot), from probabilities of shape (N, H, W, C).
func pixelLoss(probs, y []float32, n, pix, classes int, sparse bool) float64 {
	var sum float64
	for r := range n * pix {
		p := probs[r*classes : (r+1)*classes]
		if sparse {
			sum -= math.Log(float64(p[int(y[r])]))
			continue
		}
		for j, t := range y[r*classes : (r+1)*classes] {
			sum -= float64(t) * math.Log(float64(p[j]))
		}
	}
	return sum / float64(n*pix)
}

// TestGradCheckPerPixel checks the gradients a compiled segmentation model
// computes (per-pixel cross-entropy over an (H, W, C) output, fused with a
// softmax conv or transposed conv, or from a sigmoid's unnormalized
// outputs) against finite differences of pixelLoss.
func TestGradCheckPerPixel(t *testing.T) {
	enc := []LayerSpec{
		{Type: "Conv2D", Filters: 3, KernelSize: 3, Padding: "same", Activation: "tanh"},
		{Type: "AveragePooling2D", PoolSize: 2},
	}
	up := func(act string, f int) LayerSpec {
		return LayerSpec{Type: "Conv2DTranspose", Filters: f, KernelSize: 3, Strides: 2, Padding: "same", Activation: act}
	}
	spec := func(last ...LayerSpec) ModelSpec {
		return ModelSpec{Input: []int{4, 6, 2}, Layers: append(append([]LayerSpec{}, enc...), last...)}
	}
	cases := []struct {
		name   string
		spec   ModelSpec
		loss   string
		fused  bool
		onehot bool
	}{
		{"conv1x1_softmax_sparse", spec(up("tanh", 4), LayerSpec{Type: "Conv2D", Filters: 3, KernelSize: 1, Activation: "softmax"}), "sparse_categorical_crossentropy", true, false},
		{"transpose_softmax_sparse", spec(up("softmax", 3)), "sparse_categorical_crossentropy", true, false},
		{"transpose_softmax_categorical", spec(up("softmax", 3)), "categorical_crossentropy", true, true},
		{"sigmoid_unfused_sparse", spec(up("sigmoid", 3)), "sparse_categorical_crossentropy", false, false},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			const n = 2
			m, err := Build(c.spec, uint64(40+i))
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(41, uint64(i)))
			for _, p := range m.Params() {
				for j := range p.W {
					p.W[j] = float32(rng.Float64() - 0.5)
				}
			}
			loss, err := ParseLoss(c.loss)
			require.NoError(t, err)
			opt, _ := NewOptimizer(OptimizerSpec{Name: "sgd"})
			require.NoError(t, m.Compile(opt, loss))
			require.Equal(t, c.fused, m.fused != nil)
			out := m.OutShape()
			pix, classes := out[0]*out[1], out[2]
			require.Equal(t, pix, m.pix)
			labels := make([]float32, n*pix)
			for j := range labels {
				labels[j] = float32(rng.IntN(classes))
			}
			y := labels
			if c.onehot {
				y = make([]float32, n*pix*classes)
				for r, k := range labels {
					y[r*classes+int(k)] = 1
				}
			}
			require.NoError(t, m.CheckTargets(y, n))
			x := normals(rng, n*m.InShape().Size())
			plain := func() float64 {
				probs := m.Forward(x, n, false)
				if !c.fused { // a sigmoid's outputs: Keras renormalizes them per pixel
					q := make([]float32, len(probs))
					for r := range n * pix {
						var s float32
						for _, v := range probs[r*classes : (r+1)*classes] {
							s += v
						}
						for j := range classes {
							q[r*classes+j] = probs[r*classes+j] / s
						}
					}
					probs = q
				}
				return pixelLoss(probs, y, n, pix, classes, !c.onehot)
			}
			got, _ := m.ComputeGradients(x, y, n)
			require.InDelta(t, plain(), got, 1e-5, "engine and plain per-pixel loss")
			for pi, p := range m.Params() {
				analytic := append([]float32(nil), p.G...)
				finiteDifferences(t, fmt.Sprintf("param %d (%s)", pi, p.Name), p.W, analytic, gradEps, func() (float64, bool) {
					return plain(), false
				})
			}
		})
	}
}

func TestIoU(t *testing.T) {
	// 3 classes; rows true, columns predicted.
	conf := []int{
		5, 1, 0, // class 0: TP 5, FN 1
		2, 3, 0, // class 1: TP 3, FN 2
		0, 0, 0, // class 2: never labelled nor predicted
	}
	e := &Evaluation{Confusion: conf, Classes: 3}
	iou := e.IoU()
	assert.InDelta(t, 5.0/(5+1+2), iou[0], 1e-12) // TP / (TP + FN + FP)
	assert.InDelta(t, 3.0/(3+2+1), iou[1], 1e-12)
	assert.True(t, math.IsNaN(iou[2]))
	assert.InDelta(t, (5.0/8+3.0/6)/2, e.MeanIoU(), 1e-12, "the mean skips the absent class")
	assert.Nil(t, (&Evaluation{}).IoU())
	assert.True(t, math.IsNaN((&Evaluation{}).MeanIoU()))
	// A class predicted but never labelled counts, with IoU 0.
	e = &Evaluation{Confusion: []int{4, 1, 0, 0}, Classes: 2}
	assert.InDelta(t, (4.0/5+0)/2, e.MeanIoU(), 1e-12)
}

func TestClassMap(t *testing.T) {
	out := []float32{0.1, 0.7, 0.2, 0.5, 0.5, 0, 0, 0, 1}
	got := make([]int, 3)
	ClassMap(got, out, 3)
	assert.Equal(t, []int{1, 0, 2}, got, "ties go to the lowest class")
}

// segData is a tiny segmentation set: 5x4 maps of one channel whose label
// is 1 where the pixel is positive, 2 where it is below -1, else 0.
func segData(n int, seed uint64) *TensorData { return segMaps(n, 5, 4, seed) }

// segMaps is segData at another size: n h x w maps.
func segMaps(n, h, w int, seed uint64) *TensorData {
	rng := rand.New(rand.NewPCG(seed, 1))
	x, y := NewTensor(n, h, w, 1), NewTensor(n, h, w)
	for i := range x.Data {
		v := float32(rng.NormFloat64())
		x.Data[i] = v
		switch {
		case v > 0:
			y.Data[i] = 1
		case v < -1:
			y.Data[i] = 2
		}
	}
	return &TensorData{X: x, Y: y}
}

// TestFitPerPixel trains a 1x1-conv model on segData: the loss falls, the
// accuracy is a pixel accuracy (a fraction, counted over pixels), and the
// detailed evaluation counts pixels in its confusion matrix.
func TestFitPerPixel(t *testing.T) {
	m, err := Build(ModelSpec{Input: []int{5, 4, 1}, Layers: []LayerSpec{
		{Type: "Conv2D", Filters: 8, KernelSize: 1, Activation: "tanh"},
		{Type: "Conv2D", Filters: 3, KernelSize: 1, Activation: "softmax"},
	}}, 3)
	require.NoError(t, err)
	opt, _ := NewOptimizer(OptimizerSpec{Name: "adam", LearningRate: 0.05})
	loss, _ := ParseLoss("sparse_categorical_crossentropy")
	require.NoError(t, m.Compile(opt, loss))
	train, val := segData(64, 1), segData(16, 2)
	var csv strings.Builder
	best := &EarlyStopping{Monitor: "val_mean_iou", Patience: 100}
	h, err := m.Fit(train, FitConfig{Epochs: 8, BatchSize: 8, Seed: 1, Validation: val,
		Callbacks: []Callback{&CSVLogger{W: &csv}, best}})
	require.NoError(t, err)
	require.Len(t, h.ValMeanIoU, 8)
	assert.True(t, strings.HasPrefix(csv.String(), "epoch,accuracy,loss,val_accuracy,val_loss,val_mean_iou\r\n0,"), csv.String())
	v, be := best.Best()
	assert.Equal(t, h.ValMeanIoU[be], v)
	for _, u := range h.ValMeanIoU {
		assert.LessOrEqual(t, u, v, "val_mean_iou is maximized")
	}
	require.Len(t, h.Loss, 8)
	assert.Less(t, h.Loss[7], h.Loss[0])
	assert.Greater(t, h.ValAccuracy[7], 0.9)
	assert.LessOrEqual(t, h.ValAccuracy[7], 1.0)

	e, err := m.EvaluateDetailed(val, 5)
	require.NoError(t, err)
	assert.Equal(t, 20, e.Pixels)
	assert.Equal(t, 16, e.Samples)
	assert.Equal(t, 3, e.Classes)
	total := 0
	for _, c := range e.Confusion {
		total += c
	}
	assert.Equal(t, 16*20, total, "the confusion matrix counts pixels")
	assert.InDelta(t, float64(e.Correct)/float64(16*20), e.Accuracy, 1e-12)
	assert.InDelta(t, h.ValAccuracy[7], e.Accuracy, 1e-12)
	assert.Nil(t, e.Misclassified)
	assert.Greater(t, e.MeanIoU(), 0.7)
	assert.InDelta(t, h.ValMeanIoU[7], e.MeanIoU(), 1e-12, "training validates the mean IoU Evaluate reports")
	b, err := json.Marshal(Logs{HasValidation: true, HasMeanIoU: true, ValMeanIoU: 0.5})
	require.NoError(t, err)
	assert.JSONEq(t, `{"loss":0,"accuracy":0,"val_loss":0,"val_accuracy":0,"val_mean_iou":0.5}`, string(b))

	// A classifier has no mean IoU to monitor.
	c, err := Build(mtDenseSpec(3, 4, "softmax"), 1)
	require.NoError(t, err)
	require.NoError(t, c.Compile(opt, loss))
	td := &TensorData{X: NewTensor(4, 3), Y: NewTensor(4)}
	_, err = c.Fit(td, FitConfig{Validation: td, Callbacks: []Callback{&EarlyStopping{Monitor: "val_mean_iou"}}})
	assert.ErrorContains(t, err, "val_mean_iou, which needs a segmentation model")

	// A bad label is named by its sample and pixel.
	bad := segData(3, 4)
	bad.Y.Data[2*20+7] = 3
	_, err = m.EvaluateDetailed(bad, 0)
	require.EqualError(t, err, "nn: evaluation sample 2 has label 3 at pixel 7, not a class index in [0, 3)")
}
