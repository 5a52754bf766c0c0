package nn

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stepT takes one optimizer step with made-up gradients.
func stepT(m *Model, opt Optimizer, step int) {
	for _, p := range m.Params() {
		for i := range p.G {
			p.G[i] = float32(i+1) * 0.1 * float32(step)
		}
	}
	opt.Step(m.Params())
}

func TestSaveWithOptimizer(t *testing.T) {
	for _, spec := range []OptimizerSpec{
		{Name: "adam"}, {Name: "sgd", Momentum: 0.9, Nesterov: true}, {Name: "sgd"}, {Name: "rmsprop", LearningRate: 0.01},
	} {
		t.Run(spec.Name, func(t *testing.T) {
			m := buildT(t, scaleSpec(), 1)
			opt, err := NewOptimizer(spec)
			require.NoError(t, err)
			stepT(m, opt, 1)
			stepT(m, opt, 2)
			var buf bytes.Buffer
			require.NoError(t, m.SaveWithOptimizer(&buf, opt))

			m2, opt2, err := LoadWithOptimizer(bytes.NewReader(buf.Bytes()))
			require.NoError(t, err)
			require.NotNil(t, opt2)
			assert.Equal(t, opt.Spec(), opt2.Spec())
			assert.Equal(t, int64(2), opt2.Iterations())
			assert.Equal(t, opt.State(), opt2.State())
			stepT(m, opt, 3)
			stepT(m2, opt2, 3)
			assert.Equal(t, weightBits(m), weightBits(m2), "training resumes exactly")

			// The optimizer section is optional for every reader.
			m3, err := Load(bytes.NewReader(buf.Bytes()))
			require.NoError(t, err)
			require.NoError(t, m3.LoadWeights(bytes.NewReader(buf.Bytes())))
		})
	}
	t.Run("none saved", func(t *testing.T) {
		_, opt, err := LoadWithOptimizer(bytes.NewReader(saveT(t, buildT(t, scaleSpec(), 1))))
		require.NoError(t, err)
		assert.Nil(t, opt)
	})
	t.Run("bad optimizer spec", func(t *testing.T) {
		m := buildT(t, scaleSpec(), 1)
		opt, err := NewOptimizer(OptimizerSpec{Name: "adam"})
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, m.SaveWithOptimizer(&buf, opt))
		for _, c := range []struct{ from, to, msg string }{
			{`"name":"adam"`, `"name":"nope"`, `optimizer spec: unknown optimizer "nope"`},
			{`"beta_1":0.9`, `"beta_1":1.9`, "optimizer spec: optimizer beta_1 1.9 is outside"},
			{`"beta_1":0.9`, `"beta_x":0.9`, `optimizer spec: json: unknown field "beta_x"`},
		} {
			file := withCRC(bytes.Replace(buf.Bytes(), []byte(c.from), []byte(c.to), 1))
			_, _, err := LoadWithOptimizer(bytes.NewReader(file))
			var fe FormatError
			require.ErrorAs(t, err, &fe, c.to)
			assert.Contains(t, err.Error(), c.msg)
		}
	})
	t.Run("slot count", func(t *testing.T) {
		m := buildT(t, scaleSpec(), 1)
		opt, err := NewOptimizer(OptimizerSpec{Name: "sgd", Momentum: 0.9})
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, m.SaveWithOptimizer(&buf, opt))
		file := withCRC(bytes.Replace(buf.Bytes(), []byte(`"momentum":0.9`), []byte(`"momentum":0.0`), 1))
		_, _, err = LoadWithOptimizer(bytes.NewReader(file))
		var fe FormatError
		require.ErrorAs(t, err, &fe)
		assert.Contains(t, err.Error(), "optimizer sgd needs 0 slot arrays, the file has 3")
	})
}

// TestResumeTraining trains a compiled model two steps, saves it with its
// optimizer, and checks that the loaded copy, compiled with the restored
// optimizer, takes the next step exactly as the original does.
func TestResumeTraining(t *testing.T) {
	spec := ModelSpec{Input: []int{4}, Layers: []LayerSpec{
		{Type: "Dense", Units: 5, Activation: "relu"}, {Type: "Dense", Units: 3, Activation: "softmax"},
	}}
	loss, err := ParseLoss("sparse_categorical_crossentropy")
	require.NoError(t, err)
	x := []float32{0.5, -1, 2, 0, 1, 1, -0.5, 0.25, -2, 0.5, 0, 1}
	y := []float32{2, 0, 1}

	m := buildT(t, spec, 9)
	opt, err := NewOptimizer(OptimizerSpec{Name: "adam", LearningRate: 0.01})
	require.NoError(t, err)
	require.NoError(t, m.Compile(opt, loss))
	for range 2 {
		m.ComputeGradients(x, y, 3)
		m.ApplyGradients()
	}
	var buf bytes.Buffer
	require.NoError(t, m.SaveWithOptimizer(&buf, m.Optimizer()))

	resumed, ropt, err := LoadWithOptimizer(&buf)
	require.NoError(t, err)
	require.NoError(t, resumed.Compile(ropt, loss))
	assert.Equal(t, int64(2), resumed.Optimizer().Iterations())
	for _, mm := range []*Model{m, resumed} {
		mm.ComputeGradients(x, y, 3)
		mm.ApplyGradients()
	}
	assert.Equal(t, weightBits(m), weightBits(resumed))
	assert.Equal(t, m.Optimizer().State(), resumed.Optimizer().State())
}
