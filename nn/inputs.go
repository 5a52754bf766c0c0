package nn

import "fmt"

// InputScaling says what a model expects to be given for an image of 0-255
// pixel values. convplay's own models are trained on standardized pixels;
// a model from elsewhere may expect pixels/255 or the raw values (often
// because it begins with a Rescaling layer). It is part of ModelSpec, so a
// .cpw file keeps it with the model.
type InputScaling string

const (
	// Standardized: (pixel - mean) / std with the data set's training-split
	// statistics, as the notebook does. The zero value.
	Standardized InputScaling = ""
	// Unit: pixel / 255, in [0, 1], as most Keras tutorials do.
	Unit InputScaling = "unit"
	// Raw: the 0-255 pixel values as they are.
	Raw InputScaling = "raw"
)

// ParseInputScaling parses "standardized" (or ""), "unit" (also "/255")
// or "raw".
func ParseInputScaling(s string) (InputScaling, error) {
	switch s {
	case "", "standardized", "standardize":
		return Standardized, nil
	case "unit", "/255":
		return Unit, nil
	case "raw":
		return Raw, nil
	}
	return "", fmt.Errorf("nn: unknown input scaling %q (want standardized, unit (pixels/255) or raw)", s)
}

// String names the scaling for people: "standardized", "pixels/255", "raw".
func (s InputScaling) String() string {
	switch s {
	case Standardized:
		return "standardized"
	case Unit:
		return "pixels/255"
	}
	return string(s)
}

// Apply writes into dst the model input for the 0-255 pixels src, given the
// data set's mean and standard deviation (used by Standardized only).
func (s InputScaling) Apply(dst, src []float32, mean, std float32) {
	dst = dst[:len(src)]
	for i, p := range src {
		switch s {
		case Unit:
			dst[i] = p / 255
		case Raw:
			dst[i] = p
		default:
			dst[i] = (p - mean) / std
		}
	}
}

func (s InputScaling) check() error {
	if _, err := ParseInputScaling(string(s)); err != nil || s == "standardized" {
		return fmt.Errorf("nn: unknown input scaling %q (want \"\", unit or raw)", s)
	}
	return nil
}

// OutputsLogits reports whether the model's output is logits, scores that
// a softmax turns into probabilities: its last layer is a Dense or Conv2D
// without an activation (Keras's "from_logits" models). Callers showing
// probabilities apply a softmax and say so.
func (spec ModelSpec) OutputsLogits() bool {
	if len(spec.Layers) == 0 {
		return false
	}
	last := spec.Layers[len(spec.Layers)-1]
	switch last.Type {
	case "Dense", "Conv2D", "Conv2DTranspose":
		return last.Activation == "" || last.Activation == "linear"
	}
	return false
}
