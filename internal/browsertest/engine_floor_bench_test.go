//go:build browser

package browsertest

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// floorPage is a page with nothing but the engine: it downloads the engine
// as the playground does (preloaded, the page's bytes posted to the
// worker), loads the small model and predicts once, marking each step.
const floorPage = `<!doctype html>
<meta charset="utf-8">
<title>the engine alone</title>
<link rel="icon" href="data:,">
<script type="module" src="bench-floor.js"></script>
<link rel="preload" href="convplay.wasm" as="fetch" type="application/wasm" crossorigin>
`

const floorScript = `import { downloadEngine, startWorker, WORKER_URL } from './protocol.js';
const mark = (name) => performance.mark('floor:' + name);
mark('script');
const engine = downloadEngine();
engine.then(() => mark('engine downloaded'));
const model = fetch('pretrained/small-fashion.cpw').then((r) => r.arrayBuffer());
const worker = startWorker(WORKER_URL, engine);
const send = (id, type, args, buffer) => worker.postMessage({ ...args, id, type }, [buffer]);
worker.onmessage = async (e) => {
  const m = e.data || {};
  if (m.event === 'ready') {
    mark('engine ready');
    const bytes = new Uint8Array(await model);
    send(1, 'loadWeights', { bytes, build: true }, bytes.buffer);
  } else if (m.id && !m.ok) {
    mark('error: ' + m.error);
  } else if (m.id === 1) {
    mark('model loaded');
    const pixels = new Float32Array(28 * 28);
    send(2, 'predict', { pixels }, pixels.buffer);
  } else if (m.id === 2) {
    mark('first prediction');
  }
};
`

// floorSteps are floorPage's marks, in order.
var floorSteps = []string{"script", "engine downloaded", "engine ready", "model loaded", "first prediction"}

// TestBenchEngineFloor measures what the engine alone costs a cold visit
// in this browser on this machine: floorPage (one module, the engine, the
// small model, one prediction, no views), against the playground's first
// prediction, each in fresh browsers at rest, in turn, on loopback and at
// 10 Mbit/s with 40 ms of latency (TestBenchFirstVisit's links). The
// difference is what the page itself adds; the floor is what no change to
// web/ short of a smaller or faster engine can go below. It only runs
// under CONVPLAY_BENCH=1 and asserts nothing about time.
func TestBenchEngineFloor(t *testing.T) {
	if os.Getenv("CONVPLAY_BENCH") == "" {
		t.Skip("a benchmark: run with CONVPLAY_BENCH=1 (make bench-browser)")
	}
	withFloor := func(dir string) http.Handler {
		site := convplayServer(t)(dir)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, kind := "", ""
			switch r.URL.Path {
			case "/bench-floor.html":
				body, kind = floorPage, "text/html; charset=utf-8"
			case "/bench-floor.js":
				body, kind = floorScript, "text/javascript; charset=utf-8"
			default:
				site.ServeHTTP(cachedFor(w, time.Hour), r)
				return
			}
			// The isolation headers internal/webserver sets on every response, so the
			// engine's worker runs cross-origin isolated as in the playground.
			w.Header().Set("Content-Type", kind)
			w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
			w.Header().Set("Cross-Origin-Embedder-Policy", "require-corp")
			w.Header().Set("Cross-Origin-Resource-Policy", "same-origin")
			w.Header().Set("Cache-Control", "max-age=3600")
			fmt.Fprint(w, body)
		})
	}
	rounds := benchRounds(t)
	var table strings.Builder
	table.WriteString("\n| link (40 ms latency) | | " + strings.Join(floorSteps, " | ") + " |\n|---|---" + strings.Repeat("|---", len(floorSteps)) + "|")
	for _, l := range []link{firstVisitLinks[0], firstVisitLinks[2]} { // loopback, 10 Mbit/s
		t.Run(l.name, func(t *testing.T) {
			steps, second := map[string][]float64{}, map[string][]float64{}
			var page []float64
			for r := range rounds {
				// Each page in a browser of its own, closed before the next starts.
				t.Run(fmt.Sprintf("round %d/the engine alone", r+1), func(t *testing.T) {
					s := emulateLink(startHandler(t, withFloor, 5*time.Minute), l)
					restOnBlank(s.Session)
					t.Logf("marks:%s", visitFloor(t, s.Session, steps))
					if l.mbit > 0 {
						return // the second visit asks the network nothing: once is enough
					}
					// The same page again in the same browser: every file fresh in the HTTP
					// cache (cachedFor), so no request at all, under any link.
					restOnBlank(s.Session)
					line := visitFloor(t, s.Session, second)
					if n := Eval[int](s.Session, `performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).filter((e) => e.transferSize > 0).length`); n > 0 {
						t.Fatalf("the second visit made %d requests: not the floor it measures", n)
					}
					t.Logf("second visit marks:%s", line)
				})
				t.Run(fmt.Sprintf("round %d/the playground", r+1), func(t *testing.T) {
					p := emulateLink(startHandler(t, convplayServer(t), 5*time.Minute), l)
					restOnBlank(p.Session)
					p.Open("")
					page = append(page, firstPrediction(p.Session)/1000)
					t.Logf("first prediction at %.0f ms (marks: %s)", page[len(page)-1]*1000, marks(p.Session))
				})
			}
			fmt.Fprintf(&table, "\n| %s | the engine alone |", l.name)
			for _, step := range floorSteps {
				table.WriteString(" " + medianRange(steps[step], "s") + " |")
			}
			fmt.Fprintf(&table, "\n| %s | the playground |%s %s |", l.name, strings.Repeat(" |", len(floorSteps)-1), medianRange(page, "s"))
			if len(second) > 0 {
				table.WriteString("\n| any | the engine alone, second visit (no request) |")
				for _, step := range floorSteps {
					table.WriteString(" " + medianRange(second[step], "s") + " |")
				}
			}
		})
	}
	t.Logf("a cold visit, the browser at rest first; median (range) of %d fresh browsers each, the engine alone and the playground in turn:%s", rounds, table.String())
}

