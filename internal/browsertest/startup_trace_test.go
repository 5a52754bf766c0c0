//go:build browser

package browsertest

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"
)

// traceEvent is one event of a Chromium trace (the Trace Event Format):
// ph "X" is a complete event of dur µs from ts; "M" names a thread.
type traceEvent struct {
	Name string          `json:"name"`
	Ph   string          `json:"ph"`
	Ts   float64         `json:"ts"`
	Dur  float64         `json:"dur"`
	Pid  int             `json:"pid"`
	Tid  int             `json:"tid"`
	ID   string          `json:"id"`
	Args json.RawMessage `json:"args"`
}

// startupTraceCategories: the page's tasks, script and wasm compiles (each
// wasm function's, v8.wasm.detailed), and user timing marks.
var startupTraceCategories = []string{
	"toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing",
	"loading", "v8", "v8.execute", "v8.wasm", "disabled-by-default-v8.wasm.detailed",
	"disabled-by-default-v8.compile", "disabled-by-default-v8.cpu_profiler",
}

// TestBenchStartupTrace records a Chromium trace of a cold first visit
// (fresh profile, the browser at rest for settle first, loopback with 40
// ms of latency, emulated for the page and its workers as in
// TestBenchFirstVisit and TestBenchEngineFloor),
// and one of a second visit (the service worker answers), each until the
// first prediction is on screen, and logs where the CPU went:
// each process's share (the page's renderer, the browser, Chromium's own
// pages), and in the page's renderer, for each thread (the page, the
// engine's worker, V8's and Blink's background threads), the time in each
// kind of event, then the page's and the worker's tasks of 15 ms or more
// in order. Times nest (a task's time includes the compile inside it). It
// only runs under CONVPLAY_BENCH=1 and asserts nothing about time:
// BENCHMARKS.md reads it before cutting.
func TestBenchStartupTrace(t *testing.T) {
	if os.Getenv("CONVPLAY_BENCH") == "" {
		t.Skip("a benchmark: run with CONVPLAY_BENCH=1 (make bench-browser)")
	}
	t.Run("cold", func(t *testing.T) {
		s := emulateLink(Start(t), firstVisitLinks[0]).Session
		restOnBlank(s)
		events, first := traceFirstVisit(s)
		logStartupTrace(t, s, events, first)
	})
	// The second visit a student makes: the service worker keeps the page
	// and the data set, the browser rests, and the page opens again.
	t.Run("second visit", func(t *testing.T) {
		s := emulateLink(Start(t), firstVisitLinks[0]).Session
		restOnBlank(s)
		s.Open("")
		firstPrediction(s)
		waitSaved(s, "data/fashion/")
		restOnBlank(s)
		events, first := traceFirstVisit(s)
		logStartupTrace(t, s, events, first)
	})
}

