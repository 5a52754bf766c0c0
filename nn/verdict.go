package nn

import (
	"errors"
	"fmt"
)

// Result is how a training run ended, beyond Step's error: what the
// worker and the command line tell the student. Trainer.Result returns it
// once Step has reported done.
type Result struct {
	// Verdict judges the run against chance; its Metric is empty when
	// an error ended the run or no batch ran.
	Verdict Verdict
	// RolledBack says the weights went back to the last known good ones
	// (FitConfig.RollBack): after ErrDiverged, to those at the end of
	// epoch GoodEpochs (0: from before training); after a run no better
	// than chance, to those from before training (GoodEpochs 0).
	RolledBack bool
	GoodEpochs int
}

// Verdict says whether a run ended no better than chance, judged on the
// last figure the training measured for the weights it ends with:
//
//   - the last completed epoch's val_accuracy, or its accuracy without
//     validation data (when early stopping restored an earlier epoch's
//     weights, that epoch's); a run stopped mid-epoch is judged on the
//     last completed epoch, and a run stopped before the end of its first
//     epoch on that epoch's running training accuracy;
//   - for a classifier (a cross-entropy loss over two classes or more),
//     chance is Chance = 1/classes, what guessing scores on classes about
//     equally common (as in Fashion-MNIST and MNIST), and the run is no
//     better when the accuracy does not close a twentieth of the gap from
//     chance to perfect: accuracy <= Limit = Chance + (1-Chance)/20
//     (ten classes: 14.5%; Adam at learning rate 10 ends at 10.7%);
//   - for a model that does not classify (mean squared error), Chance is
//     the first batch's loss, with the weights from before training, and
//     the run is no better when its (val_)loss is not lower: Limit = Chance.
//
// A twentieth is well above the noise of a guesser measured on a few
// hundred samples or more (its standard error on 500 samples of ten
// classes is 1.3 points), and well below any model that learnt something.
type Verdict struct {
	Metric   string  // the figure judged: "val_accuracy", "accuracy", "val_loss" or "loss"; empty when not judged
	Value    float64 // its value
	Chance   float64 // what chance gives
	Limit    float64 // what the value must beat
	NoBetter bool    // no better than chance
}

// String describes the verdict in a sentence, for a log or a reply.
func (v Verdict) String() string {
	if v.Metric == "" {
		return "not judged"
	}
	if v.Metric == "accuracy" || v.Metric == "val_accuracy" {
		if v.NoBetter {
			return fmt.Sprintf("no better than chance: %s %.4f is not above %.4f (chance %.4f, plus a twentieth of the way to 1)", v.Metric, v.Value, v.Limit, v.Chance)
		}
		return fmt.Sprintf("better than chance: %s %.4f is above %.4f (chance %.4f, plus a twentieth of the way to 1)", v.Metric, v.Value, v.Limit, v.Chance)
	}
	if v.NoBetter {
		return fmt.Sprintf("no better than chance: %s %.4g is not below the loss before training, %.4g", v.Metric, v.Value, v.Chance)
	}
	return fmt.Sprintf("better than chance: %s %.4g is below the loss before training, %.4g", v.Metric, v.Value, v.Chance)
}

// Result is how the run ended; it is complete once Step has reported done.
func (t *Trainer) Result() Result { return t.result }

// conclude judges the run that just ended with err and, with RollBack,
// goes back to the last known good weights when it failed.
func (t *Trainer) conclude(err error) {
	if err == nil {
		t.result.Verdict = t.verdict()
	}
	if !t.cfg.RollBack {
		return
	}
	switch {
	case errors.Is(err, ErrDiverged):
		t.rollBack(t.good, t.goodEpoch)
	case err == nil && t.result.Verdict.NoBetter:
		t.rollBack(t.initial, 0)
	}
}

func (t *Trainer) rollBack(w []float32, epochs int) {
	if err := t.m.SetFlatWeights(w); err != nil {
		panic(err) // copied from this model
	}
	t.result.RolledBack, t.result.GoodEpochs = true, epochs
}

// verdict judges the run against chance (see Verdict).
func (t *Trainer) verdict() Verdict {
	var value float64
	var metric string
	classifier := t.m.loss.Name() != "mean_squared_error" && t.m.OutShape().Size() > 1
	h := &t.history
	if e := len(h.Loss) - 1; e >= 0 {
		for _, cb := range t.cfg.Callbacks {
			if es, ok := cb.(*EarlyStopping); ok && es.RestoreBestWeights && es.StoppedEpoch() >= 0 {
				e = es.bestEpoch
			}
		}
		switch {
		case classifier && h.ValAccuracy != nil:
			metric, value = "val_accuracy", h.ValAccuracy[e]
		case classifier:
			metric, value = "accuracy", h.Accuracy[e]
		case h.ValLoss != nil:
			metric, value = "val_loss", h.ValLoss[e]
		default:
			metric, value = "loss", h.Loss[e]
		}
	} else if t.seen > 0 { // stopped in the first epoch
		metric, value = "accuracy", t.m.accuracy(t.correct, t.seen)
		if !classifier {
			metric, value = "loss", t.loss/float64(t.seen)
		}
	} else {
		return Verdict{}
	}
	v := Verdict{Metric: metric, Value: value}
	if classifier {
		v.Chance = 1 / float64(t.m.classes())
		v.Limit = v.Chance + (1-v.Chance)/20
		v.NoBetter = value <= v.Limit
	} else {
		v.Chance, v.Limit = t.firstLoss, t.firstLoss
		v.NoBetter = !(value < v.Limit)
	}
	return v
}
