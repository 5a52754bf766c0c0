package nn

import (
	"encoding/json"
	"errors"
)

// ErrDiverged stops training when a batch's loss, a gradient or, after the
// step, a weight is not a finite number. The bad step is not applied (or is
// undone, optimizer state included), so the model keeps the weights from
// before it, or, with FitConfig.RollBack, older ones (Result).
var ErrDiverged = errors.New("nn: training diverged (a number overflowed): the learning rate is likely too high; the weights are those from before the bad step")

// FitConfig configures training, with Keras's fit() arguments.
type FitConfig struct {
	Epochs     int    // default 1
	BatchSize  int    // default 32; the last batch of an epoch may be smaller
	NoShuffle  bool   // Keras shuffles the samples every epoch unless shuffle=False
	Seed       uint64 // the shuffling's seed
	Validation Data   // evaluated after every epoch (val_loss, val_accuracy); optional
	// ValidationModel, if set, evaluates Validation instead of the model
	// being trained: the same network at the validation samples' input
	// size (Model.Resized), for instance an FCN trained on small windows
	// and scored on whole scenes. It must be compiled and share the
	// trained model's weights.
	ValidationModel *Model
	Callbacks       []Callback
	// OnBatch, if set, is called after every training batch with what
	// Keras's progress bar shows.
	OnBatch func(BatchProgress)
	// OnEpoch, if set, is called at the end of every epoch, before the
	// callbacks, with that epoch's logs.
	OnEpoch func(epoch int, logs Logs)
	// StepSamples, if set below BatchSize, is the most samples one
	// Trainer.Step runs: a batch then takes several Steps, which sum its
	// gradients (weighted by slice size) before the one optimizer step at
	// its end, so training computes the same thing (up to float32
	// rounding) in shorter slices. Validation runs StepSamples at a time
	// too. 0 means one whole batch per Step.
	StepSamples int
	// Gradients, if set, computes each Step's gradients instead of
	// Model.ComputeGradients: for instance shared out to other workers
	// (see ShardSum). Its error ends training with that error; the
	// batch it was computing is not applied.
	Gradients GradientFunc
	// RollBack makes training keep the last known good weights when it
	// fails (see Result): after ErrDiverged the model goes back further
	// than the bad step, to the weights at the end of the last completed
	// epoch (or from before training), since a learning rate high enough
	// to overflow has likely ruined the steps before; and after a run no
	// better than chance (Verdict), to the weights from before training,
	// so that a useless run does not replace the model it started from.
	// The optimizer's state is not rolled back. It costs two copies of
	// the weights, and one more copy per epoch.
	RollBack bool
}

// BatchProgress is the state after one training batch, as Keras's progress
// bar shows it: "Epoch 1/10  120/1875 [==>...] - loss: 0.5 - accuracy: 0.8".
type BatchProgress struct {
	Epoch    int     // 0-based
	Epochs   int     // in total
	Batch    int     // 0-based batch within the epoch
	Batches  int     // batches per epoch
	Loss     float64 // mean loss over the epoch's samples so far
	Accuracy float64 // fraction of the epoch's samples so far classified correctly
	Seen     int     // samples trained on in this epoch
	Total    int     // samples trained on since training began
}

// Logs are the numbers of one epoch, with Keras's names. As JSON they are
// {"loss", "accuracy"} and, with validation, "val_loss" and "val_accuracy";
// a segmentation model (a per-pixel loss, see Model.Compile) validates its
// mean IoU too, "val_mean_iou", and its accuracies are pixel accuracies.
type Logs struct {
	Loss          float64
	Accuracy      float64
	ValLoss       float64
	ValAccuracy   float64
	HasValidation bool
	ValMeanIoU    float64 // over the validation pixels' classes present (Evaluation.MeanIoU)
	HasMeanIoU    bool    // with validation of a segmentation model
}

func (l Logs) MarshalJSON() ([]byte, error) {
	type train struct {
		Loss     float64 `json:"loss"`
		Accuracy float64 `json:"accuracy"`
	}
	if !l.HasValidation {
		return json.Marshal(train{l.Loss, l.Accuracy})
	}
	if l.HasMeanIoU {
		return json.Marshal(struct {
			train
			ValLoss     float64 `json:"val_loss"`
			ValAccuracy float64 `json:"val_accuracy"`
			ValMeanIoU  float64 `json:"val_mean_iou"`
		}{train{l.Loss, l.Accuracy}, l.ValLoss, l.ValAccuracy, l.ValMeanIoU})
	}
	return json.Marshal(struct {
		train
		ValLoss     float64 `json:"val_loss"`
		ValAccuracy float64 `json:"val_accuracy"`
	}{train{l.Loss, l.Accuracy}, l.ValLoss, l.ValAccuracy})
}

// Get returns the value named as Keras names it ("loss", "accuracy",
// "val_loss", "val_accuracy", and "val_mean_iou" for segmentation), and
// whether the logs have it.
func (l Logs) Get(name string) (float64, bool) {
	switch name {
	case "loss":
		return l.Loss, true
	case "accuracy":
		return l.Accuracy, true
	case "val_loss":
		return l.ValLoss, l.HasValidation
	case "val_accuracy":
		return l.ValAccuracy, l.HasValidation
	case "val_mean_iou":
		return l.ValMeanIoU, l.HasMeanIoU
	}
	return 0, false
}

// History is Keras's History.history: one value per completed epoch.
type History struct {
	Loss        []float64 `json:"loss"`
	Accuracy    []float64 `json:"accuracy"`
	ValLoss     []float64 `json:"val_loss,omitempty"`
	ValAccuracy []float64 `json:"val_accuracy,omitempty"`
	ValMeanIoU  []float64 `json:"val_mean_iou,omitempty"` // segmentation models only
}

func (h *History) add(l Logs) {
	h.Loss = append(h.Loss, l.Loss)
	h.Accuracy = append(h.Accuracy, l.Accuracy)
	if l.HasValidation {
		h.ValLoss = append(h.ValLoss, l.ValLoss)
		h.ValAccuracy = append(h.ValAccuracy, l.ValAccuracy)
	}
	if l.HasMeanIoU {
		h.ValMeanIoU = append(h.ValMeanIoU, l.ValMeanIoU)
	}
}

// Fit trains a compiled model on train, as Keras's fit() does, and returns
// the history of the completed epochs. It runs a Trainer to the end; an
// error (ErrDiverged, a callback's) comes with the history so far.
func (m *Model) Fit(train Data, cfg FitConfig) (*History, error) {
	t, err := NewTrainer(m, train, cfg)
	if err != nil {
		return nil, err
	}
	for {
		done, err := t.Step()
		if done || err != nil {
			return t.History(), err
		}
	}
}
