package nn

import (
	"fmt"
	"math"
	"strings"
)

// Optimizer updates parameters from their gradients (Param.G), one step per
// call. Implementations follow Keras 2's formulas and defaults (sgd.go,
// adam.go, rmsprop.go).
type Optimizer interface {
	// Spec is the configuration, with Keras's defaults filled in.
	Spec() OptimizerSpec
	// Init allocates the slots for params; Step calls it on the first step.
	// Calling it again with the same parameters does nothing. Save/load calls
	// it before writing State.
	Init(params []*Param)
	// Step applies one update to every parameter from its gradient. It
	// allocates nothing after the first step.
	Step(params []*Param)
	// Iterations is the number of steps taken, Keras's optimizer.iterations.
	Iterations() int64
	SetIterations(n int64)
	// State lists the slot arrays in Keras 2's get_weights() order after
	// iterations: for each kind of slot (SGD: momentum; Adam: m, then v;
	// RMSprop: rms), one array per parameter in the params' order, each
	// with that parameter's layout. Nil before Init; SGD without momentum
	// has none. The arrays are the optimizer's own: writing them sets the
	// state.
	State() [][]float32
}

// OptimizerSpec configures an optimizer with Keras's argument names. It is
// plain data, shared as JSON by the page, the command line and saved files.
// A zero field means Keras's default for that optimizer; fields the
// optimizer does not use must stay zero.
type OptimizerSpec struct {
	Name         string  `json:"name"`                    // "sgd", "adam" or "rmsprop"
	LearningRate float64 `json:"learning_rate,omitempty"` // SGD 0.01, Adam and RMSprop 0.001
	Momentum     float64 `json:"momentum,omitempty"`      // SGD: 0 (plain gradient descent)
	Nesterov     bool    `json:"nesterov,omitempty"`      // SGD
	Beta1        float64 `json:"beta_1,omitempty"`        // Adam: 0.9
	Beta2        float64 `json:"beta_2,omitempty"`        // Adam: 0.999
	Rho          float64 `json:"rho,omitempty"`           // RMSprop: 0.9
	Epsilon      float64 `json:"epsilon,omitempty"`       // Adam and RMSprop: 1e-7
}

// NewOptimizer validates spec, fills in Keras's defaults and returns the
// optimizer. The name is case-insensitive ("SGD", "Adam" and "RMSprop", as
// Keras writes the class names, work too).
func NewOptimizer(spec OptimizerSpec) (Optimizer, error) {
	spec.Name = strings.ToLower(spec.Name)
	orDefault := func(v *float64, def float64) {
		if *v == 0 {
			*v = def
		}
	}
	unused := func(what string, set bool) error {
		if set {
			return fmt.Errorf("nn: optimizer %s has no %s", spec.Name, what)
		}
		return nil
	}
	var err error
	switch spec.Name {
	case "sgd":
		orDefault(&spec.LearningRate, 0.01)
		err = firstErr(unused("beta_1", spec.Beta1 != 0), unused("beta_2", spec.Beta2 != 0),
			unused("rho", spec.Rho != 0), unused("epsilon", spec.Epsilon != 0),
			inRange("momentum", spec.Momentum, 0, 1))
		if err == nil && spec.Nesterov && spec.Momentum == 0 {
			err = fmt.Errorf("nn: optimizer sgd: nesterov needs a momentum above 0")
		}
	case "adam":
		orDefault(&spec.LearningRate, 0.001)
		orDefault(&spec.Beta1, 0.9)
		orDefault(&spec.Beta2, 0.999)
		orDefault(&spec.Epsilon, 1e-7)
		err = firstErr(unused("momentum", spec.Momentum != 0), unused("nesterov", spec.Nesterov),
			unused("rho", spec.Rho != 0),
			inRange("beta_1", spec.Beta1, 0, 1), inRange("beta_2", spec.Beta2, 0, 1))
	case "rmsprop":
		orDefault(&spec.LearningRate, 0.001)
		orDefault(&spec.Rho, 0.9)
		orDefault(&spec.Epsilon, 1e-7)
		err = firstErr(unused("momentum", spec.Momentum != 0), unused("nesterov", spec.Nesterov),
			unused("beta_1", spec.Beta1 != 0), unused("beta_2", spec.Beta2 != 0),
			inRange("rho", spec.Rho, 0, 1))
	default:
		return nil, fmt.Errorf("nn: unknown optimizer %q (want sgd, adam or rmsprop)", spec.Name)
	}
	if err == nil {
		err = firstErr(positive("learning_rate", spec.LearningRate), nonNegative("epsilon", spec.Epsilon))
	}
	if err != nil {
		return nil, err
	}
	switch spec.Name {
	case "sgd":
		return &SGD{spec: spec}, nil
	case "adam":
		return &Adam{spec: spec}, nil
	default:
		return &RMSprop{spec: spec}, nil
	}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// inRange checks lo <= v < hi.
func inRange(name string, v, lo, hi float64) error {
	if !(v >= lo && v < hi) {
		return fmt.Errorf("nn: optimizer %s %v is outside [%v, %v)", name, v, lo, hi)
	}
	return nil
}

func positive(name string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return fmt.Errorf("nn: optimizer %s %v must be a positive number", name, v)
	}
	return nil
}

func nonNegative(name string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 0) {
		return fmt.Errorf("nn: optimizer %s %v must not be negative", name, v)
	}
	return nil
}

// slots holds one array per parameter for each kind of slot, allocated
// once by init for a list of parameters.
type slots struct {
	kinds  int
	params []*Param
	arrays [][]float32 // kind-major: arrays[k*len(params)+i] is slot k of params[i]
	iter   int64
}

// init allocates the slots for params unless they already fit them.
func (s *slots) init(params []*Param) {
	if len(s.params) == len(params) && s.arrays != nil {
		same := true
		for i, p := range params {
			if s.params[i] != p {
				same = false
				break
			}
		}
		if same {
			return
		}
	}
	s.params = append(s.params[:0], params...)
	s.arrays = make([][]float32, s.kinds*len(params))
	for k := 0; k < s.kinds; k++ {
		for i, p := range params {
			s.arrays[k*len(params)+i] = make([]float32, len(p.W))
		}
	}
}

// slot returns slot kind k of params[i].
func (s *slots) slot(k, i int) []float32 { return s.arrays[k*len(s.params)+i] }

func (s *slots) Iterations() int64     { return s.iter }
func (s *slots) SetIterations(n int64) { s.iter = n }
func (s *slots) State() [][]float32    { return s.arrays }
