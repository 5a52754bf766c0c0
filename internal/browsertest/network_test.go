//go:build browser

package browsertest

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// netLayer is one layer as the strip shows it and as the engine describes it.
type netLayer struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Shape    string `json:"shape"`
	Params   string `json:"params"`
	Thumbs   int    `json:"thumbs"`
	EngShape []int  `json:"engShape"`
	EngParms int    `json:"engParams"`
}

// showTestImage makes test image index the page's current input, as the
// gallery does, and waits for its prediction.
func showTestImage(t *testing.T, s *Session, index int) {
	t.Helper()
	Eval[bool](s, `(async () => {
		const ctx = window.convplay.ctx;
		const r = await ctx.request('getSample', {split: 'test', index: `+itoa(index)+`});
		ctx.setInput({pixels: r.pixels, image: r.image, source: 'gallery', label: r.label, index: `+itoa(index)+`});
		return true;
	})()`)
	Poll[bool](s, `(() => { const p = window.convplay.state.prediction;
		return !!p && p.input === window.convplay.state.input && p.input.index === `+itoa(index)+`; })()`)
}

// useReferenceModel loads the pretrained reference model (web/pretrained) into the engine and the page.
func useReferenceModel(t *testing.T, s *Session) {
	t.Helper()
	Eval[bool](s, `(async () => {
		const ctx = window.convplay.ctx;
		const bytes = new Uint8Array(await (await fetch('pretrained/reference-fashion.cpw')).arrayBuffer());
		const model = await ctx.request('loadWeights', {bytes, build: true});
		ctx.setModel(model, {kind: 'file', label: 'reference-fashion.cpw'});
		return true;
	})()`)
}

// elementShot saves a PNG of the element sel into the session's screenshot
// folder and returns its path.
func elementShot(t *testing.T, s *Session, name, sel string) string {
	t.Helper()
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.ScrollIntoView(chromedp.CSS(sel))))
	png, err := chromedp.Run(s.Ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	require.NoError(t, err)
	if s.shots == "" {
		dir, err := os.MkdirTemp("", "convplay-screenshots-")
		require.NoError(t, err)
		s.shots = dir
	}
	path := filepath.Join(s.shots, name+".png")
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot: %s", path)
	return path
}

func setViewport(t *testing.T, s *Session, w, h int64) {
	t.Helper()
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.EmulateViewport(w, h)))
}

