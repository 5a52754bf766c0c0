//go:build js && wasm

package main

import (
	"fmt"
	"syscall/js"

	"convplay/dataset"
	"convplay/nn"
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
		b, err := bytesFromJS(v, "manifest")
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
		"name": m.Name, "title": m.Title, "classes": classes, "shape": shapeToJS(m.Shape),
		"counts": countsJS(m.Counts), "files": files, "testDuplicates": len(m.TestDuplicates),
		"mean": m.Mean, "std": m.Std,
	}, nil
}

func countsJS(c dataset.Counts) map[string]any {
	return map[string]any{"train": c.Train, "validation": c.Validation, "test": c.Test}
}

// addChunk verifies one chunk file and adds its samples. A bad chunk is an
// error naming the file; the samples loaded before stay usable.
func (w *worker) addChunk(req js.Value) (any, error) {
	if w.data == nil {
		return nil, fmt.Errorf("worker: no data set: send loadDataset first")
	}
	name, err := argString(req, "name", "")
	if err != nil {
		return nil, err
	}
	b, err := bytesFromJS(req.Get("bytes"), "bytes")
	if err != nil {
		return nil, err
	}
	if err := w.data.AddChunk(name, b); err != nil {
		return nil, err
	}
	res := map[string]any{"file": name, "available": countsJS(w.data.Available()), "complete": w.data.Complete()}
	w.emit("data", res)
	return res, nil
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
	return map[string]any{"image": bytesToJS(img), "pixels": float32sToJS(px), "label": s.Label(i), "count": s.Len()}, nil
}

// standardize returns an image of the data set's shape (0..255, e.g. the
// example the page ships to predict before the test images arrive) with its
// pixels standardized as getSample's: it needs only the manifest.
func (w *worker) standardize(req js.Value) (any, error) {
	if w.data == nil {
		return nil, fmt.Errorf("worker: no data set: send loadDataset first")
	}
	img, err := bytesFromJS(req.Get("image"), "image")
	if err != nil {
		return nil, err
	}
	if n := w.data.Manifest.ImageSize(); len(img) != n {
		return nil, fmt.Errorf("worker: image has %d pixels, want %d (%v)", len(img), n, w.data.Manifest.Shape)
	}
	px := make([]float32, len(img))
	w.data.Standardize(px, img)
	return map[string]any{"pixels": float32sToJS(px)}, nil
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
