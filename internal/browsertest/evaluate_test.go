//go:build browser

package browsertest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pretrainedRecord reads the test figures `convplay train -meta` recorded
// for a pretrained model (pretrained/NAME.json).
func pretrainedRecord(t *testing.T, name string) (test, dedup struct{ Loss, Accuracy float64 }) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(filepath.Dir(WebDir(t)), "pretrained", name+".json"))
	require.NoError(t, err)
	var rec struct {
		Test      struct{ Loss, Accuracy float64 }
		TestDedup struct{ Loss, Accuracy float64 } `json:"test_deduplicated"`
	}
	require.NoError(t, json.Unmarshal(b, &rec))
	return rec.Test, rec.TestDedup
}

// evalRun presses #evaluate and waits (the evaluation runs in the engine's
// slices) until #test-result shows a fresh result.
func evalRun(t *testing.T, s *Session) {
	t.Helper()
	Poll[bool](s, `!document.getElementById('evaluate').disabled`)
	start := time.Now()
	Eval[bool](s, `document.getElementById('evaluate').click(), true`)
	v, err := chromedp.Run(s.Ctx, chromedp.Poll[bool](`(() => { const r = document.getElementById('test-result');
		return !document.getElementById('evaluate').disabled && !r.hidden && !r.dataset.stale && r.dataset.loss !== undefined; })()`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(80*time.Second)))
	require.NoError(t, err, "no result (status %q, problems %q)", Eval[string](s, `document.getElementById('eval-status').textContent`), s.Problems())
	require.True(t, v)
	t.Logf("evaluated %s test images in %v", Eval[string](s, `document.getElementById('test-result').dataset.samples`), time.Since(start).Round(10*time.Millisecond))
}

