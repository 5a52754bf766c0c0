//go:build browser

package browsertest

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"convplay/keras"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kerasFixture is the path of one of package keras's test files.
func kerasFixture(t *testing.T, name string) string {
	p, err := filepath.Abs(filepath.Join("../../keras/testdata", name)) // the browser reads absolute paths
	require.NoError(t, err)
	return p
}

// kerasDrag dispatches a drag event (dragenter, dragover, dragleave or
// drop) at the page's body, carrying the fixture as a file in a
// DataTransfer built in the page from its bytes, as a file dragged from
// the desktop arrives.
func kerasDrag(t *testing.T, s *Session, event, name string) {
	t.Helper()
	b, err := os.ReadFile(kerasFixture(t, name))
	require.NoError(t, err)
	Eval[bool](s, `(() => {
		const bin = atob('`+base64.StdEncoding.EncodeToString(b)+`');
		const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], '`+name+`', {type: 'application/octet-stream'}));
		return document.body.dispatchEvent(new DragEvent('`+event+`', {dataTransfer: dt, bubbles: true, cancelable: true}));
	})()`)
}

// layerCards are the names on the network panel's layer cards.
func layerCards(s *Session) []string {
	return Eval[[]string](s, `[...document.querySelectorAll('#network-panel li[data-layer]')].map((li) => li.dataset.name)`)
}