func TestNetworkStrip(t *testing.T) {
	s := Start(t)
	setViewport(t, s, 1280, 900)
	s.OpenReady("")
	useReferenceModel(t, s)
	Poll[bool](s, `window.convplay.state.model.totalParams === 435306`)
	showTestImage(t, s, 0)

	// One card per model layer, with the engine's shapes and parameter counts.
	Poll[bool](s, `document.querySelectorAll('#layers > li').length === 12 &&
		document.querySelector('#layers > li .net-thumbs canvas') !== null`)
	raw := Eval[string](s, `JSON.stringify([...document.querySelectorAll('#layers > li')].map((li, i) => {
		const l = window.convplay.state.model.layers[i];
		return {name: li.dataset.name, type: li.dataset.type, shape: li.querySelector('.net-shape').textContent,
			params: li.querySelector('.net-params').textContent, thumbs: li.querySelectorAll('.net-thumbs canvas').length,
			engShape: l.outShape, engParams: l.params};
	}))`)
	var strip []netLayer
	require.NoError(t, json.Unmarshal([]byte(raw), &strip))
	require.Len(t, strip, 12)
	wantShapes := []string{"28×28×32", "28×28×32", "14×14×32", "14×14×64", "14×14×64", "7×7×64", "7×7×128", "7×7×128", "3×3×128", "1,152", "128", "10"}
	wantParams := []string{"320", "9,248", "0", "18,496", "36,928", "0", "73,856", "147,584", "0", "0", "147,584", "1,290"}
	for i, l := range strip {
		assert.Equal(t, wantShapes[i], l.Shape, l.Name)
		assert.Equal(t, wantParams[i]+" params", l.Params, l.Name)
		if len(l.EngShape) == 3 {
			assert.Equal(t, 6, l.Thumbs, "%s: the first six maps", l.Name)
		} else {
			assert.Equal(t, 1, l.Thumbs, "%s: one strip of values", l.Name)
		}
	}
	assert.Equal(t, "conv2d", strip[0].Name)
	Poll[bool](s, `document.querySelector('#layers > li[data-layer="0"] .net-conf').textContent === '3×3 · same · relu'`)
	assert.Equal(t, "2×2", Eval[string](s, `document.querySelector('#layers > li[data-layer="2"] .net-conf').textContent`))
	assert.Equal(t, "softmax", Eval[string](s, `document.querySelector('#layers > li[data-layer="11"] .net-conf').textContent`))
	assert.Equal(t, "+26 more", Eval[string](s, `document.querySelector('#layers > li[data-layer="0"] .net-more').textContent`))

	// Clicking a conv layer opens it and puts it in the URL; its filters
	// (one image per filter) sit beside its maps.
	Eval[bool](s, `document.querySelector('#layers > li[data-layer="1"] button').click(), true`)
	Poll[bool](s, `!document.getElementById('layer-detail').hidden && document.querySelectorAll('#layer-detail canvas.filter').length === 32`)
	assert.Equal(t, "conv2d_1", Eval[string](s, `new URLSearchParams(location.search).get('layer')`))
	assert.Equal(t, 32, Eval[int](s, `document.querySelectorAll('#layer-detail canvas.big').length`))
	assert.Equal(t, "true", Eval[string](s, `document.querySelector('#layers > li[data-layer="1"] button').getAttribute('aria-expanded')`))
	// 32 input channels: each filter image holds 32 slices of 3x3 in a 6x6 grid with 1-pixel gaps.
	assert.Equal(t, []int{23, 23}, Eval[[]int](s, `(() => { const c = document.querySelector('#layer-detail canvas.filter'); return [c.width, c.height]; })()`))
	// The filter's weights are the engine's.
	same := Eval[bool](s, `(async () => {
		const f = await window.convplay.client.request('getFilters', {layer: 1});
		const t = document.querySelector('#layer-detail canvas.filter[data-filter="0"]').title;
		return f.kernelShape.join() === '3,3,32,32' && t.includes('3×3');
	})()`)
	assert.True(t, same)
	elementShot(t, s, "network-conv2d_1", "#network-panel")

	// The colour-scale switch changes the legend.
	legend := func() string {
		return Eval[string](s, `document.querySelector('#layer-detail .net-legend').dataset.scale + '|' + document.querySelector('#layer-detail .net-legend-text').textContent`)
	}
	before := legend()
	assert.True(t, strings.HasPrefix(before, "layer|"), before)
	Eval[bool](s, `document.querySelector('input[name="net-scale"][value="map"]').click(), true`)
	perMap := legend()
	assert.True(t, strings.HasPrefix(perMap, "map|"), perMap)
	assert.NotEqual(t, before, perMap)
	Eval[bool](s, `document.querySelector('input[name="net-scale"][value="global"]').click(), true`)
	global := legend()
	assert.True(t, strings.HasPrefix(global, "global|"), global)
	assert.NotEqual(t, perMap, global)
	assert.Equal(t, "global", Eval[string](s, `new URLSearchParams(location.search).get('scale')`))

	// The first conv layer: one input channel, each filter one 3x3 image
	// whose title lists its nine weights.
	Eval[bool](s, `document.querySelector('#layers > li[data-layer="0"] button').click(), true`)
	Poll[bool](s, `document.getElementById('layer-detail').dataset.name === 'conv2d' && document.querySelectorAll('#layer-detail canvas.filter').length === 32 &&
		document.querySelector('#layer-detail canvas.filter').width === 3`)
	title := Eval[string](s, `document.querySelector('#layer-detail canvas.filter').title`)
	assert.Len(t, strings.Split(title, "\n"), 4, title)

	// The dense output layer: one bar per class, the engine's probabilities.
	Eval[bool](s, `document.querySelector('#layers > li[data-layer="11"] button').click(), true`)
	Poll[bool](s, `document.querySelectorAll('#layer-detail .net-bar-item').length === 10`)
	elementShot(t, s, "network-dense", "#network-panel")

	// A pooling layer, reached with the arrow keys and opened with Enter.
	Eval[bool](s, `document.querySelector('#layers > li[data-layer="0"] button').focus(), true`)
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight)))
	assert.Equal(t, "2", Eval[string](s, `document.activeElement.closest('li').dataset.layer`))
	require.NoError(t, chromedp.Do(s.Ctx, chromedp.KeyEvent("\r")))
	Poll[bool](s, `document.getElementById('layer-detail').dataset.name === 'max_pooling2d'`)
	assert.Equal(t, 32, Eval[int](s, `document.querySelectorAll('#layer-detail canvas.big').length`))
	assert.Equal(t, 0, Eval[int](s, `document.querySelectorAll('#layer-detail canvas.filter').length`))

	// Chinese: the labels change.
	Eval[bool](s, `window.convplay.ctx.setLang('zh'), true`)
	Poll[bool](s, `document.querySelector('#network-panel h2').textContent.includes('网络')`)
	assert.Contains(t, Eval[string](s, `document.querySelector('#layers > li .net-params').textContent`), "个参数")

	setViewport(t, s, 390, 844)
	Poll[bool](s, `document.querySelector('.net-strip-wrap').scrollWidth > document.querySelector('.net-strip-wrap').clientWidth`)
	elementShot(t, s, "network-phone", "#network-panel")
	assert.Empty(t, s.Problems())
}

