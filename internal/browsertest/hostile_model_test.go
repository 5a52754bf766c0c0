//go:build browser

package browsertest

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileModels is what the engine says about each of nn's hostile model
// files (nn/hostile_test.go writes them into nn/testdata/hostile): well-formed
// files whose model must not replace the page's. The .npz files hold weights
// for the small model, the one the page starts with here.
var hostileModels = map[string]string{
	"nan-weight.cpw":         "layer 6 (dense) kernel has a NaN weight (index 17 of 4000): every weight must be a finite number",
	"inf-weight.cpw":         "layer 3 (conv2d_1) bias has a +Inf weight (index 2 of 16)",
	"nan-weight-float16.cpw": "layer 6 (dense) kernel has a NaN weight (index 17 of 4000): every weight must be a finite number",
	"inf-weight-float16.cpw": "layer 1 (conv2d) bias has a -Inf weight (index 5 of 8)",
	"input-3-values.cpw":     "the model takes inputs of shape (3), but the data set's images are (28, 28, 1)",
	"input-rgb.cpw":          "the model takes inputs of shape (28, 28, 3), but the data set's images are (28, 28, 1)",
	"classes-5.cpw":          "the model outputs 5 class scores, but the data set has 10 classes",
	"output-map.cpw":         "the model outputs (28, 28, 10), not a vector of scores for the data set's 10 classes",
	"stride-2e61.cpw":        "layer 1 (conv2d_transpose)",
	"stride-1200.cpw":        "layer 1 (conv2d_transpose)",
	"stride-panics.cpw":      "layer 1 (conv2d_transpose): strides 7096215898565343880 is larger than 65536",
	"stride-wraps.cpw":       "layer 1 (conv2d_transpose): strides 658812288346769701 is larger than 65536",
	"huge-kernel.cpw":        "layer 1 (conv2d)",
	"nan-weight.npz":         "layer 6 (dense) kernel (npz arr_4) has a NaN weight (index 17 of 4000)",
	"inf-weight.npz":         "layer 1 (conv2d) bias (npz arr_1) has a -Inf weight (index 7 of 8)",
	"float64-overflow.npz":   "layer 6 (dense) bias (npz arr_5) has a +Inf weight (index 3 of 10)",
}

// statusText is the page's status line (engine, data, errors).
func statusText(s *Session) string {
	return Eval[string](s, `document.getElementById('status-text').textContent`)
}

// TestHostileModelFiles uploads each hostile model file in the keep panel:
// each is refused with the engine's one line and "The model was not
// changed", the pretrained model and its prediction stay, nothing throws;
// and after going back to the pretrained model no error stays on the page.
func TestHostileModelFiles(t *testing.T) {
	s := Start(t)
	s.OpenReady("?model=small")
	Poll[bool](s, `window.convplay.views.keep && window.convplay.state.dataset.info !== null`)
	Eval[bool](s, `window.convplay.ctx.setInput({pixels: `+fixedInput+`, image: new Uint8ClampedArray(784), source: 'draw'}), true`)
	Poll[bool](s, `window.convplay.state.prediction && document.querySelectorAll('#prediction [data-prob]').length === 10`)
	before := keepNow(s)
	require.Equal(t, "pretrained", before.Kind)
	source := Eval[string](s, `document.getElementById('model-source').textContent`)
	ready := statusText(s)

	dir, err := filepath.Abs("../../nn/testdata/hostile") // the browser reads absolute paths
	require.NoError(t, err)
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	require.Len(t, files, len(hostileModels), "every hostile file has its message here")
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			want, ok := hostileModels[name]
			require.True(t, ok, "%s has its message in hostileModels", name)
			keepUpload(t, s, path)
			_, text := keepStatus(s)
			assert.Equal(t, "error", Eval[string](s, `document.getElementById('keep-status').dataset.kind`))
			assert.Contains(t, text, "The model was not changed.")
			assert.Contains(t, text, "The engine says: ")
			assert.Contains(t, text, want)
			assert.NotContains(t, text, "\n")
			assert.Equal(t, before, keepNow(s), "the model and its prediction stay")
			assert.Equal(t, source, Eval[string](s, `document.getElementById('model-source').textContent`), "under its own name")
			assert.Equal(t, ready, statusText(s))
			assert.Empty(t, s.Problems())
			t.Log(text)
		})
	}

	t.Run("back to the pretrained model, no error stays", func(t *testing.T) {
		keepClear(s)
		Eval[bool](s, `document.getElementById('reset-model').click(), true`)
		key, _ := keepStatus(s)
		assert.Equal(t, "keep.resetDone", key)
		assert.Equal(t, "ok", Eval[string](s, `document.getElementById('keep-status').dataset.kind`))
		Poll[bool](s, `window.convplay.state.prediction && window.convplay.state.prediction.probs[0] === `+ftoa(before.Probs[0]))
		assert.Equal(t, before, keepNow(s))
		assert.Equal(t, ready, statusText(s))
	})

	// A model that only the engine's own buildModel could make (the page's
	// loads refuse it) fails to predict; going back to the pretrained model
	// clears that error from the status line.
	t.Run("a predict error does not outlive its model", func(t *testing.T) {
		Eval[bool](s, `(async () => {
			const c = window.convplay.ctx;
			const m = await c.request('buildModel', {spec: {input: [3], layers: [{type: 'Dense', units: 10, activation: 'softmax'}]}});
			c.setModel(m, {kind: 'preset', label: 'three values'});
			return true;
		})()`)
		Poll[bool](s, `document.getElementById('status-text').textContent.includes('pixels has 784 values, want 3')`)
		keepClear(s)
		Eval[bool](s, `document.getElementById('reset-model').click(), true`)
		key, _ := keepStatus(s)
		assert.Equal(t, "keep.resetDone", key)
		Poll[bool](s, `window.convplay.state.prediction && window.convplay.state.prediction.probs[0] === `+ftoa(before.Probs[0]))
		assert.Equal(t, ready, statusText(s), "no stale error")
	})
	assert.Empty(t, s.Problems())
}