// cachedFor lets the browser keep every response of the bare page fresh for
// age, so its second visit is answered by the HTTP cache without a request
// (the playground's own files are revalidated, no-cache, or come from its
// service worker): the floor of a second visit, no link in it.
func cachedFor(w http.ResponseWriter, age time.Duration) http.ResponseWriter {
	return &cacheHeader{ResponseWriter: w, value: fmt.Sprintf("max-age=%d", int(age.Seconds()))}
}

type cacheHeader struct {
	http.ResponseWriter
	value string
}

func (c *cacheHeader) WriteHeader(code int) {
	c.Header().Set("Cache-Control", c.value)
	c.ResponseWriter.WriteHeader(code)
}

func (c *cacheHeader) Write(b []byte) (int, error) {
	c.Header().Set("Cache-Control", c.value) // a handler that writes without WriteHeader
	return c.ResponseWriter.Write(b)
}

// visitFloor opens the bare page, waits for its first prediction and adds
// each step's time (seconds) to steps; it returns the marks as a log line.
func visitFloor(t *testing.T, s *Session, steps map[string][]float64) string {
	t.Helper()
	s.Open("bench-floor.html")
	Poll[bool](s, `performance.getEntriesByName('floor:first prediction').length > 0 || performance.getEntries().some((e) => e.name.startsWith('floor:error'))`)
	at := Eval[map[string]float64](s, `Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name.slice('floor:'.length), m.startTime]))`)
	var line []string
	for _, step := range floorSteps {
		ms, ok := at[step]
		if !ok {
			t.Fatalf("no %q (marks %v, problems %q)", step, at, s.Problems())
		}
		steps[step] = append(steps[step], ms/1000)
		line = append(line, fmt.Sprintf("%s %.0f", step, ms))
	}
	return " " + strings.Join(line, ", ")
}