func TestNetworkURLRestoresLayer(t *testing.T) {
	s := Start(t)
	s.OpenReady("?layer=conv2d_2")
	showTestImage(t, s, 1)
	Poll[bool](s, `!document.getElementById('layer-detail').hidden && document.getElementById('layer-detail').dataset.name === 'conv2d_2'`)
	Poll[bool](s, `document.querySelectorAll('#layer-detail canvas.filter').length === 64`)
	assert.True(t, Eval[bool](s, `document.querySelector('#layers > li[data-name="conv2d_2"]').classList.contains('selected')`))
	assert.Empty(t, s.Problems())
}

func TestShapesReference(t *testing.T) {
	s := Start(t)
	setViewport(t, s, 1280, 900)
	s.OpenReady("")
	// The reference model, built by the engine from its preset.
	Eval[bool](s, `(async () => {
		const ctx = window.convplay.ctx;
		const model = await ctx.request('buildModel', {preset: 'reference'});
		ctx.setModel(model, {kind: 'preset', label: 'reference'});
		return true;
	})()`)
	Poll[bool](s, `document.querySelectorAll('#shapes-panel .shapes-sizes tbody tr[data-layer]').length === 12`)
	out := func(name string) string {
		return Eval[string](s, `document.querySelector('#shapes-panel .shapes-sizes tr[data-name="`+name+`"]').dataset.out`)
	}
	formula := func(name string) string {
		return Eval[string](s, `document.querySelector('#shapes-panel .shapes-sizes tr[data-name="`+name+`"] td.formula').textContent`)
	}
	assert.Equal(t, "28", out("conv2d"))
	assert.Equal(t, "floor((28 + 2·1 − 3) / 1) + 1 = 27 + 1 = 28", formula("conv2d"))
	assert.Equal(t, "14", out("max_pooling2d"))
	assert.Equal(t, "floor((28 + 2·0 − 2) / 2) + 1 = floor(13) + 1 = 14", formula("max_pooling2d"))
	assert.Equal(t, "7", out("max_pooling2d_1"))
	assert.Equal(t, "3", out("max_pooling2d_2"))
	assert.Equal(t, "floor((7 + 2·0 − 2) / 2) + 1 = floor(2.5) + 1 = 3", formula("max_pooling2d_2"))
	assert.Equal(t, "1152", out("flatten"))
	assert.Equal(t, "3·3·128 = 1,152", formula("flatten"))
	assert.Equal(t, "435306", Eval[string](s, `document.querySelector('#shapes-panel [data-total]').dataset.total`))
	assert.Equal(t, "435,306", Eval[string](s, `document.querySelector('#shapes-panel [data-total]').textContent`))
	params := Eval[string](s, `document.querySelector('#shapes-panel .shapes-params tr[data-name="conv2d_2"] td.formula').textContent`)
	assert.Equal(t, "(3·3·32 + 1)·64 = 18,496", params)
	dense := Eval[string](s, `document.querySelector('#shapes-panel .shapes-params tr[data-name="dense"] td.formula').textContent`)
	assert.Equal(t, "(1,152 + 1)·128 = 147,584", dense)
	assert.Contains(t, Eval[string](s, `document.querySelector('#shapes-panel .shapes-summary').textContent`), "Total params: 435,306")
	share := Eval[string](s, `document.querySelector('#shapes-panel .shapes-share-text').textContent`)
	assert.Contains(t, share, "29,275,904 multiply-adds")
	assert.Contains(t, share, "dense, the dense layer right after Flatten, alone holds 147,584 parameters (33.9%)")
	double := Eval[string](s, `document.querySelector('#shapes-panel .shapes-double-text').textContent`)
	assert.Contains(t, double, "conv2d_1 gives 784 positions × 32 channels = 25,088 numbers")
	assert.Contains(t, double, "makes 64 channels instead of 32")
	elementShot(t, s, "shapes", "#shapes-panel")

	Eval[bool](s, `window.convplay.ctx.setLang('zh'), true`)
	Poll[bool](s, `document.querySelector('#shapes-panel h2').textContent.startsWith('形状')`)
	assert.Contains(t, Eval[string](s, `document.querySelector('#shapes-panel .shapes-double-text').textContent`), "池化")
	setViewport(t, s, 390, 844)
	elementShot(t, s, "shapes-phone", "#shapes-panel")
	assert.Empty(t, s.Problems())
}

