package pretrained

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/dataset"
	"convplay/nn"
	"convplay/scenes"
)

// minAgreement is the share of test images on which a model's float16 copy
// must predict the class its float32 original predicts.
const minAgreement = 0.999

// TestFloat16Copies checks the page's copies of the pretrained models: the
// Makefile writes each as convplay convert -float16 does (nn's SaveFloat16:
// half the bytes), and ships it only because this holds: on the test split
// its accuracy is the original's within tolerance and it predicts the same
// class on at least 99.9% of the images (a segmentation model: pixel
// accuracy and mean IoU within tolerance on its fixed test scenes). A copy
// already built in web/pretrained must be that very file.
func TestFloat16Copies(t *testing.T) {
	metas, err := filepath.Glob("*.json")
	require.NoError(t, err)
	sets := map[string]*dataset.Dataset{}
	for _, meta := range metas {
		t.Run(meta, func(t *testing.T) {
			b, err := os.ReadFile(meta)
			require.NoError(t, err)
			var rec record
			require.NoError(t, json.Unmarshal(b, &rec))
			name := filepath.Base(rec.Checkpoint)
			full := loadFile(t, name)
			var half bytes.Buffer
			require.NoError(t, full.SaveFloat16(&half))
			if page, err := os.ReadFile(filepath.Join("..", "web", "pretrained", name)); err == nil {
				assert.True(t, bytes.Equal(half.Bytes(), page), "web/pretrained/%s is not the float16 copy checked here: run make page", name)
			}
			small, err := nn.Load(bytes.NewReader(half.Bytes()))
			require.NoError(t, err)
			compileForEvaluation(t, small)

			base, isScenes := strings.CutSuffix(rec.Data.Name, "-scenes")
			if sets[base] == nil {
				sets[base] = openData(t, base)
			}
			ds := sets[base]
			if isScenes {
				g, err := scenes.New(ds.DedupTest(), scenes.FixedSeed, scenes.Test)
				require.NoError(t, err)
				data := scenes.NewData(g, rec.Data.Test, ds.Standardize)
				e32, err := full.EvaluateDetailed(data, 0)
				require.NoError(t, err)
				e16, err := small.EvaluateDetailed(data, 0)
				require.NoError(t, err)
				t.Logf("%s: pixel accuracy %.4f, mean IoU %.4f; float16 copy (%d bytes): %.4f, %.4f",
					name, e32.Accuracy, e32.MeanIoU(), half.Len(), e16.Accuracy, e16.MeanIoU())
				assert.LessOrEqual(t, math.Abs(e16.Accuracy-e32.Accuracy), tolerance)
				assert.LessOrEqual(t, math.Abs(e16.MeanIoU()-e32.MeanIoU()), tolerance)
				return
			}
			test, err := ds.Split(dataset.Test)
			require.NoError(t, err)
			n, in := test.Len(), full.InShape().Size()
			x, labels := make([]float32, n*in), make([]float32, n)
			idx := make([]int, n)
			for i := range idx {
				idx[i] = i
			}
			test.Fill(x, labels, idx)
			p32, p16 := classes(t, full, x, n), classes(t, small, x, n)
			right32, right16, same := 0, 0, 0
			for i, label := range labels {
				right32 += b2i(p32[i] == int(label))
				right16 += b2i(p16[i] == int(label))
				same += b2i(p32[i] == p16[i])
			}
			acc32, acc16, agree := float64(right32)/float64(n), float64(right16)/float64(n), float64(same)/float64(n)
			t.Logf("%s: test accuracy %.4f; float16 copy (%d bytes): %.4f, the same class on %d of %d images (%.2f%%)",
				name, acc32, half.Len(), acc16, same, n, 100*agree)
			assert.LessOrEqual(t, math.Abs(acc16-acc32), tolerance, "float16 accuracy %.4f, float32 %.4f", acc16, acc32)
			assert.GreaterOrEqual(t, agree, minAgreement, "the float16 copy predicts the same class on %d of %d test images", same, n)
		})
	}
}

// loadFile loads a model of pretrained/.
func loadFile(t *testing.T, name string) *nn.Model {
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	m, err := nn.Load(f)
	require.NoError(t, err)
	compileForEvaluation(t, m)
	return m
}

// compileForEvaluation compiles m as TestPretrainedAccuracy evaluates it.
func compileForEvaluation(t *testing.T, m *nn.Model) {
	opt, err := nn.NewOptimizer(nn.OptimizerSpec{Name: "sgd"})
	require.NoError(t, err)
	loss, err := nn.ParseLoss("sparse_categorical_crossentropy")
	require.NoError(t, err)
	require.NoError(t, m.Compile(opt, loss))
}

// classes is the class m predicts for each of the n samples in x.
func classes(t *testing.T, m *nn.Model, x []float32, n int) []int {
	out, err := m.Predict(x, n)
	require.NoError(t, err)
	k := len(out) / n
	top := make([]int, n)
	for i := range top {
		row := out[i*k : (i+1)*k]
		for j, v := range row {
			if v > row[top[i]] {
				top[i] = j
			}
		}
	}
	return top
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