// TestKerasFiles brings Keras model files into the page: dropped anywhere
// (with a drop target while dragging), the input question with its
// accuracy check, a .keras whose Rescaling answers it, a refused file
// with the model kept, and the layer cards showing the file's layers.
func TestKerasFiles(t *testing.T) {
	s := Start(t)
	s.OpenReady("?model=small")
	Poll[bool](s, `window.convplay.views.keep && window.convplay.state.dataset.info !== null`)
	Eval[bool](s, `window.convplay.ctx.setInput({pixels: `+fixedInput+`, image: new Uint8ClampedArray(784), source: 'draw'}), true`)
	Poll[bool](s, `window.convplay.state.prediction && document.querySelectorAll('#prediction [data-prob]').length === 10`)
	before := keepNow(s)
	// The accuracy check needs the test images.
	Poll[bool](s, `window.convplay.state.dataset.available && window.convplay.state.dataset.available.test >= 1000`)

	t.Run("a drag shows the drop target", func(t *testing.T) {
		assert.True(t, Eval[bool](s, `document.getElementById('drop-target').hidden`))
		kerasDrag(t, s, "dragenter", "functional_k2.h5")
		assert.False(t, Eval[bool](s, `document.getElementById('drop-target').hidden`))
		assert.Contains(t, Eval[string](s, `document.getElementById('drop-target').textContent`), "Drop your model here")
		s.ScreenshotOf("#drop-target", "keras-drop-target")
		kerasDrag(t, s, "dragleave", "functional_k2.h5")
		assert.True(t, Eval[bool](s, `document.getElementById('drop-target').hidden`))
	})

	t.Run("a dropped .h5 asks what its input is, checks the answers, then loads", func(t *testing.T) {
		keepClear(s)
		kerasDrag(t, s, "dragenter", "functional_k2.h5")
		kerasDrag(t, s, "drop", "functional_k2.h5")
		assert.True(t, Eval[bool](s, `document.getElementById('drop-target').hidden`))
		key, text := keepStatus(s)
		require.Equal(t, "keep.kq.asked", key, text)
		assert.Contains(t, text, "functional_k2.h5 (Keras 2 .h5)")
		assert.False(t, Eval[bool](s, `document.getElementById('keras-ask').hidden`))
		assert.Contains(t, Eval[string](s, `document.getElementById('keras-ask').textContent`), "Pixels / 255")
		assert.Equal(t, before, keepNow(s), "the model stays until the question is answered")
		// A chunk of the same data set arriving (a 'dataset' event) keeps the question.
		Eval[bool](s, `window.convplay.ctx.emit('dataset', window.convplay.state.dataset), true`)
		assert.False(t, Eval[bool](s, `document.getElementById('keras-ask').hidden`), "the question stays while the data set streams in")

		keepClear(s)
		Eval[bool](s, `document.getElementById('keras-check').click(), true`)
		key, text = keepStatus(s)
		require.Equal(t, "keep.kq.checked", key, text)
		accs := Eval[[]string](s, `[...document.querySelectorAll('#keras-ask .keras-acc')].map((e) => e.dataset.accuracy || '')`)
		require.Len(t, accs, 3)
		for _, a := range accs {
			assert.NotEmpty(t, a, "each answer has the engine's accuracy")
		}
		assert.Contains(t, Eval[string](s, `document.querySelector('#keras-ask .keras-acc').textContent`), "right on 1,000 test images")
		assert.Equal(t, 1, Eval[int](s, `document.querySelectorAll('#keras-ask input:checked').length`), "the best answer is chosen")
		s.ScreenshotOf("#keras-ask", "keras-question")
		// In Chinese, the question and the figures follow the switch.
		Eval[bool](s, `window.convplay.ctx.setLang('zh'), true`)
		assert.Contains(t, Eval[string](s, `document.getElementById('keras-ask-title').textContent`), "functional_k2.h5 里的模型需要什么样的输入？")
		assert.Contains(t, Eval[string](s, `document.querySelector('#keras-ask .keras-acc').textContent`), "1,000 张测试图像中答对")
		s.ScreenshotOf("#keras-ask", "keras-question-zh")
		Eval[bool](s, `window.convplay.ctx.setLang('en'), true`)
		assert.Equal(t, before, keepNow(s), "checking does not change the model")

		keepClear(s)
		Eval[bool](s, `document.querySelector('#keras-ask input[value=unit]').click(), document.getElementById('keras-use').click(), true`)
		key, text = keepStatus(s)
		require.Equal(t, "keep.kf.loaded", key, text)
		assert.Contains(t, text, "It expects pixels / 255")
		assert.True(t, Eval[bool](s, `document.getElementById('keras-ask').hidden`))
		assert.Equal(t, "functional_k2.h5", Eval[string](s, `window.convplay.state.modelSource.label`))
		assert.Contains(t, Eval[string](s, `document.getElementById('model-source').textContent`), "functional_k2.h5")
		names := Eval[[]string](s, `window.convplay.state.model.layers.map((l) => l.name)`)
		require.Equal(t, "input_scaling", names[0])
		Poll[bool](s, `document.querySelectorAll('#network-panel li[data-layer]').length === `+itoa(len(names)))
		assert.Equal(t, names, layerCards(s), "the layer cards are the file's layers")

		// Saved in this browser, the answer stays with the model: back from
		// the pretrained model it loads as it was, asking nothing.
		keepClear(s)
		Eval[bool](s, `document.getElementById('save-name').value = 'my keras', document.getElementById('save').click(), true`)
		key, _ = keepStatus(s)
		require.Equal(t, "keep.saved", key)
		keepClear(s)
		Eval[bool](s, `document.getElementById('reset-model').click(), true`)
		key, _ = keepStatus(s)
		require.Equal(t, "keep.resetDone", key)
		keepClear(s)
		Eval[bool](s, `document.querySelector('#saved-list button[data-action=load]').click(), true`)
		key, _ = keepStatus(s)
		require.Equal(t, "keep.loadedStored", key)
		assert.Equal(t, names, Eval[[]string](s, `window.convplay.state.model.layers.map((l) => l.name)`))
		assert.True(t, Eval[bool](s, `document.getElementById('keras-ask').hidden`))
		assert.Empty(t, s.Problems())
	})

	t.Run("a .keras with a Rescaling first asks nothing; its logits get a softmax", func(t *testing.T) {
		keepUpload(t, s, kerasFixture(t, "bn_logits.keras"))
		key, text := keepStatus(s)
		require.Equal(t, "keep.kf.loaded", key, text)
		assert.Contains(t, text, "a Rescaling, says itself")
		assert.Contains(t, text, "outputs logits")
		assert.True(t, Eval[bool](s, `document.getElementById('keras-ask').hidden`))
		names := Eval[[]string](s, `window.convplay.state.model.layers.map((l) => l.name)`)
		assert.Equal(t, "softmax_of_logits", names[len(names)-1])
		assert.Contains(t, names, "batch_normalization")
		Poll[bool](s, `document.querySelectorAll('#network-panel li[data-layer]').length === `+itoa(len(names)))
		assert.Equal(t, names, layerCards(s))
		probs := probsOf(s)
		sum := 0.0
		for _, p := range probs {
			sum += p
		}
		assert.InDelta(t, 1, sum, 1e-4)
		s.ScreenshotOf("#keep-panel", "keras-loaded")
		assert.Empty(t, s.Problems())
	})

	t.Run("the lessons' engine ops work on it", func(t *testing.T) {
		for _, op := range []struct{ typ, args string }{
			{"describeLayers", ""},
			{"getFilters", `{layer: 'conv2d'}`},
			{"convWindow", `{pixels: ` + fixedInput + `, layer: 'conv2d_1', y: 0, x: 0, filter: 0}`},
			{"poolCompare", `{pixels: ` + fixedInput + `, layer: 'max_pooling2d'}`},
			{"shiftCompare", `{pixels: ` + fixedInput + `, dx: 2, dy: 0}`},
			{"scores", `{pixels: ` + fixedInput + `}`},
		} {
			r := s.Request(op.typ, op.args)
			assert.True(t, r.OK, "%s: %s", op.typ, r.Error)
		}
		Eval[bool](s, `document.querySelector('#network-panel li[data-name=batch_normalization] .net-card').click(), true`)
		Poll[bool](s, `document.getElementById('layer-detail').dataset.layer !== undefined`)
		assert.Empty(t, s.Problems())
	})

	t.Run("the model goes back to Keras as a .keras file", func(t *testing.T) {
		assert.Equal(t, "Download .keras (Keras 3)", Eval[string](s, `document.getElementById('download-keras').textContent`))
		name, b := keepDownload(t, s, "#download-keras")
		assert.Equal(t, "convplay-model.keras", name)
		key, text := keepStatus(s)
		assert.Equal(t, "keep.downloaded", key, text)
		// The download is the file's own model (its Rescaling, its logits,
		// not the page's wrapping), with the file's weights: it computes
		// what the file computes. (package keras checks the .keras with h5py.)
		got, info, err := keras.Read(b)
		require.NoError(t, err)
		assert.Equal(t, "Keras 3 .keras", info.Format)
		src, err := os.ReadFile(kerasFixture(t, "bn_logits.keras"))
		require.NoError(t, err)
		want, _, err := keras.Read(src)
		require.NoError(t, err)
		assert.Equal(t, want.Spec, got.Spec)
		x := make([]float32, 2*28*28)
		for i := range x {
			x[i] = float32(i * 37 % 256)
		}
		assert.Equal(t, want.Forward(x, 2, false), got.Forward(x, 2, false))
		Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
		assert.Equal(t, "下载 .keras（Keras 3）", Poll[string](s, `document.getElementById('download-keras').textContent.startsWith('下载') && document.getElementById('download-keras').textContent`))
		Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'en'; sel.dispatchEvent(new Event('change')); return true; })()`)
		assert.Empty(t, s.Problems())
	})

	t.Run("training goes on from the file's weights", func(t *testing.T) {
		names := Eval[[]string](s, `window.convplay.state.model.layers.map((l) => l.name)`)
		Eval[bool](s, `(window.convplay.views.train.set({continueWeights: true, optimizer: 'adam', learningRate: 0.001, batchSize: 32,
			epochs: 2, subset: 4096, validationSubset: 500, seed: 1, validation: true, checkpoint: true, early: false}), true)`)
		clickID(s, "train-start")
		require.Equal(t, "finished", waitDone(s, 120*time.Second))
		// Enough images and epochs to learn past chance: a run no better than
		// chance keeps the file's model (and its label) by design.
		t.Log("train result: ", Eval[string](s, `document.getElementById('train-result').textContent`))
		assert.Equal(t, "trained", Eval[string](s, `window.convplay.state.modelSource.kind`))
		assert.Equal(t, names, Eval[[]string](s, `window.convplay.state.model.layers.map((l) => l.name)`))
		assert.Empty(t, s.Problems())
	})

	t.Run("a refused file (a Lambda) names the layer, and the model stays", func(t *testing.T) {
		kept := keepNow(s)
		cards := layerCards(s)
		keepClear(s)
		kerasDrag(t, s, "drop", "lambda_k2.h5")
		key, text := keepStatus(s)
		require.Equal(t, "keep.err.kerasLayer", key, text)
		assert.Equal(t, "error", Eval[string](s, `document.getElementById('keep-status').dataset.kind`))
		assert.Contains(t, text, `“lambda” (Lambda)`)
		assert.Contains(t, text, "convplay reads InputLayer, Conv2D")
		assert.Contains(t, text, "The model was not changed.")
		assert.False(t, strings.Contains(text, "\n"), "one line")
		assert.Equal(t, kept, keepNow(s))
		assert.Equal(t, cards, layerCards(s))
		assert.Empty(t, s.Problems())
	})
	t.Run("data augmentation layers are left out, and the page says so", func(t *testing.T) {
		keepClear(s)
		kerasDrag(t, s, "drop", "augment.keras")
		key, text := keepStatus(s)
		require.Equal(t, "keep.kf.loaded", key, text)
		assert.Contains(t, text, "Left out, as Keras does when it predicts: 3 data augmentation layers random_flip (RandomFlip), random_rotation (RandomRotation), gaussian_noise (GaussianNoise), which change images only in training.")
		names := Eval[[]string](s, `window.convplay.state.model.layers.map((l) => l.name)`)
		assert.Equal(t, []string{"input_scaling", "rescaling", "conv2d", "max_pooling2d", "flatten", "dense"}, names)
		Poll[bool](s, `document.querySelectorAll('#network-panel li[data-layer]').length === 6`)
		assert.Equal(t, names, layerCards(s))
		Eval[bool](s, `window.convplay.ctx.setLang('zh'), true`)
		assert.Contains(t, Poll[string](s, `document.getElementById('keep-status').textContent.includes('省略') && document.getElementById('keep-status').textContent`),
			"和 Keras 预测时一样，省略了 3 个数据增强层 random_flip (RandomFlip)")
		Eval[bool](s, `window.convplay.ctx.setLang('en'), true`)
		assert.Empty(t, s.Problems())
	})
	t.Run("a model nested inside a model: its layers take its place", func(t *testing.T) {
		// Keras's tutorial: Sequential([Input, data_augmentation, Rescaling,
		// Conv2D, ...]), data_augmentation itself a Sequential.
		keepClear(s)
		kerasDrag(t, s, "drop", "nested_augment.keras")
		key, text := keepStatus(s)
		require.Equal(t, "keep.kf.loaded", key, text)
		assert.Contains(t, text, "2 data augmentation layers random_flip (RandomFlip), random_rotation (RandomRotation)")
		names := Eval[[]string](s, `window.convplay.state.model.layers.map((l) => l.name)`)
		assert.Equal(t, []string{"input_scaling", "rescaling", "conv2d", "max_pooling2d", "flatten", "dense"}, names)
		Poll[bool](s, `document.querySelectorAll('#network-panel li[data-layer]').length === 6`)
		assert.Equal(t, names, layerCards(s))

		// A Functional model around two Sequential blocks (BatchNormalization
		// inside), from a Keras 2 .h5: the blocks' layers in order, and a
		// prediction on the drawing.
		keepClear(s)
		kerasDrag(t, s, "drop", "nested_functional_k2.h5")
		key, text = keepStatus(s)
		require.Equal(t, "keep.kf.loaded", key, text)
		assert.Contains(t, text, "nested_functional_k2.h5")
		names = Eval[[]string](s, `window.convplay.state.model.layers.map((l) => l.name)`)
		assert.Equal(t, []string{"input_scaling", "rescaling", "conv2d_5", "bn_5", "max_pooling2d_5", "conv2d_6", "bn_6",
			"max_pooling2d_6", "flatten", "dense"}, names)
		Poll[bool](s, `document.querySelectorAll('#network-panel li[data-layer]').length === 10`)
		assert.Equal(t, names, layerCards(s))
		Eval[bool](s, `window.convplay.ctx.setInput({pixels: `+fixedInput+`, image: new Uint8ClampedArray(784), source: 'draw'}), true`)
		Poll[bool](s, `window.convplay.state.prediction && document.querySelectorAll('#prediction [data-prob]').length === 10`)
		probs := probsOf(s)
		sum := 0.0
		for _, p := range probs {
			sum += p
		}
		assert.InDelta(t, 1, sum, 1e-4)
		s.ScreenshotOf("#network-panel", "keras-nested")

		// A nested model that branches is refused by its path; the model stays.
		kept := keepNow(s)
		keepClear(s)
		kerasDrag(t, s, "drop", "nested_branch.keras")
		key, text = keepStatus(s)
		require.Equal(t, "keep.err.kerasLayer", key, text)
		assert.Contains(t, text, `“residual/add” (Add)`)
		assert.False(t, strings.Contains(text, "\n"), "one line")
		assert.Equal(t, kept, keepNow(s))
		assert.Empty(t, s.Problems())
	})
}

// TestKerasLoadTime measures how long the notebook's model takes to come
// in from a Keras 2 .h5 (reference_k2.h5: the reference model's 435,306
// weights, 1.7 MB): the worker's loadKeras alone (the file read, checked
// against the data set, wrapped and installed; three times), and a
// student's drop to the input question and the answer to the layer cards.
// The figures go to the log for BENCHMARKS.md; the test checks only that
// the model loaded.
func TestKerasLoadTime(t *testing.T) {
	s := Start(t)
	s.OpenReady("?model=small")
	Poll[bool](s, `window.convplay.views.keep && window.convplay.state.dataset.info !== null`)
	b, err := os.ReadFile(kerasFixture(t, "reference_k2.h5"))
	require.NoError(t, err)
	ms := Eval[[]float64](s, `(async () => {
		const bin = atob('`+base64.StdEncoding.EncodeToString(b)+`');
		const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
		const times = [];
		for (let i = 0; i < 3; i++) {
			const t0 = performance.now();
			await window.convplay.client.request('loadKeras', {bytes: bytes.slice(), input: 'standardized'});
			times.push(performance.now() - t0);
		}
		return times;
	})()`)
	t.Logf("loadKeras of reference_k2.h5 (%d bytes) in the worker: %.0f ms, %.0f ms, %.0f ms", len(b), ms[0], ms[1], ms[2])

	s.OpenReady("?model=small")
	Poll[bool](s, `window.convplay.views.keep && window.convplay.state.dataset.info !== null`)
	keepClear(s)
	// Timed in the page: from the drop (the file already made, as the
	// browser hands it over) to the status the panel shows, seen by a
	// MutationObserver; then from the answer to the 12 layer cards.
	asked := Eval[[]any](s, `(async () => {
		const bin = atob('`+base64.StdEncoding.EncodeToString(b)+`');
		const dt = new DataTransfer();
		dt.items.add(new File([Uint8Array.from(bin, (c) => c.charCodeAt(0))], 'reference_k2.h5'));
		const st = document.getElementById('keep-status');
		const seen = new Promise((resolve) => new MutationObserver((_, o) => {
			if (st.dataset.key) { o.disconnect(); resolve(performance.now()); }
		}).observe(st, {attributes: true, childList: true, subtree: true}));
		const t0 = performance.now();
		document.body.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
		return [(await seen) - t0, st.dataset.key];
	})()`)
	require.Equal(t, "keep.kq.asked", asked[1])
	keepClear(s)
	loaded := Eval[float64](s, `(async () => {
		const cards = () => document.querySelectorAll('#network-panel li[data-layer]').length === 12 &&
			window.convplay.state.model && window.convplay.state.model.totalParams === 435306;
		const t0 = performance.now();
		document.querySelector('#keras-ask input[value=standardized]').click();
		document.getElementById('keras-use').click();
		await new Promise((resolve) => {
			const o = new MutationObserver(() => { if (cards()) { o.disconnect(); resolve(); } });
			o.observe(document.body, {attributes: true, childList: true, subtree: true});
		});
		return performance.now() - t0;
	})()`)
	key, text := keepStatus(s)
	require.Equal(t, "keep.kf.loaded", key, text)
	t.Logf("drop to the input question: %.0f ms; the answer to the file's 12 layer cards: %.0f ms (in the page)", asked[0], loaded)
	assert.Equal(t, 435306, Eval[int](s, `window.convplay.state.model.totalParams`))
	assert.Empty(t, s.Problems())
}
