package nn

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSGDSteps(t *testing.T) {
	tests := []struct {
		name  string
		spec  OptimizerSpec
		grads []float32
		want  []float32
	}{
		// w -= 0.1*g
		{"plain", OptimizerSpec{Name: "sgd", LearningRate: 0.1}, []float32{0.5, -1}, []float32{0.95, 1.05}},
		// v = -0.05, w = 0.95; v = 0.9*-0.05 - 0.05 = -0.095, w = 0.855
		{"momentum", OptimizerSpec{Name: "sgd", LearningRate: 0.1, Momentum: 0.9}, []float32{0.5, 0.5}, []float32{0.95, 0.855}},
		// v = -0.05, w += 0.9*-0.05 - 0.05 = -0.095; v = -0.095, w += 0.9*-0.095 - 0.05 = -0.1355
		{"nesterov", OptimizerSpec{Name: "sgd", LearningRate: 0.1, Momentum: 0.9, Nesterov: true}, []float32{0.5, 0.5}, []float32{0.905, 0.7695}},
		// a zero gradient still moves a weight with velocity: v = -0.1, w = 0.9; v = -0.05, w = 0.85
		{"coasting", OptimizerSpec{Name: "sgd", LearningRate: 0.1, Momentum: 0.5}, []float32{1, 0}, []float32{0.9, 0.85}},
		{"default lr", OptimizerSpec{Name: "sgd"}, []float32{1}, []float32{0.99}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := stepOptimizer(t, tt.spec, 1, tt.grads)
			assert.InDeltaSlice(t, tt.want, got, 1e-6)
		})
	}
}
