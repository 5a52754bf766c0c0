//go:build js && wasm

package main

import (
	"fmt"
	"image"
	"syscall/js"

	"convplay/imageprep"
	"convplay/wasm/jsarray"
)

// maxPicture bounds a picture's side for preprocess: a drawing pad is a few
// hundred pixels.
const maxPicture = 4096

// preprocess fits a picture (a canvas's RGBA pixels) into the loaded data
// set's image shape as that data set's images were made (imageprep), and
// returns each step, the image, the model input standardized with the data
// set's mean and std, and warnings where the drawing is far from the data
// set's style.
func (w *worker) preprocess(req js.Value) (any, error) {
	if w.data == nil {
		return nil, fmt.Errorf("worker: no data set: send loadDataset first (preprocess standardizes with its mean and std)")
	}
	fit, err := argString(req, "fit", "")
	if err != nil {
		return nil, err
	}
	mode := imageprep.Fit(fit)
	if mode != imageprep.FitFashion && mode != imageprep.FitMNIST {
		return nil, fmt.Errorf("worker: fit %q: want fashion or mnist", fit)
	}
	if missing(req.Get("width")) || missing(req.Get("height")) {
		return nil, fmt.Errorf("worker: preprocess needs the picture's width and height")
	}
	width, err := argInt(req, "width", 0, 1)
	if err != nil {
		return nil, err
	}
	height, err := argInt(req, "height", 0, 1)
	if err != nil {
		return nil, err
	}
	if width > maxPicture || height > maxPicture {
		return nil, fmt.Errorf("worker: picture %dx%d is larger than %dx%d", width, height, maxPicture, maxPicture)
	}
	img := image.NewNRGBA(image.Rect(0, 0, width, height))
	if err := rgbaFromJS(img.Pix, req.Get("rgba")); err != nil {
		return nil, err
	}
	shape := w.data.Manifest.Shape
	if len(shape) != 3 || shape[2] != 1 {
		return nil, fmt.Errorf("worker: preprocess makes grayscale images, but the data set's images have shape %v", shape)
	}
	s, err := imageprep.Prepare(img, shape[0], shape[1], mode)
	if err != nil {
		return nil, err
	}
	px := make([]float32, len(s.Placed.Pix))
	w.data.Standardize(px, s.Placed.Pix)

	steps := []any{grayStep("ink", s.Ink, nil)}
	if s.Scaled != nil {
		box := s.Ink.SubImage(s.Box).(*image.Gray)
		steps = append(steps,
			grayStep("box", box, &s.Box),
			grayStep("scaled", s.Scaled, nil))
	}
	var at *image.Rectangle
	if s.Scaled != nil {
		r := s.Scaled.Rect.Add(s.At)
		at = &r
	}
	steps = append(steps, grayStep("placed", s.Placed, at))

	warnings := []any{}
	for _, wn := range imageprep.Warnings(s, mode) {
		warnings = append(warnings, map[string]any{"code": wn.Code, "value": wn.Value, "limit": wn.Limit, "typical": wn.Typical})
	}
	return map[string]any{
		"steps": steps, "image": jsarray.BytesToJS(s.Placed.Pix), "pixels": jsarray.Float32sToJS(px),
		"width": shape[1], "height": shape[0], "fit": fit,
		"mean": w.data.Manifest.Mean, "std": w.data.Manifest.Std, "warnings": warnings,
	}, nil
}

// grayStep is one step of preprocess: an image's gray pixels, row by row,
// and a rectangle on it (the box: where it was cut from, or went).
func grayStep(name string, g *image.Gray, box *image.Rectangle) map[string]any {
	wd, ht := g.Rect.Dx(), g.Rect.Dy()
	px := make([]byte, wd*ht)
	for y := range ht {
		copy(px[y*wd:(y+1)*wd], g.Pix[y*g.Stride:y*g.Stride+wd])
	}
	step := map[string]any{"name": name, "image": jsarray.BytesToJS(px), "width": wd, "height": ht}
	if box != nil {
		step["box"] = map[string]any{"x": box.Min.X, "y": box.Min.Y, "w": box.Dx(), "h": box.Dy()}
	}
	return step
}

// rgbaFromJS copies a canvas's pixels (ImageData.data: a Uint8ClampedArray,
// or a Uint8Array) into dst, which must have their length.
func rgbaFromJS(dst []byte, arr js.Value) error {
	clamped := arr.InstanceOf(js.Global().Get("Uint8ClampedArray"))
	if !clamped && !arr.InstanceOf(js.Global().Get("Uint8Array")) {
		return fmt.Errorf("worker: rgba must be a Uint8ClampedArray (ImageData.data) or a Uint8Array")
	}
	if n := arr.Length(); n != len(dst) {
		return fmt.Errorf("worker: rgba has %d values, want width*height*4 = %d", n, len(dst))
	}
	if clamped {
		arr = js.Global().Get("Uint8Array").New(arr.Get("buffer"), arr.Get("byteOffset"), arr.Get("byteLength"))
	}
	js.CopyBytesToGo(dst, arr)
	return nil
}
