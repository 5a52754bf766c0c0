package nn

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Callback hooks into training as Keras's callbacks do. EpochEnd runs
// after every epoch with its logs and may stop training.
type Callback interface {
	TrainBegin(t *Trainer) error
	EpochEnd(t *Trainer, epoch int, logs Logs) (stop bool, err error)
	TrainEnd(t *Trainer) error
}

// monitorBetter returns the comparison "a is better than b" for a monitored
// value: mode "min" or "max", or "auto"/"" to infer it from the name with
// isMax. It checks that the logs will have the value.
func monitorBetter(t *Trainer, who, monitor, mode string, isMax func(string) bool) (func(a, b float64) bool, error) {
	probe := Logs{HasValidation: true, HasMeanIoU: true}
	if _, ok := probe.Get(monitor); !ok {
		return nil, fmt.Errorf("nn: %s monitors %q, want loss, accuracy, val_loss or val_accuracy (or val_mean_iou)", who, monitor)
	}
	if strings.HasPrefix(monitor, "val_") && !t.HasValidation() {
		return nil, fmt.Errorf("nn: %s monitors %s, which needs validation data", who, monitor)
	}
	if monitor == "val_mean_iou" && t.m.pix == 1 {
		return nil, fmt.Errorf("nn: %s monitors val_mean_iou, which needs a segmentation model (a map output with a cross-entropy)", who)
	}
	less := func(a, b float64) bool { return a < b }
	greater := func(a, b float64) bool { return a > b }
	switch mode {
	case "min":
		return less, nil
	case "max":
		return greater, nil
	case "", "auto":
		if isMax(monitor) || monitor == "val_mean_iou" { // Keras's MeanIoU metric is maximized too
			return greater, nil
		}
		return less, nil
	}
	return nil, fmt.Errorf("nn: %s mode %q, want auto, min or max", who, mode)
}

// ModelCheckpoint is Keras's ModelCheckpoint: at the end of every epoch it
// calls Save, or, with SaveBestOnly, only when the monitored value beats
// the best so far. Mode "auto" (the default) maximizes a monitor whose name
// contains "acc" and minimizes anything else, as Keras 2 does.
type ModelCheckpoint struct {
	Save         func(*Model) error // writes the model; the caller picks the format and file
	Monitor      string             // default "val_loss"
	SaveBestOnly bool
	Mode         string // "auto" (default), "min" or "max"

	better    func(a, b float64) bool
	best      float64
	bestEpoch int
}

func (c *ModelCheckpoint) TrainBegin(t *Trainer) error {
	if c.Save == nil {
		return fmt.Errorf("nn: ModelCheckpoint has no Save function")
	}
	if c.Monitor == "" {
		c.Monitor = "val_loss"
	}
	better, err := monitorBetter(t, "ModelCheckpoint", c.Monitor, c.Mode,
		func(m string) bool { return strings.Contains(m, "acc") })
	if err != nil {
		return err
	}
	c.better, c.bestEpoch = better, -1
	c.best = math.Inf(1)
	if better(1, 0) {
		c.best = math.Inf(-1)
	}
	return nil
}

func (c *ModelCheckpoint) EpochEnd(t *Trainer, epoch int, logs Logs) (bool, error) {
	if c.SaveBestOnly {
		cur, _ := logs.Get(c.Monitor)
		if !c.better(cur, c.best) {
			return false, nil
		}
		c.best, c.bestEpoch = cur, epoch
	}
	return false, c.Save(t.Model())
}

func (c *ModelCheckpoint) TrainEnd(*Trainer) error { return nil }

// Best is the best monitored value saved so far and the 0-based epoch it
// came from (-1 before any save); only with SaveBestOnly.
func (c *ModelCheckpoint) Best() (value float64, epoch int) { return c.best, c.bestEpoch }

// EarlyStopping is Keras 2's EarlyStopping. After each epoch:
//
//	wait++
//	if monitored - min_delta beats best (for "min": monitored + min_delta < best):
//		best = monitored, best epoch = this one, wait = 0
//		(and, with RestoreBestWeights, remember the weights)
//	else if wait >= patience and this is not the first epoch:
//		stop, and with RestoreBestWeights set the remembered weights
//
// So training stops after Patience epochs without an improvement of more
// than MinDelta. This is Keras 2.13-2.15's rule; earlier Keras 2 releases
// lacked the else, so that Patience 0 stopped even after an improvement.
// As in Keras 2, the best weights are restored only when it stops
// training, not when the epochs run out. Mode "auto" (the default)
// maximizes a monitor whose name ends in "acc" or "accuracy".
type EarlyStopping struct {
	Monitor            string  // default "val_loss"
	Patience           int     // epochs without improvement before stopping
	MinDelta           float64 // smallest change that counts as an improvement (its sign is ignored)
	Mode               string  // "auto" (default), "min" or "max"
	RestoreBestWeights bool

	better       func(a, b float64) bool
	best         float64
	wait         int
	bestEpoch    int
	stoppedEpoch int
	weights      []float32 // the best epoch's weights, with RestoreBestWeights
	haveWeights  bool
}

