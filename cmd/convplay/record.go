package main

import (
	"encoding/json"
	"os"
	"strings"

	"convplay/nn"
)

// record is what -meta writes: everything needed to reproduce a trained
// model and the numbers it reached.
type record struct {
	Model        string           `json:"model,omitempty"`
	Command      string           `json:"command"`
	Note         string           `json:"note,omitempty"`
	Seed         uint64           `json:"seed"`
	Data         dataRecord       `json:"data"`
	Arch         string           `json:"arch"`
	Params       int              `json:"params"`
	Optimizer    nn.OptimizerSpec `json:"optimizer"`
	Loss         string           `json:"loss"`
	Epochs       int              `json:"epochs"`
	BatchSize    int              `json:"batch_size"`
	Crop         int              `json:"crop,omitempty"` // -crop: trained on windows of this side
	EpochsRun    int              `json:"epochs_run"`
	BestEpoch    int              `json:"best_epoch,omitempty"` // 1-based
	StoppedEarly bool             `json:"stopped_early"`
	Interrupted  bool             `json:"interrupted"`
	History      *nn.History      `json:"history"`
	Test         *metrics         `json:"test,omitempty"`
	TestDedup    *metrics         `json:"test_deduplicated,omitempty"`
	TrainSeconds float64          `json:"train_seconds"`
	Go           string           `json:"go"`
	GOARCH       string           `json:"goarch"`
	CPUs         int              `json:"cpus"`
	Date         string           `json:"date"`
	Checkpoint   string           `json:"checkpoint,omitempty"` // empty when the run wrote none
}

type dataRecord struct {
	Name       string `json:"name"`
	Title      string `json:"title"`
	Source     string `json:"source"`
	Train      int    `json:"train"`
	Validation int    `json:"validation"`
	Test       int    `json:"test"`
	Subset     int    `json:"subset,omitempty"`
	ValSubset  int    `json:"val_subset,omitempty"`
	// PixelStep is the grey-level step packdata -round left in the
	// training images (absent: the source's exact pixels).
	PixelStep int `json:"pixel_step,omitempty"`
}

type metrics struct {
	Loss     float64 `json:"loss"`
	Accuracy float64 `json:"accuracy"`           // pixel accuracy for scenes
	MeanIoU  float64 `json:"mean_iou,omitempty"` // scenes only
}

func writeRecord(path string, rec record) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, func(f *os.File) error { _, err := f.Write(append(b, '\n')); return err })
}

// commandLine writes a command as a POSIX shell reads it back: arguments
// holding anything but letters, digits and -_./=,:+@ are single-quoted.
func commandLine(name string, args []string) string {
	parts := []string{name}
	for _, a := range args {
		plain := a != ""
		for _, c := range a {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.ContainsRune("-_./=,:+@", c)) {
				plain = false
				break
			}
		}
		if !plain {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}
