package nn

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRMSpropSteps(t *testing.T) {
	tests := []struct {
		name  string
		spec  OptimizerSpec
		grads []float32
		want  []float32
	}{
		// rms = 0.025, w -= 0.01*0.5/0.1581139 = 0.0316228;
		// rms = 0.0475, w -= 0.01*0.5/0.2179449 = 0.0229416.
		{"two steps", OptimizerSpec{Name: "rmsprop", LearningRate: 0.01}, []float32{0.5, 0.5}, []float32{0.9683772, 0.9454357}},
		// rho 0.5, lr 0.001: rms = 0.5*4 = 2, w -= 0.001*(-2)/1.4142136 -> 1.0014142.
		{"negative", OptimizerSpec{Name: "rmsprop", Rho: 0.5}, []float32{-2}, []float32{1.0014142}},
		{"zero gradient", OptimizerSpec{Name: "rmsprop"}, []float32{0}, []float32{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := stepOptimizer(t, tt.spec, 1, tt.grads)
			assert.InDeltaSlice(t, tt.want, got, 1e-6)
		})
	}
}
