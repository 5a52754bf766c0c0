package nn

import (
	"fmt"
	"math"
)

// Fooling the network: the fast gradient sign method (Goodfellow et al.
// 2014) and its iterative form toward a target class (Kurakin et al. 2016;
// projected gradient descent, Madry et al. 2017, without the random start).

// AttackConfig is an FGSM or iterative FGSM/PGD attack on one input.
type AttackConfig struct {
	// Epsilon bounds the change of every input value (an L-infinity ball),
	// in the model's input units (for standardized inputs, one unit is the
	// data set's standard deviation of a pixel).
	Epsilon float32
	// Target is the class to move toward, or -1 to move away from Label.
	Target int
	// Label is the class an untargeted attack moves away from; -1 means
	// the class the model predicts for x.
	Label int
	// Steps is 1 for FGSM (a step of Epsilon) or more for the iterative
	// method, each step of StepSize (default 2.5 * Epsilon / Steps)
	// followed by clipping back into the Epsilon ball.
	Steps    int
	StepSize float32
	// StopWhenFooled ends the iterations at the first step after which the
	// model predicts Target (targeted) or anything but Label (untargeted).
	StopWhenFooled bool
	// Lo and Hi, unless both are 0, bound every value of the adversarial
	// input: the model-unit values of the darkest and brightest pixel.
	Lo, Hi float32
}

// Attack is an attack's result.
type Attack struct {
	Target, Label int       // as configured, Label resolved to a class
	Adversarial   []float32 // (H, W, C) x + Perturbation
	Perturbation  []float32 // (H, W, C) in [-Epsilon, Epsilon]
	Before, After []float32 // (D) the model's output for x and for Adversarial
	ClassBefore   int       // the class predicted for x
	ClassAfter    int       // and for Adversarial
	Steps         int       // steps taken
	// Loss is the cross-entropy the steps follow, before each step and
	// after the last (Steps+1 values): of Label (which the steps raise) or
	// of Target (which they lower). It is computed from softmax(class
	// scores): the model's own loss for a softmax model.
	Loss []float32
}

// lossGradient runs x forward and sets e.dScore to the gradient of the
// cross-entropy of class with respect to the class scores, softmax(s) -
// onehot(class); it returns the output (owned by the model) and the loss.
func (e *Explainer) lossGradient(x []float32, class int) (out []float32, loss float64) {
	out, scores := e.forward(x, 1)
	e.dScore = grow(e.dScore, e.classes)
	if e.scores != nil {
		copy(e.dScore, out[:e.classes])
	} else {
		softmaxRow(e.dScore, scores[:e.classes])
	}
	loss = -math.Log(max(float64(e.dScore[class]), 1e-30))
	e.dScore[class]--
	return out, loss
}

// FGSM attacks x: Steps signed gradient steps of the cross-entropy,
//
//	untargeted: x' = clip(x' + StepSize * sign(d CE(Label) / d x'))   (away from Label)
//	targeted:   x' = clip(x' - StepSize * sign(d CE(Target) / d x'))  (toward Target)
//
// where clip keeps x' within Epsilon of x and within [Lo, Hi]. A gradient
// of exactly 0 leaves its value unchanged (sign(0) = 0).
func (e *Explainer) FGSM(x []float32, cfg AttackConfig) (*Attack, error) {
	if err := e.checkInput(x, 0); err != nil {
		return nil, err
	}
	switch {
	case !(cfg.Epsilon >= 0) || math.IsInf(float64(cfg.Epsilon), 0):
		return nil, fmt.Errorf("nn: attack epsilon %v: want a number >= 0", cfg.Epsilon)
	case cfg.Target < -1 || cfg.Target >= e.classes:
		return nil, fmt.Errorf("nn: attack target %d: want -1 (none) or a class from 0 to %d", cfg.Target, e.classes-1)
	case cfg.Label < -1 || cfg.Label >= e.classes:
		return nil, fmt.Errorf("nn: attack label %d: want -1 (the predicted class) or a class from 0 to %d", cfg.Label, e.classes-1)
	case cfg.Steps < 0 || cfg.Steps > 10000:
		return nil, fmt.Errorf("nn: attack steps %d: want 1 to 10000", cfg.Steps)
	case !(cfg.StepSize >= 0) || math.IsInf(float64(cfg.StepSize), 0):
		return nil, fmt.Errorf("nn: attack step size %v: want a number >= 0", cfg.StepSize)
	case cfg.Lo > cfg.Hi:
		return nil, fmt.Errorf("nn: attack bounds [%v, %v] are empty", cfg.Lo, cfg.Hi)
	}
	if cfg.Steps == 0 {
		cfg.Steps = 1
	}
	if cfg.StepSize == 0 {
		cfg.StepSize = cfg.Epsilon
		if cfg.Steps > 1 {
			cfg.StepSize = 2.5 * cfg.Epsilon / float32(cfg.Steps)
		}
	}
	clamp := cfg.Lo != 0 || cfg.Hi != 0
	out, _ := e.forward(x, 1)
	a := &Attack{Target: cfg.Target, Label: cfg.Label, Before: append([]float32(nil), out[:e.classes]...)}
	a.ClassBefore = argmaxFirst(a.Before)
	if a.Label < 0 {
		a.Label = a.ClassBefore
	}
	class, dir := a.Label, float32(1)
	if cfg.Target >= 0 {
		class, dir = cfg.Target, -1
	}
	fooled := func(out []float32) bool {
		top := argmaxFirst(out[:e.classes])
		if cfg.Target >= 0 {
			return top == cfg.Target
		}
		return top != a.Label
	}
	adv := append([]float32(nil), x...)
	for a.Steps < cfg.Steps {
		out, loss := e.lossGradient(adv, class)
		a.Loss = append(a.Loss, float32(loss))
		if cfg.StopWhenFooled && a.Steps > 0 && fooled(out) {
			break
		}
		g := e.backward(e.dScore, 0)
		for i, v := range adv {
			var s float32
			switch {
			case g[i] > 0:
				s = 1
			case g[i] < 0:
				s = -1
			}
			v += dir * cfg.StepSize * s
			v = min(max(v, x[i]-cfg.Epsilon), x[i]+cfg.Epsilon)
			if clamp {
				v = min(max(v, cfg.Lo), cfg.Hi)
			}
			adv[i] = v
		}
		a.Steps++
	}
	out, loss := e.lossGradient(adv, class)
	if len(a.Loss) == a.Steps {
		a.Loss = append(a.Loss, float32(loss))
	}
	a.After = append([]float32(nil), out[:e.classes]...)
	a.ClassAfter = argmaxFirst(a.After)
	a.Adversarial = adv
	a.Perturbation = make([]float32, len(x))
	for i, v := range adv {
		a.Perturbation[i] = v - x[i]
	}
	return a, nil
}
