//go:build browser

package browsertest

import (
	"bytes"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/nn"
)

// keepState is what the tests compare before and after a load: the
// engine's probabilities for fixedInput, the prediction panel's bars and
// where the model came from.
type keepState struct {
	Probs  []float64
	Bars   []string
	Kind   string
	Params float64
}

// ftoa writes a probability as JavaScript reads it back, exactly.
func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func keepNow(s *Session) keepState {
	return keepState{
		Probs:  probsOf(s),
		Bars:   Eval[[]string](s, `[...document.querySelectorAll('#prediction [data-prob]')].map((e) => e.dataset.class + ':' + e.dataset.prob)`),
		Kind:   Eval[string](s, `window.convplay.state.modelSource.kind`),
		Params: Eval[float64](s, `window.convplay.state.model.totalParams`),
	}
}

// keepStatus waits for the keep panel's message after an action and
// returns its i18n key and text.
func keepStatus(s *Session) (key, text string) {
	r := Poll[[]string](s, `(() => { const st = document.getElementById('keep-status');
		return st.dataset.key && !document.getElementById('save').disabled ? [st.dataset.key, st.textContent] : null; })()`)
	return r[0], r[1]
}

// keepClear forgets the last message, so keepStatus waits for the next.
func keepClear(s *Session) {
	Eval[bool](s, `delete document.getElementById('keep-status').dataset.key, true`)
}

// keepDownload presses a download button and returns the file's name and
// bytes, caught at the anchor the page clicks.
func keepDownload(t *testing.T, s *Session, button string) (string, []byte) {
	t.Helper()
	r := Eval[[]string](s, `(async () => {
		const click = HTMLAnchorElement.prototype.click;
		const createObjectURL = URL.createObjectURL;
		let blob = null;
		URL.createObjectURL = (b) => { blob = b; return createObjectURL(b); };
		const got = new Promise((resolve) => {
			HTMLAnchorElement.prototype.click = function () { resolve(this.download); };
		});
		document.querySelector('`+button+`').click();
		const name = await got;
		HTMLAnchorElement.prototype.click = click;
		URL.createObjectURL = createObjectURL;
		let bin = '';
		for (const b of new Uint8Array(await blob.arrayBuffer())) bin += String.fromCharCode(b);
		return [name, btoa(bin)];
	})()`)
	b, err := base64.StdEncoding.DecodeString(r[1])
	require.NoError(t, err)
	return r[0], b
}

// keepUpload gives the keep panel's file input a file, as a student choosing it.
func keepUpload(t *testing.T, s *Session, path string) {
	t.Helper()
	keepClear(s)
	_, err := chromedp.Run(s.Ctx, chromedp.SetUploadFiles(chromedp.CSS("#load-file"), []string{path}))
	require.NoError(t, err)
}