func (e *EarlyStopping) TrainBegin(t *Trainer) error {
	if e.Monitor == "" {
		e.Monitor = "val_loss"
	}
	if e.Patience < 0 {
		return fmt.Errorf("nn: EarlyStopping patience %d must not be negative", e.Patience)
	}
	better, err := monitorBetter(t, "EarlyStopping", e.Monitor, e.Mode, func(m string) bool {
		return strings.HasSuffix(m, "acc") || strings.HasSuffix(m, "accuracy")
	})
	if err != nil {
		return err
	}
	e.better = better
	e.MinDelta = math.Abs(e.MinDelta)
	e.wait, e.bestEpoch, e.stoppedEpoch, e.haveWeights = 0, 0, -1, false
	e.best = math.Inf(1)
	if better(1, 0) {
		e.best = math.Inf(-1)
	}
	return nil
}

func (e *EarlyStopping) improves(cur float64) bool {
	if e.better(1, 0) {
		return e.better(cur-e.MinDelta, e.best)
	}
	return e.better(cur+e.MinDelta, e.best)
}

func (e *EarlyStopping) EpochEnd(t *Trainer, epoch int, logs Logs) (bool, error) {
	cur, _ := logs.Get(e.Monitor)
	m := t.Model()
	if e.RestoreBestWeights && !e.haveWeights {
		// Keras keeps the first epoch's weights in case none improves.
		e.weights, e.haveWeights = m.FlatWeights(e.weights), true
	}
	e.wait++
	if e.improves(cur) {
		e.best, e.bestEpoch, e.wait = cur, epoch, 0
		if e.RestoreBestWeights {
			e.weights = m.FlatWeights(e.weights)
		}
		return false, nil
	}
	if e.wait >= e.Patience && epoch > 0 {
		e.stoppedEpoch = epoch
		if e.RestoreBestWeights {
			return true, m.SetFlatWeights(e.weights)
		}
		return true, nil
	}
	return false, nil
}

func (e *EarlyStopping) TrainEnd(*Trainer) error { return nil }

// Wait is the number of epochs since the last improvement, Keras's wait.
func (e *EarlyStopping) Wait() int { return e.wait }

// Best is the best monitored value and its 0-based epoch.
func (e *EarlyStopping) Best() (value float64, epoch int) { return e.best, e.bestEpoch }

// StoppedEpoch is the 0-based epoch after which it stopped training, or -1.
func (e *EarlyStopping) StoppedEpoch() int { return e.stoppedEpoch }

// CSVLogger is Keras's CSVLogger: a header line, then one row per epoch
// with the columns epoch (0-based), accuracy, loss and, with validation,
// val_accuracy and val_loss (Keras sorts the names), the numbers written as
// Python writes the float32 values Keras logs, lines ended by "\r\n" as
// Python's csv module ends them.
type CSVLogger struct {
	W io.Writer

	header bool
}

func (c *CSVLogger) TrainBegin(*Trainer) error {
	if c.W == nil {
		return fmt.Errorf("nn: CSVLogger has no writer")
	}
	c.header = false
	return nil
}

func (c *CSVLogger) EpochEnd(t *Trainer, epoch int, logs Logs) (bool, error) {
	var b strings.Builder
	if !c.header {
		b.WriteString("epoch,accuracy,loss")
		if logs.HasValidation {
			b.WriteString(",val_accuracy,val_loss")
		}
		if logs.HasMeanIoU {
			b.WriteString(",val_mean_iou")
		}
		b.WriteString("\r\n")
		c.header = true
	}
	b.WriteString(strconv.Itoa(epoch))
	vals := []float64{logs.Accuracy, logs.Loss}
	if logs.HasValidation {
		vals = append(vals, logs.ValAccuracy, logs.ValLoss)
	}
	if logs.HasMeanIoU {
		vals = append(vals, logs.ValMeanIoU)
	}
	for _, v := range vals {
		b.WriteByte(',')
		b.WriteString(pyFloat(float64(float32(v))))
	}
	b.WriteString("\r\n")
	_, err := io.WriteString(c.W, b.String())
	return false, err
}

func (c *CSVLogger) TrainEnd(*Trainer) error { return nil }

// pyFloat formats v as Python's repr does: the shortest digits that read
// back as v, in fixed notation with at least one decimal ("1.0") for
// exponents -4..15, else scientific ("1e-05", "1.5e+16").
func pyFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(v, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	f := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(f, ".") {
		f += ".0"
	}
	return f
}