func TestDenseEnd(t *testing.T) {
	s := Start(t)
	setViewport(t, s, 1280, 900)
	s.OpenReady("")
	showTestImage(t, s, 0)
	Poll[bool](s, `document.querySelectorAll('#dense-probs tr[data-class]').length === 10`)
	// The flattened line holds the engine's 1152 values.
	assert.Equal(t, "1152", Eval[string](s, `document.querySelector('#dense-panel canvas.dense-flat').dataset.values`))
	assert.Equal(t, []int{128, 9}, Eval[[]int](s, `(() => { const c = document.querySelector('#dense-panel canvas.dense-flat'); return [c.width, c.height]; })()`))
	// The dense view's probabilities are #prediction's, and the engine's.
	Poll[bool](s, `document.querySelectorAll('#prediction [data-class]').length === 10`)
	got := Eval[[]float64](s, `[...document.querySelectorAll('#dense-probs tr[data-class]')].map((tr) => Number(tr.dataset.prob))`)
	shown := Eval[[]float64](s, `[...document.querySelectorAll('#prediction [data-class]')].sort((a, b) => a.dataset.class - b.dataset.class).map((li) => Number(li.dataset.prob))`)
	engine := Eval[[]float64](s, `[...window.convplay.state.prediction.probs]`)
	require.Len(t, got, 10)
	require.Len(t, shown, 10)
	for k := range got {
		assert.InDelta(t, engine[k], got[k], 1e-7, "class %d", k)
		assert.InDelta(t, shown[k], got[k], 5.1e-5, "class %d: #prediction rounds to 4 decimals", k)
	}
	top := Eval[string](s, `document.querySelector('#dense-probs tr.top').dataset.class`)
	assert.Equal(t, Eval[string](s, `document.getElementById('prediction').dataset.top`), top)
	// The scores are the engine's logits: their softmax is the probabilities.
	scores := Eval[[]float64](s, `[...document.querySelectorAll('#dense-probs tr[data-class]')].map((tr) => Number(tr.dataset.score))`)
	var sum float64
	for _, z := range scores {
		sum += math.Exp(z)
	}
	for k, z := range scores {
		assert.InDelta(t, got[k], math.Exp(z)/sum, 1e-5, "softmax of class %d", k)
	}
	// A new input: new scores.
	showTestImage(t, s, 1)
	Poll[bool](s, `(() => { const tr = document.querySelector('#dense-probs tr.top');
		return tr && Math.abs(Number(document.querySelector('#dense-probs tr[data-class="' + tr.dataset.class + '"]').dataset.prob) -
			window.convplay.state.prediction.probs[Number(tr.dataset.class)]) < 1e-7; })()`)
	elementShot(t, s, "dense", "#dense-panel")
	Eval[bool](s, `window.convplay.ctx.setLang('zh'), true`)
	Poll[bool](s, `document.querySelector('#dense-panel h3').textContent.includes('展平')`)
	setViewport(t, s, 390, 844)
	elementShot(t, s, "dense-phone", "#dense-panel")
	assert.Empty(t, s.Problems())
}