// logStartupTrace logs where a traced visit's CPU went until its first
// prediction (first, ms from navigation start): see TestBenchStartupTrace.
func logStartupTrace(t *testing.T, s *Session, events []traceEvent, first float64) {
	t.Logf("first prediction on screen after %.0f ms; %d trace events", first, len(events))

	threads := map[[2]int]string{}
	navStart, page := 0.0, 0
	for _, e := range events {
		if e.Ph == "M" && e.Name == "thread_name" {
			var a struct {
				Name string `json:"name"`
			}
			if json.Unmarshal(e.Args, &a) == nil {
				threads[[2]int{e.Pid, e.Tid}] = a.Name
			}
		}
	}
	sort.Slice(events, func(i, j int) bool { return events[i].Ts < events[j].Ts })
	for _, e := range events {
		if e.Name == "navigationStart" && strings.Contains(string(e.Args), s.Base) && navStart == 0 {
			navStart, page = e.Ts, e.Pid
		}
	}
	if page == 0 {
		t.Fatal("no navigationStart of the page in the trace")
	}
	end := navStart + first*1000
	ms := func(us float64) float64 { return us / 1000 }

	perProcess := map[string]float64{}
	kinds := map[int]string{page: "the page's renderer"} // process id -> processKind, looked up once
	perThread := map[string]map[string]float64{}
	var tasks strings.Builder
	for _, e := range events {
		if e.Ph != "X" || e.Ts < navStart || e.Ts > end {
			continue
		}
		thread := threads[[2]int{e.Pid, e.Tid}]
		if e.Name == "RunTask" || e.Name == "ThreadPool_RunTask" {
			kind, ok := kinds[e.Pid]
			if !ok {
				kind = processKind(threads, e.Pid)
				kinds[e.Pid] = kind
			}
			perProcess[kind] += e.Dur
		}
		if e.Pid != page {
			continue
		}
		if strings.HasPrefix(thread, "ThreadPool") {
			thread = "background threads (V8, Blink)"
		}
		if perThread[thread] == nil {
			perThread[thread] = map[string]float64{}
		}
		perThread[thread][e.Name] += e.Dur
		if e.Name == "RunTask" && e.Dur >= 15000 && (thread == "CrRendererMain" || thread == "DedicatedWorker thread") {
			fmt.Fprintf(&tasks, "\n%7.0f ms +%4.0f ms  %s%s", ms(e.Ts-navStart), ms(e.Dur), thread, taskContent(events, e))
		}
	}
	var b strings.Builder
	for _, name := range sortedKeys(perProcess) {
		fmt.Fprintf(&b, "\n%7.0f ms  %s", ms(perProcess[name]), name)
	}
	t.Logf("CPU in tasks from navigation start to the first prediction, by process:%s", b.String())
	taskTime := map[string]float64{}
	for thread, m := range perThread {
		taskTime[thread] = m["RunTask"] + m["ThreadPool_RunTask"]
	}
	for _, thread := range sortedKeys(taskTime) {
		b.Reset()
		m := perThread[thread]
		for _, name := range sortedKeys(m)[:min(12, len(m))] {
			fmt.Fprintf(&b, "\n%7.1f ms  %s", ms(m[name]), name)
		}
		t.Logf("the page's renderer, %s:%s", thread, b.String())
	}
	t.Logf("the page's and the worker's tasks of 15 ms or more (what ran inside them, 5 ms or more):%s", tasks.String())
	t.Logf("the engine's functions compiled at their first call (wasm.CompileBaseline, Liftoff), by the page's step they came in:%s", lazyCompiles(t, events, page, navStart, end))
	for thread, top := range sampledSelfTime(events, threads, page, end) {
		t.Logf("the page's renderer, %s, sampled (V8's CPU profiler), self time by function until the first prediction:%s", thread, top)
	}
}

// startupSteps are the page's marks (app.js) that end each step of the
// first path once the engine runs, in order.
var startupSteps = []string{"engine:ready", "model:first", "dataset:info", "input:first", "prediction:first"}