// TestEvaluateInThePage evaluates the pretrained small Fashion-MNIST model
// on the test split: #test-result has the figures the model's record
// (pretrained/small-fashion.json) holds, printed as Keras prints them; the
// confusion matrix counts every test image; a mistake's cell opens its
// images, and picking one makes it the input the network shows.
func TestEvaluateInThePage(t *testing.T) {
	want, wantDedup := pretrainedRecord(t, "small-fashion")
	s := Start(t)
	s.OpenReady("?model=small")
	require.Equal(t, "small", Eval[string](s, `window.convplay.state.modelSource.preset`))
	// The page stays live while the engine evaluates: a prediction is
	// answered before the evaluation's reply.
	Eval[bool](s, `document.getElementById('evaluate').click(), true`)
	assert.Contains(t, Poll[string](s, `document.getElementById('eval-status').textContent`), "Evaluating 10,000 test images")
	seen := Eval[map[string]any](s, `(async () => {
		const got = [];
		let bar = 0, text = '';
		const running = new Promise((resolve) => {
			const check = () => {
				const b = document.getElementById('eval-progress');
				if (!b.hidden && b.value > bar) {
					bar = b.value;
					text = document.getElementById('eval-status').textContent;
				}
				if (document.getElementById('evaluate').disabled) setTimeout(check, 10);
				else resolve('evaluate');
			};
			check();
		});
		const p = window.convplay.client.request('predict', {pixels: `+fixedInput+`}).then(() => 'predict');
		for (const x of [p, running]) x.then((name) => got.push(name));
		await Promise.all([p, running]);
		return {order: got, bar, text, hidden: document.getElementById('eval-progress').hidden};
	})()`)
	assert.Equal(t, []any{"predict", "evaluate"}, seen["order"])
	assert.Greater(t, seen["bar"], 0.0, "the engine's evaluating events move the progress bar")
	assert.Less(t, seen["bar"], 10000.0)
	assert.Regexp(t, `^Evaluating 10,000 test images… [\d,]+ done · \d+ s$`, seen["text"])
	assert.Equal(t, true, seen["hidden"], "the bar goes when the result comes")
	evalRun(t, s)

	loss := Eval[float64](s, `+document.getElementById('test-result').dataset.loss`)
	acc := Eval[float64](s, `+document.getElementById('test-result').dataset.accuracy`)
	assert.InDelta(t, want.Loss, loss, 1e-4)
	assert.InDelta(t, want.Accuracy, acc, 1e-4)
	assert.InDelta(t, wantDedup.Loss, Eval[float64](s, `+document.getElementById('test-result').dataset.dedupLoss`), 1e-4)
	assert.InDelta(t, wantDedup.Accuracy, Eval[float64](s, `+document.getElementById('test-result').dataset.dedupAccuracy`), 1e-4)
	assert.Equal(t, "[0.3000, 0.8940]", Eval[string](s, `document.querySelector('#test-result .eval-list').textContent`))
	assert.Equal(t, "test loss 0.3000 · test accuracy 89.40% · 10,000 images of Fashion-MNIST (2017 original release), 1,060 misclassified",
		Eval[string](s, `document.querySelector('#test-result .eval-words').textContent`))
	assert.Equal(t, "Without the 10 test images that also occur in the training data (the deduplicated figure for Fashion-MNIST (2017 original release)): [0.3000, 0.8940] on 9,990 images.",
		Eval[string](s, `document.querySelector('#test-result .eval-dedup').textContent`))
	assert.NotContains(t, Eval[string](s, `document.getElementById('eval-panel').textContent`), "official")

	// The matrix: 10 x 10 counts adding up to the test split, rows to 1,000 each.
	cells := Eval[[][]int](s, `[...document.querySelectorAll('#confusion tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => +td.dataset.count))`)
	require.Len(t, cells, 10)
	total, right := 0, 0
	for i, row := range cells {
		require.Len(t, row, 10)
		rowSum := 0
		for _, c := range row {
			rowSum += c
		}
		assert.Equal(t, 1000, rowSum, "row %d", i)
		total += rowSum
		right += row[i]
	}
	assert.Equal(t, 10000, total)
	assert.Equal(t, "10000", Eval[string](s, `document.getElementById('confusion').dataset.total`))
	assert.InDelta(t, acc, float64(right)/10000, 1e-12, "the diagonal is the accuracy")
	assert.Equal(t, []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"},
		Eval[[]string](s, `[...document.querySelectorAll('#confusion thead th.eval-col')].map((th) => th.textContent)`))
	// Per-class bars: each class's diagonal share.
	bars := Eval[[]float64](s, `[...document.querySelectorAll('#class-accuracy li')].map((li) => +li.dataset.accuracy)`)
	require.Len(t, bars, 10)
	for k := range bars {
		assert.InDelta(t, float64(cells[k][k])/1000, bars[k], 1e-12, "class %d", k)
	}
	// The lesson is read off this matrix: its most confused pair, with both counts.
	lesson := Eval[map[string]string](s, `Object.fromEntries([...document.querySelectorAll('#eval-lesson .eval-lesson-text [data-sentence]')].map((e) => [e.dataset.sentence, e.textContent]))`)
	pa, pb := 0, 1
	for a := range cells {
		for b := a + 1; b < len(cells); b++ {
			if cells[a][b]+cells[b][a] > cells[pa][pb]+cells[pb][pa] {
				pa, pb = a, b
			}
		}
	}
	if cells[pb][pa] > cells[pa][pb] {
		pa, pb = pb, pa
	}
	assert.Contains(t, lesson["eval.lesson.pair"], itoa(cells[pa][pb])+" ")
	assert.Contains(t, lesson["eval.lesson.pair"], "and "+itoa(cells[pb][pa])+" the other way")
	assert.Contains(t, lesson, "eval.lesson.worst")

	t.Run("a cell opens its misclassified images; picking one sets the input", func(t *testing.T) {
		n := cells[6][0] // shirts taken for T-shirts
		require.Positive(t, n)
		Eval[bool](s, `document.querySelector('#confusion td[data-truth="6"][data-pred="0"] button').click(), true`)
		Poll[bool](s, `document.querySelectorAll('#cell-images .eval-thumb[data-loaded]').length === `+itoa(min(n, 40)))
		assert.Equal(t, "True class Shirt, predicted T-shirt/top: "+itoa(n)+" images",
			Eval[string](s, `document.querySelector('#cell-images .eval-cell-head').textContent`))
		// Each shown image is a test shirt the engine misclassified as a T-shirt.
		check := Eval[map[string]any](s, `(async () => {
			const c = window.convplay;
			const ids = [...document.querySelectorAll('#cell-images .eval-thumb')].map((b) => +b.dataset.index);
			const r = c.views.evaluate.result();
			const wrong = new Set(r.misclassified);
			let labels = 0, predicted = 0;
			for (const index of ids) {
				const sm = await c.client.request('getSample', {split: 'test', index});
				if (sm.label === 6) labels++;
				const p = await c.client.request('predict', {pixels: sm.pixels});
				if (p.probs.indexOf(Math.max(...p.probs)) === 0) predicted++;
			}
			return {n: ids.length, labels, predicted, all: ids.every((i) => wrong.has(i))};
		})()`)
		assert.Equal(t, map[string]any{"n": float64(min(n, 40)), "labels": float64(min(n, 40)), "predicted": float64(min(n, 40)), "all": true}, check)
		if n > 40 {
			Eval[bool](s, `document.querySelector('#cell-images .eval-more').click(), true`)
			Poll[bool](s, `document.querySelectorAll('#cell-images .eval-thumb[data-loaded]').length === `+itoa(min(n, 80)))
		}
		s.ScreenshotOf("#eval-panel", "evaluate-cell")

		index := Eval[float64](s, `+document.querySelector('#cell-images .eval-thumb').dataset.index`)
		Eval[bool](s, `document.querySelector('#cell-images .eval-thumb').click(), true`)
		Poll[bool](s, `window.convplay.state.prediction && window.convplay.state.prediction.input.index === `+itoa(int(index)))
		in := Eval[map[string]any](s, `(async () => {
			const st = window.convplay.state;
			const sm = await window.convplay.client.request('getSample', {split: 'test', index: st.input.index});
			const p = st.prediction.probs;
			return {label: st.input.label, source: st.input.source, same: sm.pixels.every((v, i) => v === st.input.pixels[i]),
				image: st.input.image instanceof Uint8ClampedArray && st.input.image.length, top: p.indexOf(Math.max(...p))};
		})()`)
		assert.Equal(t, map[string]any{"label": 6.0, "source": "gallery", "same": true, "image": 784.0, "top": 0.0}, in,
			"the shirt is the input, and the network calls it a T-shirt/top")
	})

	t.Run("Chinese", func(t *testing.T) {
		Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'zh'; sel.dispatchEvent(new Event('change')); return true; })()`)
		Poll[bool](s, `document.querySelector('#test-result .eval-words').textContent.startsWith('测试损失')`)
		assert.Equal(t, "衬衫", Eval[string](s, `document.querySelector('#confusion tbody tr:nth-child(7) th').textContent`))
		assert.Contains(t, Eval[string](s, `document.querySelector('#eval-lesson .eval-lesson-text').textContent`), "衬衫")
		Eval[bool](s, `document.getElementById('eval-panel').scrollIntoView(), true`)
		s.ScreenshotOf("#eval-panel", "evaluate-zh")
		Eval[bool](s, `(() => { const sel = document.getElementById('lang'); sel.value = 'en'; sel.dispatchEvent(new Event('change')); return true; })()`)
	})

	t.Run("a model saved after its evaluation keeps its test accuracy", func(t *testing.T) {
		Eval[bool](s, `(() => { document.getElementById('save-name').value = 'evaluated'; document.getElementById('save').click(); return true; })()`)
		facts := Poll[string](s, `(() => { const li = [...document.querySelectorAll('#saved-list li')].find((li) => li.querySelector('.saved-name').textContent === 'evaluated');
			return li && li.querySelector('.saved-facts').textContent; })()`)
		assert.Regexp(t, ` · Fashion-MNIST \(2017 original release\) · test 89\.4% · `, facts)
	})

	t.Run("a changed model marks the result as old", func(t *testing.T) {
		require.True(t, s.Request("buildModel", `{preset: 'small', seed: 3}`).OK)
		Eval[bool](s, `window.convplay.ctx.setModel(window.convplay.state.model, {kind: 'preset', label: 'fresh'}), true`)
		Poll[bool](s, `document.getElementById('test-result').dataset.stale === '1' && !document.querySelector('#test-result .eval-stale').hidden`)
	})
	assert.Empty(t, s.Problems())
}
