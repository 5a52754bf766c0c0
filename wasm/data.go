//go:build js && wasm

package main

import (
	"fmt"
	"syscall/js"
	"time"

	"convplay/dataset"
	"convplay/nn"
	"convplay/wasm/jsarray"
)

// loadDataset starts a data set from its manifest; its chunks follow, one
// addChunk each. It replaces the data set loaded before only when the
// manifest is valid.
func (w *worker) loadDataset(req js.Value) (any, error) {
	if err := w.idle("load a data set"); err != nil {
		return nil, err
	}
	v := req.Get("manifest")
	if missing(v) {
		return nil, fmt.Errorf("worker: loadDataset needs the manifest")
	}
	var text []byte
	if v.InstanceOf(js.Global().Get("Uint8Array")) {
		b, err := jsarray.BytesFromJS(v, "manifest")
		if err != nil {
			return nil, err
		}
		text = b
	} else {
		text = []byte(jsonText(v))
	}
	d, err := dataset.NewLoader(text)
	if err != nil {
		return nil, err
	}
	w.dropChunks()
	w.data = d
	m := d.Manifest
	classes := make([]any, len(m.Classes))
	for i, c := range m.Classes {
		classes[i] = map[string]any{"en": c.En, "zh": c.Zh}
	}
	files := make([]any, len(m.Files))
	for i, f := range m.Files {
		files[i] = map[string]any{"name": f.Name, "split": f.Split, "kind": f.Kind, "size": f.Size}
	}
	return map[string]any{
		"name": m.Name, "title": m.Title, "classes": classes, "shape": jsarray.ShapeToJS(m.Shape),
		"counts": countsJS(m.Counts), "files": files, "testDuplicates": len(m.TestDuplicates),
		"mean": m.Mean, "std": m.Std,
		// the grey-level steps packdata -round left in each split (1: exact)
		"pixelSteps": map[string]any{dataset.Train: m.SplitStep(dataset.Train),
			dataset.Validation: m.SplitStep(dataset.Validation), dataset.Test: m.SplitStep(dataset.Test)},
	}, nil
}

func countsJS(c dataset.Counts) map[string]any {
	return map[string]any{"train": c.Train, "validation": c.Validation, "test": c.Test}
}

// addChunk verifies one chunk file and adds its samples. A bad chunk is an
// error naming the file; the samples loaded before stay usable. A file
// whose decoding takes longer than a slice (a pixcode chunk of thousands
// of images) decodes in slices between which requests are answered and
// training goes on, and its reply comes when it is done; addChunk requests
// that arrive meanwhile wait their turn.
func (w *worker) addChunk(req js.Value) (any, error) {
	if w.data == nil {
		return nil, fmt.Errorf("worker: no data set: send loadDataset first")
	}
	name, err := argString(req, "name", "")
	if err != nil {
		return nil, err
	}
	b, err := jsarray.BytesFromJS(req.Get("bytes"), "bytes")
	if err != nil {
		return nil, err
	}
	job := &chunkJob{id: req.Get("id"), name: name, bytes: b, step: 8}
	if len(w.chunks) == 0 {
		res, done, err := w.decodeSome(job)
		if done {
			return res, err
		}
	}
	w.chunks = append(w.chunks, job)
	w.schedule()
	return later{}, nil
}

// chunkJob is an addChunk request being decoded, or waiting to be.
type chunkJob struct {
	id    js.Value
	name  string
	bytes []byte             // until it starts
	load  *dataset.ChunkLoad // once it has started
	step  int                // images per Step, sized to about a tenth of a slice
}

// decodeSome starts or continues job for about sliceBudget, and when it is
// done returns addChunk's result or error.
func (w *worker) decodeSome(job *chunkJob) (res map[string]any, done bool, err error) {
	what := "addChunk"
	err = protect(&what, func() error {
		if job.load == nil {
			l, err := w.data.StartChunk(job.name, job.bytes)
			if err != nil {
				return err
			}
			job.load, job.bytes = l, nil
		}
		start := time.Now()
		for time.Since(start) < sliceBudget {
			t0 := time.Now()
			finished, err := job.load.Step(job.step)
			if finished {
				done = true
				if err == nil {
					res = w.chunkAdded(job.name)
				}
				return err
			}
			perImage := time.Since(t0) / time.Duration(job.step)
			job.step = max(1, min(1024, int(sliceBudget/10/max(perImage, time.Microsecond))))
		}
		return nil
	})
	return res, done || err != nil, err
}