// fakeKeras stands in for TensorFlow (not installed here) to run the
// page's Keras snippet: Sequential, Input and the layers the page can
// build, each making its weights in Keras's shapes and get_weights()
// order; set_weights refuses a wrong count or shape as Keras does.
const fakeKeras = `
import sys, types, math
import numpy as np

class Layer:
    def out(self, s): return s
    def make(self, s): return []

class Conv2D(Layer):
    transposed = False
    def __init__(self, filters, kernel_size, strides=1, padding='valid', activation=None, use_bias=True):
        self.f, self.k, self.s, self.p, self.bias = filters, kernel_size, strides, padding, use_bias
    def make(self, s):
        c = s[2]
        kernel = (self.k, self.k, self.f, c) if self.transposed else (self.k, self.k, c, self.f)
        return [np.zeros(kernel, np.float32)] + ([np.zeros(self.f, np.float32)] if self.bias else [])
    def out(self, s):
        h = [self.size(n) for n in s[:2]]
        return (h[0], h[1], self.f)
    def size(self, n):
        if self.transposed:
            return n * self.s if self.p == 'same' else (n - 1) * self.s + self.k
        return math.ceil(n / self.s) if self.p == 'same' else (n - self.k) // self.s + 1

class Conv2DTranspose(Conv2D):
    transposed = True

class MaxPooling2D(Layer):
    def __init__(self, pool_size=2, strides=None, padding='valid'):
        self.k, self.s, self.p = pool_size, strides or pool_size, padding
    def out(self, s):
        f = lambda n: math.ceil(n / self.s) if self.p == 'same' else (n - self.k) // self.s + 1
        return (f(s[0]), f(s[1]), s[2])

class AveragePooling2D(MaxPooling2D):
    pass

class Flatten(Layer):
    def __init__(self): pass
    def out(self, s): return (int(np.prod(s)),)

class Dense(Layer):
    def __init__(self, units, activation=None, use_bias=True):
        self.u, self.bias = units, use_bias
    def make(self, s):
        assert len(s) == 1, 'Dense after a layer with feature maps'
        return [np.zeros((s[0], self.u), np.float32)] + ([np.zeros(self.u, np.float32)] if self.bias else [])
    def out(self, s): return (self.u,)

class Dropout(Layer):
    def __init__(self, rate): pass

class Activation(Layer):
    def __init__(self, activation): pass

class Input:
    def __init__(self, shape): self.shape = tuple(shape)

class Sequential:
    def __init__(self, items):
        s, self.weights = items[0].shape, []
        for l in items[1:]:
            self.weights += l.make(s)
            s = l.out(s)
    def get_weights(self): return [w.copy() for w in self.weights]
    def set_weights(self, ws):
        if len(ws) != len(self.weights):
            raise ValueError(f'expected {len(self.weights)} weights, got {len(ws)}')
        for i, (a, b) in enumerate(zip(self.weights, ws)):
            if a.shape != b.shape:
                raise ValueError(f'weight {i}: shape {b.shape}, expected {a.shape}')
        self.weights = [np.asarray(w, np.float32).copy() for w in ws]

layers = types.ModuleType('tensorflow.keras.layers')
for c in (Conv2D, Conv2DTranspose, MaxPooling2D, AveragePooling2D, Flatten, Dense, Dropout, Activation):
    setattr(layers, c.__name__, c)
keras = types.ModuleType('tensorflow.keras')
keras.layers, keras.Sequential, keras.Input = layers, Sequential, Input
tf = types.ModuleType('tensorflow')
tf.keras = keras
sys.modules.update({'tensorflow': tf, 'tensorflow.keras': keras, 'tensorflow.keras.layers': layers})
`

// runSnippet runs the page's Keras snippet in dir with the fake Keras,
// then checks that the model holds the .npz's arrays, and returns the
// model.npz the snippet's last line wrote.
func runSnippet(t *testing.T, dir, snippet string) []byte {
	t.Helper()
	check := `
w = np.load('convplay-model.npz')
got = model.get_weights()
assert len(got) == len(w.files), (len(got), w.files)
for i, a in enumerate(got):
    assert np.array_equal(a, w[f'arr_{i}']), i
print('ok', len(got), 'arrays')
`
	script := filepath.Join(dir, "snippet.py")
	require.NoError(t, os.WriteFile(script, []byte(fakeKeras+snippet+check), 0o644))
	cmd := exec.Command("/usr/bin/python3", script)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Logf("python: %s", bytes.TrimSpace(out))
	b, err := os.ReadFile(filepath.Join(dir, "model.npz"))
	require.NoError(t, err)
	return b
}

// writeNPZ writes a model of spec's weights as .npz, natively.
func writeNPZ(t *testing.T, spec nn.ModelSpec, path string) {
	t.Helper()
	m, err := nn.Build(spec, 1)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, m.ExportNPZ(&buf))
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
}