// TestNetworkFiltersFollowTraining: while the model trains, the open conv
// layer's filters are fetched again (the core's weights event) and drawn
// from the new weights.
func TestNetworkFiltersFollowTraining(t *testing.T) {
	s := Start(t)
	s.OpenReady("?layer=conv2d")
	showTestImage(t, s, 2)
	Poll[bool](s, `document.querySelectorAll('#layer-detail canvas.filter').length === 32 && !!window.convplay.views.network.filters`)
	before := Eval[float64](s, `window.convplay.views.network.filters.kernel[0]`)
	title := Eval[string](s, `document.querySelector('#layer-detail canvas.filter').title`)
	r := s.Request("train", `{optimizer: {name: 'sgd', learning_rate: 0.5}, epochs: 1, subset: 64, batchSize: 32, validation: false, checkpoint: false}`)
	require.True(t, r.OK, r.Error)
	Poll[bool](s, `(async () => {
		const f = await window.convplay.client.request('getFilters', {layer: 0});
		const shown = window.convplay.views.network.filters;
		return shown.kernel[0] === f.kernel[0] && shown.kernel[0] !== `+strconv.FormatFloat(before, 'g', -1, 64)+`;
	})()`)
	Poll[bool](s, `document.querySelector('#layer-detail canvas.filter').title !== `+strconv.Quote(title))
	assert.Empty(t, s.Problems())
}

// TestNetworkViewsDigits: the small digits model (valid padding, no hidden
// dense layer) in the three views.
func TestNetworkViewsDigits(t *testing.T) {
	s := Start(t)
	setViewport(t, s, 1280, 900)
	s.OpenReady("?data=digits&layer=conv2d_1")
	showTestImage(t, s, 0)
	Poll[bool](s, `document.querySelectorAll('#layers > li').length === 6 && document.querySelectorAll('#layer-detail canvas.filter').length === 16`)
	// 8 input channels: each filter shows 8 slices of 3x3 in a 3x3 grid.
	assert.Equal(t, []int{11, 11}, Eval[[]int](s, `(() => { const c = document.querySelector('#layer-detail canvas.filter'); return [c.width, c.height]; })()`))
	Poll[bool](s, `document.querySelectorAll('#shapes-panel .shapes-sizes tr[data-layer]').length === 6`)
	outs := Eval[[]string](s, `[...document.querySelectorAll('#shapes-panel .shapes-sizes tr[data-layer]')].map((tr) => tr.dataset.out)`)
	assert.Equal(t, []string{"26", "13", "11", "5", "400", "10"}, outs)
	assert.Equal(t, "floor((11 + 2·0 − 2) / 2) + 1 = floor(4.5) + 1 = 5",
		Eval[string](s, `document.querySelector('#shapes-panel .shapes-sizes tr[data-layer="3"] td.formula').textContent`))
	assert.Equal(t, "5258", Eval[string](s, `document.querySelector('#shapes-panel [data-total]').dataset.total`))
	Poll[bool](s, `document.querySelectorAll('#dense-probs tr[data-class]').length === 10`)
	assert.Equal(t, []int{16, 25}, Eval[[]int](s, `(() => { const c = document.querySelector('#dense-panel canvas.dense-flat'); return [c.width, c.height]; })()`))
	assert.Equal(t, 0, Eval[int](s, `document.querySelectorAll('#dense-panel .dense-units').length`), "no hidden dense layer")
	elementShot(t, s, "digits-network", "#network-panel")
	elementShot(t, s, "digits-dense", "#dense-panel")
	assert.Empty(t, s.Problems())
}
