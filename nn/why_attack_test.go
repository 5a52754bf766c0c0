package nn

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFGSM(t *testing.T) {
	_, e, x := whyModel(t, SmallSpec())
	a, err := e.FGSM(x, AttackConfig{Epsilon: 0.05, Target: -1, Label: -1})
	require.NoError(t, err)
	require.Equal(t, a.ClassBefore, a.Label)
	require.Len(t, a.Loss, 2)
	assert.Greater(t, a.Loss[1], a.Loss[0], "FGSM raises the loss of the predicted class")
	for i, p := range a.Perturbation {
		require.LessOrEqual(t, math.Abs(float64(p)), 0.05+1e-6)
		require.Equal(t, x[i]+p, a.Adversarial[i])
	}

	// A few bounded targeted steps reach the target with a large enough ball.
	target := (a.ClassBefore + 1) % 10
	a, err = e.FGSM(x, AttackConfig{Epsilon: 2, Target: target, Label: -1, Steps: 20, StopWhenFooled: true, Lo: -1, Hi: 3})
	require.NoError(t, err)
	require.Equal(t, target, a.ClassAfter)
	require.Less(t, a.Steps, 20)
	require.Len(t, a.Loss, a.Steps+1)
	assert.Less(t, a.Loss[len(a.Loss)-1], a.Loss[0])
	for i, v := range a.Adversarial {
		require.LessOrEqual(t, math.Abs(float64(v-x[i])), 2+1e-5)
		require.True(t, v >= -1 && v <= 3)
	}
	_, err = e.FGSM(x, AttackConfig{Epsilon: -1})
	require.ErrorContains(t, err, "epsilon")
}
