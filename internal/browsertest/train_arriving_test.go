//go:build browser

package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// throttle makes the tab's network a link of mbits Mbit/s each way with
// latency ms of latency (Chromium's network emulation, as DevTools' own
// throttling): for the page and its workers.
func throttle(s *Session, mbits, latencyMs float64) {
	s.t.Helper()
	bytesPerSec := mbits * 1e6 / 8
	_, err := chromedp.Run(s.Ctx, func(ctx context.Context, target *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, target, network.Enable, network.EnableParams{}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, target, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Latency: latencyMs, DownloadThroughput: bytesPerSec, UploadThroughput: bytesPerSec}},
		})
		return chromedp.Void{}, err
	})
	require.NoError(s.t, err, "network emulation")
}

// TestTrainOnArrivingData: on a cold visit over a 10 Mbit/s link, one press
// of Start as soon as the panel takes it trains on the images that have
// arrived, says how many of how many (in English and Chinese), and the run
// grows to the whole training set as the rest arrives. It logs the time
// from the press to the first batch (BENCHMARKS.md, data on a slow link).
func TestTrainOnArrivingData(t *testing.T) {
	s := Start(t)
	throttle(s, 10, 40)
	s.Open("")
	Poll[bool](s, `!!(window.convplay && window.convplay.views && window.convplay.views.train && window.convplay.ctx) && !document.querySelector('#train-start').disabled`)
	Eval[bool](s, `(() => {
		window.convplay.views.train.set({model: 'small', continueWeights: false, epochs: 3, subset: 0, validation: true});
		window.__firstBatch = 0;
		window.convplay.ctx.on('progress', () => { if (!window.__firstBatch) window.__firstBatch = performance.now(); });
		window.__pressed = performance.now();
		document.querySelector('#train-start').click();
		return true; })()`)
	// The run starts before the data set is complete and says so.
	first := pollFor[map[string]any](s, `(() => { const e = document.querySelector('#train-data');
		return !e.hidden && e.dataset.samples && {n: +e.dataset.samples, all: +e.dataset.samplesAll, text: e.textContent,
			complete: window.convplay.state.dataset.complete, firstBatch: window.__firstBatch && window.__firstBatch - window.__pressed}; })()`, 60*time.Second)
	n, all := first["n"].(float64), first["all"].(float64)
	assert.Equal(t, 55000.0, all)
	assert.Greater(t, n, 0.0)
	assert.Less(t, n, all, "the run began on part of the data")
	assert.Equal(t, false, first["complete"])
	assert.Regexp(t, `^Training on [\d,]+ of 55,000 images; the rest is arriving`, first["text"])
	Eval[bool](s, `(window.convplay.ctx.setLang('zh'), true)`)
	zh := Eval[string](s, `document.querySelector('#train-data').textContent`)
	assert.Contains(t, zh, "55,000 张图像中的")
	assert.Contains(t, zh, "其余图像正在传来")
	Eval[bool](s, `(window.convplay.ctx.setLang('en'), true)`)

	firstBatch := pollFor[float64](s, `window.__firstBatch && window.__firstBatch - window.__pressed`, 60*time.Second)
	t.Logf("10 Mbit/s, 40 ms, cold: Start pressed %.0f ms after navigation start; first batch %.0f ms after the press, on %v of %v training images",
		Eval[float64](s, `window.__pressed`), firstBatch, n, all)

	// It grows: more images join while the run goes on, then all of them.
	grown := pollFor[float64](s, `(() => { const e = document.querySelector('#train-data');
		return +e.dataset.samples > `+fmt.Sprint(n)+` && +e.dataset.samples; })()`, 90*time.Second)
	assert.Greater(t, grown, n)
	done := pollFor[string](s, `(() => { const e = document.querySelector('#train-data');
		return e.dataset.samples === '55000' && e.textContent; })()`, 3*time.Minute)
	assert.Equal(t, "All 55,000 training images have arrived: the training uses them all.", strings.TrimSpace(done))
	assert.True(t, Eval[bool](s, `window.convplay.state.dataset.complete`))
	assert.True(t, Eval[bool](s, `window.convplay.state.training`), "the same run, still going")
	assert.Equal(t, "55000", Eval[string](s, `document.querySelector('#train-data').dataset.samplesAll`))
	s.ScreenshotOf("#train-panel", "train-arriving-data")
	click(s, `#train-stop`)
	assert.Equal(t, "stopped", pollFor[string](s, `document.querySelector('#train-result').dataset.reason || ''`, 60*time.Second))
	assert.Empty(t, s.Problems())
}
