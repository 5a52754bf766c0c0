//go:build browser

package browsertest

import (
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// holdingServer is convplay's server with some files held back until the
// test releases them, as a slow link would deliver them late.
type holdingServer struct {
	mu   sync.Mutex
	held map[string]chan struct{} // URL path -> closed when released
}

func (h *holdingServer) release(path string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ch, ok := h.held[path]; ok {
		close(ch)
		delete(h.held, path)
	}
}

// startHolding serves web/ as Start does, holding back the given paths.
func startHolding(t *testing.T, paths ...string) (*Session, *holdingServer) {
	h := &holdingServer{held: map[string]chan struct{}{}}
	for _, p := range paths {
		h.held[p] = make(chan struct{})
	}
	t.Cleanup(func() {
		for _, p := range paths {
			h.release(p)
		}
	})
	serve := convplayServer(t)
	s := StartHandler(t, func(dir string) http.Handler {
		next := serve(dir)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.mu.Lock()
			ch := h.held[r.URL.Path]
			h.mu.Unlock()
			if ch != nil {
				select {
				case <-ch:
				case <-r.Context().Done():
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	})
	return s, h
}

const (
	referenceFile = "/pretrained/reference-fashion.cpw"
	fashionTest0  = "/data/fashion/test-00-images.u8.gz"
)

// TestFirstVisit: on a slow link the first prediction does not wait for the
// reference model (0.87 MB as float16) or the test images: the page predicts the example
// it ships with the small model, says so in English and Chinese, and when
// the reference model arrives shows it and predicts again; when the test
// images arrive the gallery adopts the example, which is that test image.
func TestFirstVisit(t *testing.T) {
	s, files := startHolding(t, referenceFile, fashionTest0)
	s.Open("?lang=en")
	Poll[bool](s, `(() => { const st = window.convplay.state; const p = st.prediction;
		return !!p && p.input.source === 'example' && p.input === st.input && st.modelSource && st.modelSource.preset === 'small'; })()`)
	assert.Equal(t, "reference", Eval[string](s, `window.convplay.state.modelPending`))
	assert.Equal(t, 0.0, Eval[float64](s, `window.convplay.state.dataset.available ? window.convplay.state.dataset.available.test : 0`), "no test image yet")
	assert.Contains(t, Eval[string](s, `document.getElementById('model-source').textContent`), "the pretrained small model for Fashion-MNIST, while the reference model loads")
	assert.Equal(t, 10.0, Eval[float64](s, `document.querySelectorAll('#prediction [data-prob]').length`), "the prediction is on screen")
	assert.Equal(t, 5258.0, Eval[float64](s, `window.convplay.state.model.totalParams`), "the small model")
	example := Eval[map[string]float64](s, `(() => { const i = window.convplay.state.input; return {index: i.index, label: i.label}; })()`)
	assert.Equal(t, map[string]float64{"index": 2, "label": 9}, example)
	assert.Contains(t, Eval[string](s, `document.querySelector('.draw-overlay').textContent`), "Test image #", "the pad says it shows a test image")

	Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
	assert.Contains(t, Eval[string](s, `document.getElementById('model-source').textContent`), "小模型（参考模型还在加载）")
	Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'en'; sel.dispatchEvent(new Event('change')); return true; })()`)

	// The reference model arrives: shown, labelled, and the example predicted again with it.
	Eval[bool](s, `(() => { window.__predictions = 0; window.convplay.ctx.on('prediction', (p) => { if (p) window.__predictions++; }); return true; })()`)
	files.release(referenceFile)
	Poll[bool](s, `(() => { const st = window.convplay.state;
		return st.modelSource.preset === 'reference' && st.modelPending === null && window.__predictions > 0 && st.prediction.input === st.input; })()`)
	assert.Equal(t, 435306.0, Eval[float64](s, `window.convplay.state.model.totalParams`))
	assert.Contains(t, Eval[string](s, `document.getElementById('model-source').textContent`), "the pretrained reference model for Fashion-MNIST")
	assert.NotContains(t, Eval[string](s, `document.getElementById('model-source').textContent`), "while")
	assert.Equal(t, "example", Eval[string](s, `window.convplay.state.input.source`))
	// It is make page's float16 copy (a version 2 .cpw, half the bytes), and
	// it names the example's class, as the float32 original does.
	assert.Equal(t, 2.0, Eval[float64](s, `fetch('pretrained/reference-fashion.cpw').then((r) => r.arrayBuffer()).then((b) => new DataView(b).getUint32(8, true))`), "a float16 file")
	assert.Equal(t, 9.0, Eval[float64](s, `(() => { const p = window.convplay.state.prediction.probs; return p.indexOf(Math.max(...p)); })()`), "an ankle boot")

	// The test images arrive: the gallery's first pick is the example, the same picture, now as a gallery image.
	files.release(fashionTest0)
	Poll[bool](s, `(() => { const st = window.convplay.state; return st.input && st.input.source === 'gallery' && st.prediction && st.prediction.input === st.input; })()`)
	assert.Equal(t, 2.0, Eval[float64](s, `window.convplay.state.input.index`), "the gallery adopted the example")
	same := Eval[bool](s, `(async () => {
		const e = await fetch('examples/fashion.json').then((r) => r.json());
		const sm = await window.convplay.client.request('getSample', {split: 'test', index: e.index});
		const img = Uint8Array.from(atob(e.image), (c) => c.charCodeAt(0));
		return sm.label === e.label && sm.image.length === img.length && sm.image.every((v, i) => v === img[i]);
	})()`)
	assert.True(t, same, "examples/fashion.json is test image 2 of the packed data set")
	assert.Empty(t, s.Problems())
}

// TestFirstVisitKeepsTheStudentsModel: a model the student sets while the
// reference model is still on its way is not replaced when it arrives.
func TestFirstVisitKeepsTheStudentsModel(t *testing.T) {
	s, files := startHolding(t, referenceFile)
	s.Open("")
	Poll[bool](s, `window.convplay.state.modelPending === 'reference' && window.convplay.state.modelSource?.preset === 'small'`)
	Eval[bool](s, `(async () => {
		const model = await window.convplay.client.request('buildModel', {preset: 'small', seed: 7});
		window.convplay.ctx.setModel(model, {kind: 'built', label: 'my own'});
		return true;
	})()`)
	files.release(referenceFile)
	Poll[bool](s, `window.convplay.state.modelPending === null`)
	assert.Equal(t, "built", Eval[string](s, `window.convplay.state.modelSource.kind`), "the student's model stays")
	assert.Contains(t, Eval[string](s, `document.getElementById('model-source').textContent`), "my own")
	require.Empty(t, s.Problems())
}

// TestFirstVisitDigits: MNIST's example (a 7) is its test image 0 and the
// first prediction; the small model is its only one, so nothing is pending.
func TestFirstVisitDigits(t *testing.T) {
	s, files := startHolding(t, "/data/digits/test-00-images.u8.gz")
	s.Open("?data=digits")
	Poll[bool](s, `(() => { const st = window.convplay.state; const p = st.prediction;
		return !!p && p.input.source === 'example' && st.modelSource && st.modelSource.preset === 'small'; })()`)
	assert.Nil(t, Eval[any](s, `window.convplay.state.modelPending`))
	assert.Contains(t, Eval[string](s, `document.getElementById('model-source').textContent`), "the pretrained small model for MNIST")
	files.release("/data/digits/test-00-images.u8.gz")
	Poll[bool](s, `(() => { const st = window.convplay.state; return st.input && st.input.source === 'gallery' && st.input.index === 0; })()`)
	assert.True(t, Eval[bool](s, `(async () => {
		const e = await fetch('examples/digits.json').then((r) => r.json());
		const sm = await window.convplay.client.request('getSample', {split: 'test', index: e.index});
		const img = Uint8Array.from(atob(e.image), (c) => c.charCodeAt(0));
		return e.label === 7 && sm.label === e.label && sm.image.every((v, i) => v === img[i]);
	})()`), "examples/digits.json is test image 0 of MNIST")
	require.Empty(t, s.Problems())
}

// TestFirstVisitReferenceMissing: a host without the reference model (a
// 404) leaves the small model in place, said plainly, and the error shown.
func TestFirstVisitReferenceMissing(t *testing.T) {
	serve := convplayServer(t)
	s := StartHandler(t, func(dir string) http.Handler {
		next := serve(dir)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == referenceFile {
				http.NotFound(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	s.Open("?lang=en")
	Poll[bool](s, `window.convplay.state.modelPending === null && window.convplay.state.modelSource?.preset === 'small' && !!window.convplay.state.prediction`)
	source := Poll[string](s, `(() => { const t = document.getElementById('model-source').textContent; return !t.includes('while') && t; })()`)
	assert.Equal(t, "Model: the pretrained small model for Fashion-MNIST (the reference model did not load: pretrained/reference-fashion.cpw: 404 Not Found).", source)
	Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
	assert.Contains(t, Eval[string](s, `document.getElementById('model-source').textContent`), "小模型（参考模型没有加载成功：pretrained/reference-fashion.cpw: 404 Not Found）")
	for _, p := range s.Problems() {
		assert.Contains(t, p, "reference-fashion.cpw", "the missing file is the only problem")
	}
}
