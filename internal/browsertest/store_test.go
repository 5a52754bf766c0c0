//go:build browser

package browsertest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pattern is a fixed input of the 28x28x1 models, so predictions can be
// compared across page loads without loading data.
const pattern = `new Float32Array(784).map((_, i) => ((i * 37) % 11) / 5 - 1)`

func probsOfPattern(s *Session) []float64 {
	return Eval[[]float64](s, `window.convplay.client.request('predict', {pixels: `+pattern+`}).then((r) => [...r.probs])`)
}

// savedNames lists the names in the page's list of saved models.
func savedNames(s *Session) []string {
	return Eval[[]string](s, `[...document.querySelectorAll('#saved-list .saved-name')].map((e) => e.textContent)`)
}

// clickSaved presses a button (load, download, remove) of the saved model named name.
func clickSaved(t *testing.T, s *Session, name, action string) {
	t.Helper()
	require.True(t, Eval[bool](s, `(() => {
		const li = [...document.querySelectorAll('#saved-list li')].find((li) => li.querySelector('.saved-name').textContent === '`+name+`');
		if (!li) return false;
		li.querySelector('button[data-action=`+action+`]').click();
		return true;
	})()`), "no saved model %q in the list", name)
}

// waitSaved waits until the page lists n saved models.
func waitSaved(s *Session, n int) {
	Poll[bool](s, `window.convplay.state.store && window.convplay.state.savedList.length === `+itoa(n)+` &&
		document.querySelectorAll('#saved-list li').length === `+itoa(n))
}

// TestSavedModelsSurviveAReload saves a trained model in IndexedDB, reloads
// the page, loads it back with identical predictions, deletes another one,
// and after a second reload restores the saved model when the engine dies.
func TestSavedModelsSurviveAReload(t *testing.T) {
	s := Start(t)
	openWithData(t, s)
	assert.Equal(t, "No model saved in this browser yet.", Poll[string](s, `window.convplay.state.store && document.getElementById('store-note').textContent`))
	setInputs(s, map[string]string{"subset": "64", "epochs": "1", "batch": "32", "lr": "0.01"})
	Eval[bool](s, `document.getElementById('train').click(), true`)
	Poll[bool](s, `window.convplay.state.training.done !== null`)
	trained := probsOfPattern(s)

	setInputs(s, map[string]string{"save-name": "my small model"})
	Eval[bool](s, `document.getElementById('save').click(), true`)
	waitSaved(s, 1)
	assert.Equal(t, []string{"my small model"}, savedNames(s))
	assert.Equal(t, "Saved “my small model” in this browser (it stays when the page closes) and as a download.",
		Eval[string](s, `document.getElementById('save-note').textContent`))
	assert.False(t, Eval[bool](s, `document.getElementById('download').hidden`), "offered as a download too")
	assert.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d · Fashion-MNIST \(2017 original release\) · training accuracy \d+\.\d\d% · validation \d+\.\d\d% · [\d,]+ bytes$`,
		Eval[string](s, `document.querySelector('#saved-list .saved-facts').textContent`))
	assert.Equal(t, "Conv2D(8) → MaxPooling2D → Conv2D(16) → MaxPooling2D → Flatten → Dense(10) · 5,258 parameters",
		Eval[string](s, `document.querySelector('#saved-list .saved-arch').textContent`))
	assert.True(t, Eval[bool](s, `(async () => {
		const c = window.convplay;
		const stored = await c.state.store.bytes(c.state.savedList[0].id);
		const now = (await c.client.request('exportWeights')).bytes;
		return stored.length === now.length && stored.every((b, i) => b === now[i]);
	})()`), "the store holds the model's .cpw file")
	// The list's Download button offers the stored file under the model's name.
	download := Eval[map[string]any](s, `(async () => {
		const c = window.convplay;
		const click = HTMLAnchorElement.prototype.click;
		const createObjectURL = URL.createObjectURL;
		let blob = null;
		URL.createObjectURL = (b) => { blob = b; return createObjectURL(b); };
		const got = new Promise((resolve) => {
			HTMLAnchorElement.prototype.click = function () { resolve({name: this.download, blob}); };
		});
		document.querySelector('#saved-list button[data-action=download]').click();
		const r = await got;
		Object.assign(HTMLAnchorElement.prototype, {click});
		URL.createObjectURL = createObjectURL;
		return {name: r.name, size: r.blob.size, want: c.state.savedList[0].size};
	})()`)
	assert.Equal(t, "my-small-model.cpw", download["name"])
	assert.Equal(t, download["want"], download["size"])

	t.Run("after a reload, the saved model loads with identical predictions", func(t *testing.T) {
		s.Open("")
		require.Equal(t, "ready", s.WaitEngine())
		Poll[bool](s, `document.getElementById('model-note').dataset.i18n === 'model.small'`)
		waitSaved(s, 1)
		assert.Equal(t, "1 saved in this browser, newest first:", Eval[string](s, `document.getElementById('store-note').textContent`))
		assert.NotEqual(t, trained, probsOfPattern(s), "the page starts with a fresh model")
		clickSaved(t, s, "my small model", "load")
		note := Poll[string](s, `document.getElementById('model-note').dataset.i18n === 'model.stored' && document.getElementById('model-note').textContent`)
		assert.Regexp(t, `^The saved model “my small model” \(\d{4}-\d\d-\d\d \d\d:\d\d\), loaded from this browser:$`, note)
		assert.Equal(t, trained, probsOfPattern(s))
	})

	t.Run("delete", func(t *testing.T) {
		setInputs(s, map[string]string{"save-name": "second"})
		Eval[bool](s, `document.getElementById('save').click(), true`)
		waitSaved(s, 2)
		assert.Equal(t, []string{"second", "my small model"}, savedNames(s), "newest first")
		clickSaved(t, s, "second", "remove")
		waitSaved(s, 1)
		assert.Equal(t, []string{"my small model"}, savedNames(s))
		assert.Equal(t, "Deleted “second” from this browser.", Eval[string](s, `document.getElementById('save-note').textContent`))
	})

	t.Run("after another reload, a dead engine restarts with the saved model", func(t *testing.T) {
		s.Open("")
		require.Equal(t, "ready", s.WaitEngine())
		Poll[bool](s, `document.getElementById('model-note').dataset.i18n === 'model.small'`)
		waitSaved(s, 1)
		assert.Equal(t, []string{"my small model"}, savedNames(s), "the deletion was kept")
		r := s.Request("debugExit", `{code: 3}`)
		assert.Equal(t, "the engine stopped: the engine exited (code 3)", r.Error)
		Poll[bool](s, `window.convplay.state.restarts === 1 && document.body.dataset.engine === 'ready' && window.convplay.state.restored && !window.convplay.state.restoring`)
		assert.Regexp(t, `^The engine restarted; the model is restored from the saved model “my small model” \(\d{4}-\d\d-\d\d \d\d:\d\d\) in this browser:$`,
			Eval[string](s, `document.getElementById('model-note').textContent`))
		assert.Equal(t, trained, probsOfPattern(s))
		s.Screenshot("saved-models")
	})
	assert.Empty(t, s.Problems())
}
