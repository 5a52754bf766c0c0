package nn

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stepOptimizer runs one step per gradient on a single weight starting at
// w0 and returns the weight after each step.
func stepOptimizer(t *testing.T, spec OptimizerSpec, w0 float32, grads []float32) []float32 {
	t.Helper()
	opt, err := NewOptimizer(spec)
	require.NoError(t, err)
	p := newParam("kernel", 1)
	p.W[0] = w0
	var ws []float32
	for _, g := range grads {
		p.G[0] = g
		opt.Step([]*Param{p})
		ws = append(ws, p.W[0])
	}
	assert.Equal(t, int64(len(grads)), opt.Iterations())
	return ws
}

func TestNewOptimizerDefaults(t *testing.T) {
	tests := []struct {
		in   OptimizerSpec
		want OptimizerSpec
	}{
		{OptimizerSpec{Name: "sgd"}, OptimizerSpec{Name: "sgd", LearningRate: 0.01}},
		{OptimizerSpec{Name: "SGD", Momentum: 0.9, Nesterov: true}, OptimizerSpec{Name: "sgd", LearningRate: 0.01, Momentum: 0.9, Nesterov: true}},
		{OptimizerSpec{Name: "Adam"}, OptimizerSpec{Name: "adam", LearningRate: 0.001, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}},
		{OptimizerSpec{Name: "RMSprop", LearningRate: 0.01}, OptimizerSpec{Name: "rmsprop", LearningRate: 0.01, Rho: 0.9, Epsilon: 1e-7}},
	}
	for _, tt := range tests {
		t.Run(tt.in.Name, func(t *testing.T) {
			opt, err := NewOptimizer(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, opt.Spec())
		})
	}
}

func TestNewOptimizerErrors(t *testing.T) {
	tests := []struct {
		spec OptimizerSpec
		want string
	}{
		{OptimizerSpec{Name: "adagrad"}, `unknown optimizer "adagrad"`},
		{OptimizerSpec{Name: "sgd", LearningRate: -1}, "learning_rate -1 must be a positive number"},
		{OptimizerSpec{Name: "sgd", Momentum: 1}, "momentum 1 is outside [0, 1)"},
		{OptimizerSpec{Name: "sgd", Momentum: -0.5}, "momentum -0.5 is outside"},
		{OptimizerSpec{Name: "sgd", Nesterov: true}, "nesterov needs a momentum"},
		{OptimizerSpec{Name: "sgd", Beta1: 0.9}, "optimizer sgd has no beta_1"},
		{OptimizerSpec{Name: "adam", Beta2: 1.5}, "beta_2 1.5 is outside"},
		{OptimizerSpec{Name: "adam", Momentum: 0.9}, "optimizer adam has no momentum"},
		{OptimizerSpec{Name: "adam", Epsilon: -1}, "epsilon -1 must not be negative"},
		{OptimizerSpec{Name: "rmsprop", Rho: 1}, "rho 1 is outside"},
		{OptimizerSpec{Name: "rmsprop", Nesterov: true}, "optimizer rmsprop has no nesterov"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := NewOptimizer(tt.spec)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestOptimizerSpecJSON(t *testing.T) {
	var spec OptimizerSpec
	require.NoError(t, json.Unmarshal([]byte(`{"name":"sgd","learning_rate":0.05,"momentum":0.9,"nesterov":true}`), &spec))
	assert.Equal(t, OptimizerSpec{Name: "sgd", LearningRate: 0.05, Momentum: 0.9, Nesterov: true}, spec)
	b, err := json.Marshal(OptimizerSpec{Name: "adam", LearningRate: 0.001, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7})
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"adam","learning_rate":0.001,"beta_1":0.9,"beta_2":0.999,"epsilon":1e-7}`, string(b))
}

// TestOptimizerState checks the slots' order (kind-major, params' order),
// that they are the optimizer's own arrays, and that Init keeps them.
func TestOptimizerState(t *testing.T) {
	a, b := newParam("kernel", 2), newParam("bias", 1)
	params := []*Param{a, b}
	tests := []struct {
		spec  OptimizerSpec
		kinds int
	}{
		{OptimizerSpec{Name: "sgd"}, 0},
		{OptimizerSpec{Name: "sgd", Momentum: 0.5}, 1},
		{OptimizerSpec{Name: "adam"}, 2},
		{OptimizerSpec{Name: "rmsprop"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.spec.Name, func(t *testing.T) {
			opt, err := NewOptimizer(tt.spec)
			require.NoError(t, err)
			assert.Nil(t, opt.State())
			opt.Init(params)
			st := opt.State()
			require.Len(t, st, 2*tt.kinds)
			for k := 0; k < tt.kinds; k++ {
				assert.Len(t, st[2*k], 2)
				assert.Len(t, st[2*k+1], 1)
			}
			a.G[0], a.G[1], b.G[0] = 1, 2, 3
			opt.Step(params)
			assert.Equal(t, st, opt.State(), "Step keeps the slots Init made")
			if tt.kinds > 0 {
				assert.NotZero(t, st[0][0])
				st[0][0] = 42 // writing State sets the state
				assert.Equal(t, float32(42), opt.State()[0][0])
			}
			assert.Equal(t, 0.0, testing.AllocsPerRun(10, func() { opt.Step(params) }))
			opt.SetIterations(7)
			assert.Equal(t, int64(7), opt.Iterations())
		})
	}
}