// TestKeepTheModel saves a model in the browser, reloads the page and loads
// it back with identical predictions; downloads it as .cpw and loads the
// file back; refuses a corrupt file and files for other architectures with
// an explanation, keeping the model; runs the Keras snippet on the
// downloaded .npz and loads what it saves.
func TestKeepTheModel(t *testing.T) {
	dir := t.TempDir()
	s := Start(t)
	s.OpenReady("?model=small")
	assert.Equal(t, "No model saved in this browser yet.", Poll[string](s, `window.convplay.views.keep && window.convplay.views.keep.store() && document.getElementById('store-note').textContent`))

	// A model of its own: the small architecture from another seed.
	r := s.Request("buildModel", `{preset: 'small', seed: 7}`)
	require.True(t, r.OK, r.Error)
	Eval[bool](s, `window.convplay.ctx.setModel(window.convplay.state.model, {kind: 'preset', label: 'seed 7'}), true`)
	Poll[bool](s, `window.convplay.views.keep.spec() !== null`)
	Eval[bool](s, `window.convplay.ctx.setInput({pixels: `+fixedInput+`, image: new Uint8ClampedArray(784), source: 'draw'}), true`)
	Poll[bool](s, `window.convplay.state.prediction && document.querySelectorAll('#prediction [data-prob]').length === 10`)
	mine := keepNow(s)
	require.Equal(t, "preset", mine.Kind)

	Eval[bool](s, `(() => { const i = document.getElementById('save-name'); i.value = 'my small model'; return true; })()`)
	keepClear(s)
	Eval[bool](s, `document.getElementById('save').click(), true`)
	key, text := keepStatus(s)
	assert.Equal(t, "keep.saved", key)
	assert.Equal(t, "Saved “my small model” in this browser. It stays when you close the page.", text)
	assert.Equal(t, []string{"my small model"}, Eval[[]string](s, `[...document.querySelectorAll('#saved-list .saved-name')].map((e) => e.textContent)`))
	assert.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d · Fashion-MNIST \(2017 original release\) · not trained or evaluated here · [\d,]+ bytes$`,
		Eval[string](s, `document.querySelector('#saved-list .saved-facts').textContent`))
	assert.Equal(t, "Conv2D(8) → MaxPooling2D → Conv2D(16) → MaxPooling2D → Flatten → Dense(10) · 5,258 parameters",
		Eval[string](s, `document.querySelector('#saved-list .saved-arch').textContent`))
	assert.Equal(t, "1 saved in this browser, newest first:", Eval[string](s, `document.getElementById('store-note').textContent`))
	t.Run("after a reload the saved model loads with identical predictions", func(t *testing.T) {
		s.OpenReady("?model=small")
		Poll[bool](s, `window.convplay.views.keep.records().length === 1 && document.querySelectorAll('#saved-list li').length === 1`)
		Eval[bool](s, `window.convplay.ctx.setInput({pixels: `+fixedInput+`, image: new Uint8ClampedArray(784), source: 'draw'}), true`)
		Poll[bool](s, `window.convplay.state.prediction && window.convplay.state.prediction.input.source === 'draw' && document.querySelectorAll('#prediction [data-prob]').length === 10`)
		assert.NotEqual(t, mine.Probs, probsOf(s), "the page starts with the pretrained model")
		keepClear(s)
		Eval[bool](s, `document.querySelector('#saved-list li button[data-action=load]').click(), true`)
		key, text := keepStatus(s)
		assert.Equal(t, "keep.loadedStored", key)
		assert.Equal(t, "Loaded “my small model” from this browser.", text)
		Poll[bool](s, `window.convplay.state.modelSource.kind === 'stored' && window.convplay.state.prediction && window.convplay.state.prediction.probs[0] === `+ftoa(mine.Probs[0]))
		got := keepNow(s)
		assert.Equal(t, mine.Probs, got.Probs)
		assert.Equal(t, mine.Bars, got.Bars)
		assert.Regexp(t, `^saved in this browser: “my small model” \(\d{4}-\d\d-\d\d \d\d:\d\d\)$`, Eval[string](s, `window.convplay.state.modelSource.label`))
	})

	var cpw []byte
	t.Run("download .cpw, reset, load the file back", func(t *testing.T) {
		var name string
		name, cpw = keepDownload(t, s, "#download-cpw")
		assert.Equal(t, "convplay-model.cpw", name)
		path := filepath.Join(dir, "mine.cpw")
		require.NoError(t, os.WriteFile(path, cpw, 0o644))

		keepClear(s)
		Eval[bool](s, `document.getElementById('reset-model').click(), true`)
		key, _ := keepStatus(s)
		assert.Equal(t, "keep.resetDone", key)
		assert.Equal(t, "pretrained", Eval[string](s, `window.convplay.state.modelSource.kind`))
		assert.NotEqual(t, mine.Probs, probsOf(s))

		keepUpload(t, s, path)
		key, text := keepStatus(s)
		assert.Equal(t, "keep.loadedFile", key)
		assert.Equal(t, "Loaded mine.cpw.", text)
		assert.Equal(t, "mine.cpw", Eval[string](s, `window.convplay.state.modelSource.label`))
		Poll[bool](s, `window.convplay.state.prediction && window.convplay.state.prediction.probs[0] === `+ftoa(mine.Probs[0]))
		got := keepNow(s)
		assert.Equal(t, "file", got.Kind)
		assert.Equal(t, mine.Probs, got.Probs)
		assert.Equal(t, mine.Bars, got.Bars)
	})

	t.Run("a corrupt file and files of other architectures are refused; the model stays", func(t *testing.T) {
		require.NotEmpty(t, cpw)
		before := keepNow(s)
		corrupt := append([]byte(nil), cpw...)
		corrupt[len(corrupt)/2] ^= 0xff
		bad := filepath.Join(dir, "corrupt.cpw")
		require.NoError(t, os.WriteFile(bad, corrupt, 0o644))
		png := filepath.Join(dir, "picture.png")
		require.NoError(t, os.WriteFile(png, []byte("\x89PNG\r\n\x1a\nnot a model"), 0o644))
		ref := filepath.Join(dir, "reference.npz")
		writeNPZ(t, nn.ReferenceSpec(), ref)
		wide := nn.SmallSpec()
		wide.Layers[0].Filters = 16
		widePath := filepath.Join(dir, "wide.npz")
		writeNPZ(t, wide, widePath)

		tests := []struct {
			file, key, text string
		}{
			{bad, "keep.err.corrupt", "This is not a model file the engine can read, or it is damaged or cut short. The model was not changed. The engine says: invalid weights file: checksum mismatch"},
			{png, "keep.err.corrupt", "This is not a model file the engine can read, or it is damaged or cut short. The model was not changed. The engine says: invalid weights file:"},
			{ref, "keep.err.count", "This file’s weights belong to a different architecture: the file has 16 weight arrays, the current model 6. The model was not changed. The engine says: npz has 16 arrays, the model 6 weight arrays"},
			{widePath, "keep.err.shape", "This file’s weights belong to a different architecture. Layer 1 (conv2d): its kernel has the shape (3, 3, 1, 16) in the file but (3, 3, 1, 8) in the current model. The model was not changed."},
		}
		for _, tt := range tests {
			keepUpload(t, s, tt.file)
			key, text := keepStatus(s)
			assert.Equal(t, tt.key, key, filepath.Base(tt.file))
			assert.Contains(t, text, tt.text, filepath.Base(tt.file))
			assert.Equal(t, "error", Eval[string](s, `document.getElementById('keep-status').dataset.kind`))
			assert.Equal(t, before, keepNow(s), "the model stays after %s", filepath.Base(tt.file))
		}
		s.ScreenshotOf("#keep-panel", "keep-refused")

		Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
		assert.Contains(t, Poll[string](s, `document.getElementById('keep-status').textContent.startsWith('这个文件') && document.getElementById('keep-status').textContent`),
			"这个文件的权重属于另一种结构。第 1 层（conv2d）：文件中的 kernel 形状是 (3, 3, 1, 16)，而当前模型是 (3, 3, 1, 8)。 模型没有改变。")
		assert.Equal(t, "本浏览器里保存了 1 个，最新的在前：", Eval[string](s, `document.getElementById('store-note').textContent`))
		Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'en'; sel.dispatchEvent(new Event('change')); return true; })()`)
	})

	t.Run("the Keras snippet loads the downloaded .npz, and what it saves loads here", func(t *testing.T) {
		name, npz := keepDownload(t, s, "#download-npz")
		assert.Equal(t, "convplay-model.npz", name)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), npz, 0o644))
		snippet := Eval[string](s, `document.getElementById('keras-snippet').textContent`)
		assert.Contains(t, snippet, "    layers.Conv2D(8, 3, activation='relu'),\n    layers.MaxPooling2D(2),\n")
		// The data set's mean and std, when the engine's loadDataset result
		// gives them (the manifest's), else how to compute them.
		if Eval[bool](s, `Number.isFinite(window.convplay.state.dataset.info.mean)`) {
			assert.Contains(t, snippet, Eval[string](s, `(({mean, std}) => `+"`\\nmean, std = ${mean.toFixed(4)}, ${std.toFixed(4)}\\n`"+`)(window.convplay.state.dataset.info)`),
				"the training images' mean and std")
		} else {
			assert.Contains(t, snippet, "\n# mean, std = x_train.mean(), x_train.std()\n")
		}
		fromKeras := runSnippet(t, dir, snippet)
		path := filepath.Join(dir, "model.npz")
		require.NoError(t, os.WriteFile(path, fromKeras, 0o644))

		before := keepNow(s)
		keepUpload(t, s, path)
		key, _ := keepStatus(s)
		assert.Equal(t, "keep.loadedFile", key)
		after := keepNow(s)
		assert.Equal(t, "file", after.Kind)
		assert.Equal(t, before.Probs, after.Probs, "the weights made the round trip through Keras's order unchanged")
		Eval[bool](s, `document.getElementById('keep-panel').scrollIntoView(), true`)
		s.ScreenshotOf("#keep-panel", "keep")
	})

	t.Run("loads are refused while training runs", func(t *testing.T) {
		before := keepNow(s)
		Eval[bool](s, `window.convplay.ctx.emit('training', true), true`)
		assert.True(t, Eval[bool](s, `document.getElementById('load').disabled && document.getElementById('reset-model').disabled &&
			document.querySelector('#saved-list button[data-action=load]').disabled`))
		keepClear(s)
		Eval[bool](s, `window.convplay.ctx.emit('training', false), true`)
		assert.False(t, Eval[bool](s, `document.getElementById('load').disabled`))
		assert.Equal(t, before, keepNow(s))
	})

	t.Run("delete", func(t *testing.T) {
		Eval[bool](s, `(() => { document.getElementById('save-name').value = 'second'; return true; })()`)
		keepClear(s)
		Eval[bool](s, `document.getElementById('save').click(), true`)
		keepStatus(s)
		assert.Equal(t, []string{"second", "my small model"}, Eval[[]string](s, `[...document.querySelectorAll('#saved-list .saved-name')].map((e) => e.textContent)`))
		keepClear(s)
		Eval[bool](s, `[...document.querySelectorAll('#saved-list li')].find((li) => li.querySelector('.saved-name').textContent === 'second').querySelector('button[data-action=remove]').click(), true`)
		key, text := keepStatus(s)
		assert.Equal(t, "keep.deleted", key)
		assert.Equal(t, "Deleted “second” from this browser.", text)
		assert.Equal(t, []string{"my small model"}, Eval[[]string](s, `[...document.querySelectorAll('#saved-list .saved-name')].map((e) => e.textContent)`))
		name, b := keepDownload(t, s, `#saved-list li button[data-action=download]`)
		assert.Equal(t, "my-small-model.cpw", name)
		assert.Equal(t, cpw, b, "the stored file is the model's .cpw")
	})
	assert.Empty(t, s.Problems())
}
