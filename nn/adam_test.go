package nn

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAdamSteps(t *testing.T) {
	tests := []struct {
		name  string
		spec  OptimizerSpec
		grads []float32
		want  []float32
	}{
		// t=1: m = 0.05, v = 0.00025, lr_t = 0.1*sqrt(0.001)/0.1 = 0.0316228,
		// w -= 0.0316228 * 0.05/(0.0158114 + 1e-7) = 0.0999994.
		// t=2: m = -0.005, v = 0.00049975, lr_t = 0.1*sqrt(0.001999)/0.19 = 0.0235317,
		// w -= 0.0235317 * -0.005/0.0223551 -> 0.9052638.
		{"two steps", OptimizerSpec{Name: "adam", LearningRate: 0.1}, []float32{0.5, -0.5}, []float32{0.9000006, 0.9052638}},
		// The first step is lr*sign(g) whatever the gradient's size.
		{"tiny gradient", OptimizerSpec{Name: "adam", LearningRate: 0.1, Epsilon: 1e-12}, []float32{1e-4}, []float32{0.9}},
		// A zero gradient on the first step does not move the weight (m = 0).
		{"zero gradient", OptimizerSpec{Name: "adam"}, []float32{0}, []float32{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := stepOptimizer(t, tt.spec, 1, tt.grads)
			assert.InDeltaSlice(t, tt.want, got, 1e-6)
		})
	}
}
