package nn

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// weightedGoldenCases are the cases of testdata/golden/segment_weighted_ce.npz
// (gen_weighted.py), each a (N, H, W, C) map of logits.
var weightedGoldenCases = []string{"small", "binary", "wide", "saturated"}

// TestGoldenWeightedPixelCrossEntropy checks the background-weighted
// per-pixel loss against PyTorch (testdata/golden/gen_weighted.py): its
// value and input gradient from logits and from probabilities, for several
// shapes and background weights, with the reduction Keras's class_weight
// uses: each pixel's loss times its label's weight, summed and divided by
// the number of pixels (not by the weights' sum, as
// F.cross_entropy(weight=...) does; the fixture's loss_wsum pins that
// difference).
func TestGoldenWeightedPixelCrossEntropy(t *testing.T) {
	a := loadGolden(t, "segment_weighted_ce")
	weights := mustArray(t, a, "weights").Data
	require.Contains(t, weights, float32(1), "w = 1 must be among the weights: it is the plain loss")
	for _, name := range weightedGoldenCases {
		z, p, labels := mustArray(t, a, name+"_z"), mustArray(t, a, name+"_p"), mustArray(t, a, name+"_labels")
		require.Len(t, z.Shape, 4, name)
		rows, c := z.Shape[0]*z.Shape[1]*z.Shape[2], z.Shape[3]
		require.Len(t, labels.Data, rows, name)
		for i, w := range weights {
			key := fmt.Sprintf("%s_w%d", name, i)
			t.Run(fmt.Sprintf("%s/w=%g", name, w), func(t *testing.T) {
				loss, err := BackgroundWeighted(float64(w))
				require.NoError(t, err)
				l := loss.(logitsLoss)

				dz := make([]float32, len(z.Data))
				got := l.LossFromLogits(dz, z.Data, labels.Data, rows, c)
				want := float64(mustArray(t, a, key+"_loss_logits").Data[0])
				require.InDelta(t, want, got, 1e-6*math.Abs(want), "loss from logits")
				assertClose(t, "dz", dz, mustArray(t, a, key+"_dz").Data, 1e-5, 1e-6)

				dp := make([]float32, len(p.Data))
				got = l.Loss(dp, p.Data, labels.Data, rows, c)
				want = float64(mustArray(t, a, key+"_loss_probs").Data[0])
				require.InDelta(t, want, got, 1e-6*math.Abs(want), "loss from probabilities")
				assertClose(t, "dp", dp, mustArray(t, a, key+"_dp").Data, 1e-5, 1e-6)

				// PyTorch's weight-normalized mean is ours times pixels / sum of weights.
				var wsum float64
				for _, v := range labels.Data {
					wsum += weightedSparseCrossEntropy{float64(w)}.weight(sparseLabel(v, c))
				}
				fromLogits := l.LossFromLogits(dz, z.Data, labels.Data, rows, c)
				torchMean := float64(mustArray(t, a, key+"_loss_wsum").Data[0])
				require.InDelta(t, torchMean, fromLogits*float64(rows)/wsum, 1e-6*math.Abs(torchMean), "weight-sum mean")
				if w != 1 {
					require.Greater(t, math.Abs(torchMean-fromLogits), 1e-4*math.Abs(torchMean), "ours must not be the weight-sum mean")
				}
			})
		}
	}
}

// TestGoldenWeightedIsPlainAtOne checks that with w = 1 the weighted loss
// matches PyTorch's plain per-pixel cross-entropy, and that the plain loss
// itself (sparseCrossEntropy) agrees with the same golden.
func TestGoldenWeightedIsPlainAtOne(t *testing.T) {
	a := loadGolden(t, "segment_weighted_ce")
	one := -1
	for i, w := range mustArray(t, a, "weights").Data {
		if w == 1 {
			one = i
		}
	}
	require.GreaterOrEqual(t, one, 0)
	for _, name := range weightedGoldenCases {
		z, p, labels := mustArray(t, a, name+"_z"), mustArray(t, a, name+"_p"), mustArray(t, a, name+"_labels")
		rows, c := len(labels.Data), z.Shape[3]
		key := fmt.Sprintf("%s_w%d", name, one)
		dz := make([]float32, len(z.Data))
		got := sparseCrossEntropy{}.LossFromLogits(dz, z.Data, labels.Data, rows, c)
		want := float64(mustArray(t, a, key+"_loss_logits").Data[0])
		require.InDelta(t, want, got, 1e-6*math.Abs(want), "%s: plain loss from logits", name)
		assertClose(t, name+" plain dz", dz, mustArray(t, a, key+"_dz").Data, 1e-5, 1e-6)
		dp := make([]float32, len(p.Data))
		got = sparseCrossEntropy{}.Loss(dp, p.Data, labels.Data, rows, c)
		want = float64(mustArray(t, a, key+"_loss_probs").Data[0])
		require.InDelta(t, want, got, 1e-6*math.Abs(want), "%s: plain loss from probabilities", name)
		assertClose(t, name+" plain dp", dp, mustArray(t, a, key+"_dp").Data, 1e-5, 1e-6)
		// The weight-sum mean equals ours at w = 1 (every weight is 1).
		wsum := float64(mustArray(t, a, key+"_loss_wsum").Data[0])
		fromLogits := float64(mustArray(t, a, key+"_loss_logits").Data[0])
		require.InDelta(t, wsum, fromLogits, 1e-6*math.Abs(wsum), "%s: weight-sum mean at w = 1", name)
	}
}

// TestGoldenWeightedThroughModel compiles a model whose output is a
// softmax over an (H, W, C) map with the weighted loss, so that the
// model's per-pixel path (Compile's pixel count, the fused softmax and
// LossFromLogits) is what is checked against PyTorch.
func TestGoldenWeightedThroughModel(t *testing.T) {
	a := loadGolden(t, "segment_weighted_ce")
	weights := mustArray(t, a, "weights").Data
	for _, name := range weightedGoldenCases {
		z, labels := mustArray(t, a, name+"_z"), mustArray(t, a, name+"_labels")
		n := z.Shape[0]
		for i, w := range weights {
			key := fmt.Sprintf("%s_w%d", name, i)
			m, err := Build(ModelSpec{Input: z.Shape[1:], Layers: []LayerSpec{{Type: "Activation", Activation: "softmax"}}}, 1)
			require.NoError(t, err)
			opt, err := NewOptimizer(OptimizerSpec{Name: "sgd"})
			require.NoError(t, err)
			loss, err := ParseLoss(fmt.Sprintf("weighted_sparse_categorical_crossentropy(%g)", w))
			require.NoError(t, err)
			require.NoError(t, m.Compile(opt, loss))
			got, _ := m.ComputeGradients(z.Data, labels.Data, n)
			want := float64(mustArray(t, a, key+"_loss_logits").Data[0])
			require.InDelta(t, want, got, 1e-6*math.Abs(want), "%s: model loss", key)
			assertClose(t, key+" model dz", m.dOut, mustArray(t, a, key+"_dz").Data, 1e-5, 1e-6)
		}
	}
}
