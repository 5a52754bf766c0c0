// Package pretrained holds the models that make pretrain trains, each
// beside a JSON record of how it was made (pretrained/README.md). Its test
// checks that every committed model still reaches the test accuracy its
// record states.
package pretrained

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/dataset"
	"convplay/nn"
)

// record is the part of convplay train's -meta JSON that the check reads.
type record struct {
	Command string `json:"command"`
	Data    struct {
		Name string `json:"name"`
	} `json:"data"`
	Checkpoint string `json:"checkpoint"`
	Test       *struct {
		Loss     float64 `json:"loss"`
		Accuracy float64 `json:"accuracy"`
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
			ds := sets[rec.Data.Name]
			if ds == nil {
				dir := filepath.Join("..", "web", "data", rec.Data.Name)
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
				sets[rec.Data.Name] = ds
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