// lazyCompiles sums the wasm functions V8 compiled on their first call in
// process pid (the engine's, in its worker: V8 compiles lazily) until end,
// by the step of startupSteps they came in: how many, their code bytes and
// the compile's time. With CONVPLAY_WASM_FUNCS naming a listing of the
// engine's functions (go run ./tools/wasmsize -funcs on a build without
// -ldflags=-s, so it has names), it also gives the bytes by Go package
// until the first prediction.
func lazyCompiles(t *testing.T, events []traceEvent, pid int, navStart, end float64) string {
	marks := map[string]float64{}
	for _, e := range events {
		if e.Pid == pid && strings.HasPrefix(e.Name, "convplay:") {
			if _, ok := marks[e.Name]; !ok {
				marks[e.Name] = e.Ts
			}
		}
	}
	// function index -> its code bytes and Go package, from the listing
	type fn struct {
		size int
		pkg  string
	}
	funcs := map[int]fn{}
	if f := os.Getenv("CONVPLAY_WASM_FUNCS"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("CONVPLAY_WASM_FUNCS: %v", err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Split(line, "\t") // index, code bytes, package, name
			if len(f) != 4 {
				continue
			}
			i, err1 := strconv.Atoi(f[0])
			size, err2 := strconv.Atoi(f[1])
			if err1 == nil && err2 == nil {
				funcs[i] = fn{size, f[2]}
			}
		}
	}
	type sum struct {
		n, bytes int
		us       float64
	}
	bySteps := make([]sum, len(startupSteps)+1) // the last: after the first prediction's mark, before the screen showed it
	byPkg := map[string]float64{}
	// Compiled functions the listing has with another size (another build),
	// and those it lacks (another module: the SIMD kernels, nn/gemm_wasm.go).
	mismatched, other := 0, 0
	for _, e := range events {
		if e.Pid != pid || e.Name != "wasm.CompileBaseline" || e.Ph != "X" || e.Ts < navStart || e.Ts > end {
			continue
		}
		var a struct {
			BodySize  int `json:"bodySize"`
			FuncIndex int `json:"funcIndex"`
		}
		if json.Unmarshal(e.Args, &a) != nil {
			continue
		}
		step := len(startupSteps)
		for i, name := range startupSteps {
			if at, ok := marks["convplay:"+name]; ok && e.Ts < at {
				step = i
				break
			}
		}
		bySteps[step].n++
		bySteps[step].bytes += a.BodySize
		bySteps[step].us += e.Dur
		switch f, ok := funcs[a.FuncIndex]; {
		case len(funcs) == 0:
		case !ok:
			other++
		case f.size != a.BodySize:
			mismatched++
		case step < len(startupSteps):
			byPkg[f.pkg] += float64(a.BodySize)
		}
	}
	var b strings.Builder
	for i, s := range bySteps {
		step := "after prediction:first"
		if i < len(startupSteps) {
			step = "until " + startupSteps[i]
		}
		fmt.Fprintf(&b, "\n%5d functions %7.1f KB %6.1f ms  %s", s.n, float64(s.bytes)/1000, s.us/1000, step)
	}
	if mismatched > 0 {
		// Another build than the page's engine: its packages would be guesses.
		fmt.Fprintf(&b, "\n(CONVPLAY_WASM_FUNCS gives %d of these functions another size: not this engine's build; no packages)", mismatched)
	} else if len(byPkg) > 0 {
		fmt.Fprintf(&b, "\nby package (code bytes; %d functions of another module, the SIMD kernels', not counted):", other)
		for _, pkg := range sortedKeys(byPkg)[:min(15, len(byPkg))] {
			fmt.Fprintf(&b, "\n%7.1f KB  %s", byPkg[pkg]/1000, pkg)
		}
	}
	return b.String()
}

// sampledSelfTime reads the V8 CPU profiler's samples in the trace (its
// Profile and ProfileChunk events) for each thread of process pid and
// returns, by thread, the functions with the most self time before end.
func sampledSelfTime(events []traceEvent, threads map[[2]int]string, pid int, end float64) map[string]string {
	type frame struct {
		FunctionName string `json:"functionName"`
		URL          string `json:"url"`
		LineNumber   int    `json:"lineNumber"`
	}
	type chunk struct {
		Data struct {
			StartTime  float64 `json:"startTime"`
			CPUProfile struct {
				Nodes []struct {
					ID        int   `json:"id"`
					CallFrame frame `json:"callFrame"`
				} `json:"nodes"`
				Samples []int `json:"samples"`
			} `json:"cpuProfile"`
			TimeDeltas []float64 `json:"timeDeltas"`
		} `json:"data"`
	}
	thread := map[string]string{}       // profile id -> thread name
	last := map[string]float64{}        // profile id -> time of the last sample read
	nodes := map[string]map[int]frame{} // profile id -> node id -> frame
	self := map[string]map[string]float64{}
	for _, e := range events {
		if e.Pid != pid || e.Ph != "P" {
			continue
		}
		var c chunk
		if json.Unmarshal(e.Args, &c) != nil {
			continue
		}
		switch e.Name {
		case "Profile":
			thread[e.ID] = threads[[2]int{e.Pid, e.Tid}]
			last[e.ID] = c.Data.StartTime
			nodes[e.ID] = map[int]frame{}
		case "ProfileChunk":
			if nodes[e.ID] == nil {
				continue
			}
			for _, n := range c.Data.CPUProfile.Nodes {
				nodes[e.ID][n.ID] = n.CallFrame
			}
			name := thread[e.ID]
			if self[name] == nil {
				self[name] = map[string]float64{}
			}
			for i, id := range c.Data.CPUProfile.Samples {
				if i >= len(c.Data.TimeDeltas) {
					break
				}
				prev := last[e.ID]
				last[e.ID] += c.Data.TimeDeltas[i]
				if last[e.ID] > end {
					continue
				}
				f := nodes[e.ID][id]
				where := f.FunctionName
				if where == "" {
					where = "(anonymous)"
				}
				if f.URL != "" {
					where += fmt.Sprintf(" %s:%d", path.Base(f.URL), f.LineNumber+1)
				}
				self[name][where] += last[e.ID] - prev
			}
		}
	}
	out := map[string]string{}
	for name, m := range self {
		var b strings.Builder
		for _, where := range sortedKeys(m)[:min(20, len(m))] {
			fmt.Fprintf(&b, "\n%7.1f ms  %s", m[where]/1000, where)
		}
		out[name] = b.String()
	}
	return out
}

