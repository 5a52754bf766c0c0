// Package pretrained holds the models that make pretrain trains, each
// beside a JSON record of how it was made (pretrained/README.md). Its test
// checks that every committed model still reaches the test accuracy its
// record states, and every segmentation model (data NAME-scenes) the mean
// IoU and pixel accuracy on its fixed test scenes.
package pretrained

import (
	"encoding/json"
	"fmt"
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
			if sets[base] == nil {
				sets[base] = openData(t, base)
			}
			ds := sets[base]
			f, err := os.Open(filepath.Base(rec.Checkpoint))
			require.NoError(t, err)
			defer f.Close()
			m, err := nn.Load(f)
			require.NoError(t, err)
			compileForEvaluation(t, m)
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

// openData opens the packed data set name (make data writes it into
// web/data). As the other real-data tests, a test without it is skipped on a
// fresh clone, and fails when make test asks for the data.
func openData(t *testing.T, name string) *dataset.Dataset {
	t.Helper()
	dir := filepath.Join("..", "web", "data", name)
	if _, err := os.Stat(filepath.Join(dir, dataset.ManifestName)); err != nil {
		if os.Getenv("CONVPLAY_DATA") == "1" {
			t.Fatalf("CONVPLAY_DATA=1 but the packed data set %s is missing (%v): run make data in the repository's root first", dir, err)
		}
		t.Skipf("no packed data in %s (run make data; CONVPLAY_DATA=1 makes this a failure)", dir)
	}
	ds, err := dataset.Open(dir)
	require.NoError(t, err)
	return ds
}

// TestDenseVsConvRecords checks the shipped runs of the Why convolution
// lesson (make pretrain-densevsconv), whose records the page draws as they
// are: each is the lesson's preset trained on its size with the lesson's
// recipe, its history has one value per epoch run for each curve, and its
// checkpoint holds that preset's architecture.
func TestDenseVsConvRecords(t *testing.T) {
	for _, n := range []int{5000, 55000} {
		for _, arch := range []string{"dense", "small-same"} {
			name := fmt.Sprintf("densevsconv-%s-%d", arch, n)
			t.Run(name, func(t *testing.T) {
				b, err := os.ReadFile(name + ".json")
				require.NoError(t, err, "make pretrain-densevsconv writes it")
				var rec struct {
					Command string `json:"command"`
					Seed    uint64 `json:"seed"`
					Arch    string `json:"arch"`
					Data    struct {
						Name       string `json:"name"`
						Train      int    `json:"train"`
						Validation int    `json:"validation"`
						Subset     int    `json:"subset"`
						ValSubset  int    `json:"val_subset"`
					} `json:"data"`
					Optimizer    nn.OptimizerSpec `json:"optimizer"`
					Epochs       int              `json:"epochs"`
					EpochsRun    int              `json:"epochs_run"`
					BatchSize    int              `json:"batch_size"`
					StoppedEarly bool             `json:"stopped_early"`
					Interrupted  bool             `json:"interrupted"`
					History      map[string][]float64
					Test         *struct{ Accuracy float64 }
					Checkpoint   string  `json:"checkpoint"`
					Seconds      float64 `json:"train_seconds"`
				}
				require.NoError(t, json.Unmarshal(b, &rec))
				assert.Equal(t, arch, rec.Arch)
				assert.Equal(t, "fashion", rec.Data.Name)
				assert.Equal(t, n, rec.Data.Train, "trained on the first %d images", n)
				assert.Equal(t, 1000, rec.Data.Validation, "validated as the page's live runs are (plan.js VALIDATION)")
				assert.Equal(t, "adam", rec.Optimizer.Name, "the side models' optimizer")
				assert.Equal(t, 32, rec.BatchSize)
				assert.Equal(t, uint64(1), rec.Seed)
				assert.False(t, rec.StoppedEarly || rec.Interrupted, "every epoch run")
				assert.Equal(t, rec.Epochs, rec.EpochsRun)
				assert.GreaterOrEqual(t, rec.EpochsRun, 2, "a curve, not a point")
				for _, k := range []string{"loss", "accuracy", "val_loss", "val_accuracy"} {
					assert.Len(t, rec.History[k], rec.EpochsRun, k)
					for _, v := range rec.History[k] {
						assert.False(t, math.IsNaN(v) || math.IsInf(v, 0), k)
					}
				}
				assert.Contains(t, rec.Command, "-arch "+arch+" ")
				assert.Contains(t, rec.Command, fmt.Sprintf("-subset %d ", n))
				assert.Contains(t, rec.Command, "-checkpoint pretrained/"+name+".cpw")
				require.NotNil(t, rec.Test)
				assert.Greater(t, rec.Test.Accuracy, 0.5)
				assert.Greater(t, rec.Seconds, 0.0)

				assertPresetCheckpoint(t, filepath.Base(rec.Checkpoint), arch)
			})
		}
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

// TestShippedFCNRecords checks the segmentation lesson's shipped FCNs, one
// per data set (make pretrain-fcn-digits, make pretrain-fcn-fashion),
// without the data: each record is an fcn run on its data set's scenes
// that kept the best val_mean_iou epoch and states its mean IoU on the
// 1,000 fixed test scenes; its checkpoint holds the fcn preset; the page's
// segmentation lesson (SHIPPED in web/views/segment/segment.js) loads it.
func TestShippedFCNRecords(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("..", "web", "views", "segment", "segment.js"))
	require.NoError(t, err)
	for _, set := range []string{"digits", "fashion"} {
		name := "fcn-" + set
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(name + ".json")
			require.NoError(t, err, "make pretrain-%s writes it", name)
			var rec struct {
				Command string `json:"command"`
				Arch    string `json:"arch"`
				Data    struct {
					Name       string `json:"name"`
					Test       int    `json:"test"`
					Validation int    `json:"validation"`
				} `json:"data"`
				EpochsRun   int                  `json:"epochs_run"`
				BestEpoch   int                  `json:"best_epoch"`
				Interrupted bool                 `json:"interrupted"`
				Date        string               `json:"date"`
				History     map[string][]float64 `json:"history"`
				Test        *struct {
					Accuracy float64 `json:"accuracy"`
					MeanIoU  float64 `json:"mean_iou"`
				} `json:"test"`
				Checkpoint string  `json:"checkpoint"`
				Seconds    float64 `json:"train_seconds"`
			}
			require.NoError(t, json.Unmarshal(b, &rec))
			assert.Equal(t, "fcn", rec.Arch)
			assert.Equal(t, set+"-scenes", rec.Data.Name)
			assert.Equal(t, 1000, rec.Data.Test, "scored on the 1,000 fixed test scenes")
			assert.Contains(t, rec.Command, "-monitor val_mean_iou")
			assert.Equal(t, "pretrained/"+name+".cpw", rec.Checkpoint)
			assert.NotEmpty(t, rec.Date, "when the run ended (or was stopped: interrupted)")
			iou := rec.History["val_mean_iou"]
			require.Len(t, iou, rec.EpochsRun, "one val_mean_iou per epoch run")
			require.True(t, rec.BestEpoch >= 1 && rec.BestEpoch <= rec.EpochsRun, "best epoch %d of %d", rec.BestEpoch, rec.EpochsRun)
			for i, v := range iou {
				assert.LessOrEqual(t, v, iou[rec.BestEpoch-1], "epoch %d beats the kept epoch %d", i+1, rec.BestEpoch)
			}
			require.NotNil(t, rec.Test)
			assert.True(t, rec.Test.MeanIoU > 0 && rec.Test.MeanIoU <= 1, "test mean IoU %v", rec.Test.MeanIoU)
			assert.True(t, rec.Test.Accuracy > 0.9 && rec.Test.Accuracy <= 1, "pixel accuracy %v: background alone is about 0.93", rec.Test.Accuracy)
			assert.Greater(t, rec.Seconds, 0.0)

			assertPresetCheckpoint(t, name+".cpw", "fcn")
			assert.Contains(t, string(page), fmt.Sprintf("%s: 'pretrained/%s.cpw'", set, name), "the lesson's SHIPPED table loads it")
		})
	}
}

// assertPresetCheckpoint checks that the checkpoint file holds the preset's
// architecture: its layers' types, names and shapes, and its parameter count.
func assertPresetCheckpoint(t *testing.T, file, preset string) {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	m, err := nn.Load(f)
	require.NoError(t, err)
	spec, err := nn.Preset(preset)
	require.NoError(t, err)
	want, err := nn.Build(spec, 1)
	require.NoError(t, err)
	require.Len(t, m.Layers, len(want.Layers))
	for i, l := range want.Layers {
		assert.Equal(t, l.Spec().Type, m.Layers[i].Spec().Type, "layer %d", i+1)
		assert.Equal(t, l.Spec().Name, m.Layers[i].Spec().Name, "layer %d", i+1)
		assert.Equal(t, l.OutShape(), m.Layers[i].OutShape(), "layer %d", i+1)
	}
	assert.Equal(t, want.NumParams(), m.NumParams())
}