// chunkSlice runs the first waiting chunk for a slice, and replies to its
// request when it is done.
func (w *worker) chunkSlice() {
	job := w.chunks[0]
	res, done, err := w.decodeSome(job)
	if done {
		w.chunks = w.chunks[1:]
		w.replyLater(job.id, res, err)
	}
	if len(w.chunks) > 0 {
		w.schedule()
	}
}

// dropChunks refuses the addChunk requests still waiting: their data set
// was replaced.
func (w *worker) dropChunks() {
	for _, job := range w.chunks {
		w.replyLater(job.id, nil, fmt.Errorf("worker: %s: the data set was replaced before it was loaded", job.name))
	}
	w.chunks = nil
}

// chunkAdded grows the training run with the samples that arrived, sends
// the data event and returns addChunk's result.
func (w *worker) chunkAdded(name string) map[string]any {
	if t := w.run; t != nil {
		if err := w.growRun(t); err != nil {
			w.finish(t, err) // a bug: the data only grow
		}
	}
	res := map[string]any{"file": name, "available": countsJS(w.data.Available()), "complete": w.data.Complete()}
	w.emit("data", res)
	return res
}

// split returns the named split of the loaded data with at least one sample.
func (w *worker) split(name string) (*dataset.Split, error) {
	if w.data == nil {
		return nil, fmt.Errorf("worker: no data set: send loadDataset first")
	}
	s, err := w.data.Split(name)
	if err != nil {
		return nil, err
	}
	if s.Len() == 0 {
		return nil, fmt.Errorf("worker: no %s samples are loaded yet", name)
	}
	return s, nil
}

// getSample returns one sample: its pixels as stored (0..255) and
// standardized as the model sees them, and its label.
func (w *worker) getSample(req js.Value) (any, error) {
	name, err := argString(req, "split", dataset.Test)
	if err != nil {
		return nil, err
	}
	s, err := w.split(name)
	if err != nil {
		return nil, err
	}
	i, err := argInt(req, "index", 0, 0)
	if err != nil {
		return nil, err
	}
	if i >= s.Len() {
		return nil, fmt.Errorf("worker: %s sample %d is not loaded: %d are", name, i, s.Len())
	}
	img := s.Image(i)
	px := make([]float32, len(img))
	w.data.Standardize(px, img)
	return map[string]any{"image": jsarray.BytesToJS(img), "pixels": jsarray.Float32sToJS(px), "label": s.Label(i), "count": s.Len()}, nil
}

// standardize returns an image of the data set's shape (0..255, e.g. the
// example the page ships to predict before the test images arrive) with its
// pixels standardized as getSample's: it needs only the manifest.
func (w *worker) standardize(req js.Value) (any, error) {
	if w.data == nil {
		return nil, fmt.Errorf("worker: no data set: send loadDataset first")
	}
	img, err := jsarray.BytesFromJS(req.Get("image"), "image")
	if err != nil {
		return nil, err
	}
	if n := w.data.Manifest.ImageSize(); len(img) != n {
		return nil, fmt.Errorf("worker: image has %d pixels, want %d (%v)", len(img), n, w.data.Manifest.Shape)
	}
	px := make([]float32, len(img))
	w.data.Standardize(px, img)
	return map[string]any{"pixels": jsarray.Float32sToJS(px)}, nil
}

// compiled compiles a model that has not been trained yet, so it can be
// evaluated: the loss is what training uses; the optimizer is not used.
func (w *worker) compiled() error {
	if w.model.Loss() != nil {
		return nil
	}
	return w.compile(nn.OptimizerSpec{Name: "sgd"})
}

// compile compiles the model for training with the optimizer.
func (w *worker) compile(spec nn.OptimizerSpec) error {
	opt, err := nn.NewOptimizer(spec)
	if err != nil {
		return err
	}
	loss, err := nn.ParseLoss("sparse_categorical_crossentropy")
	if err != nil {
		return err
	}
	return w.model.Compile(opt, loss)
}