// processKind names a process of the trace by its threads' names.
func processKind(threads map[[2]int]string, pid int) string {
	kinds := []struct{ thread, kind string }{
		{"CrBrowserMain", "the browser"},
		{"CrGpuMain", "the GPU process (software compositing)"},
		{"CrRendererMain", "other renderers (Chromium's own pages)"},
	}
	for _, k := range kinds {
		for id, name := range threads {
			if id[0] == pid && name == k.thread {
				return k.kind
			}
		}
	}
	for id, name := range threads {
		if id[0] == pid && strings.HasSuffix(name, ".CrUtilityMain") {
			return "the " + strings.TrimSuffix(name, ".CrUtilityMain") + " service"
		}
	}
	// Its main thread has no name in the trace; in this Chromium that is the
	// network service (its events are URL loads, the disk cache and the
	// emulated link's throttling).
	return "a process with an unnamed main thread (the network service)"
}

// traceFirstVisit traces the browser while the session opens the page and
// returns the trace's events and the first prediction's time.
func traceFirstVisit(s *Session) ([]traceEvent, float64) {
	s.t.Helper()
	var mu sync.Mutex
	var events []traceEvent
	complete := make(chan struct{})
	err := chromedp.ListenBrowser(s.Ctx, func(ev any) {
		switch ev := ev.(type) {
		case *tracing.EventDataCollected:
			mu.Lock()
			defer mu.Unlock()
			for _, raw := range ev.Value {
				var e traceEvent
				if json.Unmarshal(raw, &e) == nil {
					events = append(events, e)
				}
			}
		case *tracing.EventTracingComplete:
			close(complete)
		}
	})
	if err != nil {
		s.t.Fatal(err)
	}
	browser := chromedp.FromContext(s.Ctx).Browser
	if _, err := cdp.Call(s.Ctx, browser, tracing.Start, tracing.StartParams{
		TransferMode: tracing.StartTransferModeReportEvents,
		TraceConfig:  &tracing.TraceConfig{IncludedCategories: startupTraceCategories},
	}); err != nil {
		s.t.Fatalf("starting the trace: %v", err)
	}
	s.Open("")
	first := firstPrediction(s)
	if _, err := cdp.Call(s.Ctx, browser, tracing.End, cdp.Empty{}); err != nil {
		s.t.Fatalf("ending the trace: %v", err)
	}
	select {
	case <-complete:
	case <-s.Ctx.Done():
		s.t.Fatal("the trace did not complete")
	}
	mu.Lock()
	defer mu.Unlock()
	return events, first
}

// taskContent names what ran inside a task for 5 ms or more, with the
// script or wasm function it ran where the trace says.
func taskContent(events []traceEvent, task traceEvent) string {
	var parts []string
	for _, e := range events {
		if e.Ph != "X" || e.Pid != task.Pid || e.Tid != task.Tid || e.Ts < task.Ts || e.Ts+e.Dur > task.Ts+task.Dur || e.Dur < 5000 {
			continue
		}
		switch e.Name {
		case "v8.evaluateModule", "FunctionCall", "wasm.CompileLazy", "wasm.CompileBaseline", "wasm.SyncInstantiate",
			"Layout", "UpdateLayoutTree", "ParseHTML", "v8.compileModule", "RunMicrotasks", "HandlePostMessage":
			parts = append(parts, fmt.Sprintf("%s %.0f", e.Name, e.Dur/1000))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
}

// sortedKeys returns m's keys, largest value first.
func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] })
	return keys
}
