// Package pretrained holds the models that make pretrain trains, each
// beside a JSON record of how it was made (pretrained/README.md). Its test
// checks that every committed model still reaches the test accuracy its
// record states, and every segmentation model (data NAME-scenes) the mean
// IoU and pixel accuracy on its fixed test scenes.
package pretrained

import (
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

// record is the part of convplay train's -meta JSON that the check reads.
type record struct {
	Command string `json:"command"`
	Data    struct {
		Name string `json:"name"`
		Test int    `json:"test"` // test scenes, for NAME-scenes
	} `json:"data"`
	Checkpoint string `json:"checkpoint"`
	Test       *struct {
		Loss     float64  `json:"loss"`
		Accuracy float64  `json:"accuracy"`
		MeanIoU  *float64 `json:"mean_iou"`
	} `json:"test"`
	TestDedup *struct {
		Accuracy float64 `json:"accuracy"`
	} `json:"test_deduplicated"`
}

// tolerance is how far (in accuracy, 0.001 = 0.1 percentage points) a
// model may drift from its recorded test accuracy: the engine's kernels
// may sum in another order than when it was trained.
const tolerance = 0.001

func TestPretrainedAccuracy(t *testing.T) {
	metas, err := filepath.Glob("*.json")
	require.NoError(t, err)
	require.NotEmpty(t, metas, "no pretrained model records (*.json) in pretrained/")
	sets := map[string]*dataset.Dataset{}
	for _, meta := range metas {
		t.Run(meta, func(t *testing.T) {
			b, err := os.ReadFile(meta)
			require.NoError(t, err)
			var rec record
			require.NoError(t, json.Unmarshal(b, &rec))
			require.NotNil(t, rec.Test, "%s records no test accuracy", meta)
			base, isScenes := strings.CutSuffix(rec.Data.Name, "-scenes")
			ds := sets[base]
			if ds == nil {
				dir := filepath.Join("..", "web", "data", base)
				if _, err := os.Stat(filepath.Join(dir, dataset.ManifestName)); err != nil {
					// As the other real-data tests: skipped on a fresh clone,
					// a failure when make test asks for the data.
					if os.Getenv("CONVPLAY_DATA") == "1" {
						t.Fatalf("CONVPLAY_DATA=1 but the packed data set %s is missing (%v): run make data in the repository's root first", dir, err)
					}
					t.Skipf("no packed data in %s (run make data; CONVPLAY_DATA=1 makes this a failure)", dir)
				}
				ds, err = dataset.Open(dir)
				require.NoError(t, err)
				sets[base] = ds
			}
			f, err := os.Open(filepath.Base(rec.Checkpoint))
			require.NoError(t, err)
			defer f.Close()
			m, err := nn.Load(f)
			require.NoError(t, err)
			opt, err := nn.NewOptimizer(nn.OptimizerSpec{Name: "sgd"})
			require.NoError(t, err)
			loss, err := nn.ParseLoss("sparse_categorical_crossentropy")
			require.NoError(t, err)
			require.NoError(t, m.Compile(opt, loss))
			if isScenes {
				checkScenes(t, m, ds, rec)
				return
			}
			test, err := ds.Split(dataset.Test)
			require.NoError(t, err)
			gotLoss, acc, err := m.Evaluate(test, 0)
			require.NoError(t, err)
			t.Logf("%s: test [%.4f, %.4f], recorded [%.4f, %.4f]", rec.Checkpoint, gotLoss, acc, rec.Test.Loss, rec.Test.Accuracy)
			assert.LessOrEqual(t, math.Abs(acc-rec.Test.Accuracy), tolerance,
				"test accuracy %.4f, recorded %.4f (made by %s)", acc, rec.Test.Accuracy, rec.Command)
			if rec.TestDedup != nil {
				_, dacc, err := m.Evaluate(ds.DedupTest(), 0)
				require.NoError(t, err)
				assert.LessOrEqual(t, math.Abs(dacc-rec.TestDedup.Accuracy), tolerance)
			}
		})
	}
}

// checkScenes checks a segmentation model's recorded pixel accuracy and
// mean IoU on its fixed test scenes: the first rec.Data.Test scenes of the
// deduplicated test split with the fixed seed, as convplay train scores them.
func checkScenes(t *testing.T, m *nn.Model, ds *dataset.Dataset, rec record) {
	require.NotNil(t, rec.Test.MeanIoU, "a scenes record gives the test mean IoU")
	require.Positive(t, rec.Data.Test, "a scenes record gives its test scenes")
	g, err := scenes.New(ds.DedupTest(), scenes.FixedSeed, scenes.Test)
	require.NoError(t, err)
	e, err := m.EvaluateDetailed(scenes.NewData(g, rec.Data.Test, ds.Standardize), 0)
	require.NoError(t, err)
	t.Logf("%s: %d test scenes: loss %.4f, pixel accuracy %.4f, mean IoU %.4f; recorded %.4f, %.4f, %.4f",
		rec.Checkpoint, rec.Data.Test, e.Loss, e.Accuracy, e.MeanIoU(), rec.Test.Loss, rec.Test.Accuracy, *rec.Test.MeanIoU)
	assert.LessOrEqual(t, math.Abs(e.Accuracy-rec.Test.Accuracy), tolerance,
		"pixel accuracy %.4f, recorded %.4f (made by %s)", e.Accuracy, rec.Test.Accuracy, rec.Command)
	assert.LessOrEqual(t, math.Abs(e.MeanIoU()-*rec.Test.MeanIoU), tolerance,
		"mean IoU %.4f, recorded %.4f (made by %s)", e.MeanIoU(), *rec.Test.MeanIoU, rec.Command)
}
