package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"convplay/internal/tfevents"
	"convplay/nn"
)

// tensorBoard is Keras's TensorBoard callback, for its scalars: after each
// epoch e it writes epoch_loss and epoch_accuracy at step e to an event file
// in DIR/train and, with validation data, the validation loss and accuracy
// under the same tags in DIR/validation, as Keras does, so that
// `tensorboard --logdir DIR` shows the two runs' curves side by side.
type tensorBoard struct {
	dir   string
	now   func() time.Time // time.Now unless a test sets it
	files []*os.File
	runs  map[string]*tfevents.Writer // "train", "validation"
}

func (tb *tensorBoard) TrainBegin(t *nn.Trainer) error {
	if tb.now == nil {
		tb.now = time.Now
	}
	host, err := os.Hostname()
	if err != nil {
		host = "localhost"
	}
	tb.runs = map[string]*tfevents.Writer{}
	runs := []string{"train"}
	if t.HasValidation() {
		runs = append(runs, "validation")
	}
	for i, run := range runs {
		dir := filepath.Join(tb.dir, run)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("-logdir: %w", err)
		}
		now := tb.now()
		f, err := os.Create(filepath.Join(dir, tfevents.FileName(now.Unix(), host, os.Getpid(), i)))
		if err != nil {
			return fmt.Errorf("-logdir: %w", err)
		}
		tb.files = append(tb.files, f)
		if tb.runs[run], err = tfevents.NewWriter(f, seconds(now)); err != nil {
			return fmt.Errorf("-logdir: %w", err)
		}
	}
	return nil
}

func (tb *tensorBoard) EpochEnd(_ *nn.Trainer, epoch int, logs nn.Logs) (bool, error) {
	wall := seconds(tb.now())
	type scalar struct {
		run, tag string
		v        float64
	}
	scalars := []scalar{{"train", "epoch_loss", logs.Loss}, {"train", "epoch_accuracy", logs.Accuracy}}
	if logs.HasValidation {
		scalars = append(scalars, scalar{"validation", "epoch_loss", logs.ValLoss}, scalar{"validation", "epoch_accuracy", logs.ValAccuracy})
	}
	for _, s := range scalars {
		if w := tb.runs[s.run]; w != nil {
			if err := w.Scalar(s.tag, int64(epoch), float32(s.v), wall); err != nil {
				return false, fmt.Errorf("-logdir: %w", err)
			}
		}
	}
	return false, nil
}

func (tb *tensorBoard) TrainEnd(*nn.Trainer) error { return tb.Close() }

// Close closes the event files (once).
func (tb *tensorBoard) Close() error {
	var errs []error
	for _, f := range tb.files {
		errs = append(errs, f.Close())
	}
	tb.files = nil
	return errors.Join(errs...)
}

func seconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
