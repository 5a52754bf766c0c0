package keras

import "convplay/nn"

// ForStandardized returns m ready for the standardized inputs (pixel -
// mean)/std that convplay feeds everywhere (the command line, and the page's
// worker: training data, drawings, the explaining ops). When m expects
// pixels/255 or raw pixels (its InputScaling), a first Rescaling layer
// named "input_scaling" turns a standardized value z back into what m
// expects, z*std + mean or (z*std + mean)/255, and the result's
// InputScaling is Standardized (the layer now records the answer, so a
// .cpw of it loads as it is); with scaleInput false (inputs given as the
// model's own) it adds none. When m outputs logits, a last softmax
// ("softmax_of_logits") makes its outputs probabilities. m itself is
// returned when nothing is needed; otherwise an uncompiled copy with the
// same weights (every parameter, the non-trainable ones too). Applied to
// its own result it returns that result.
func ForStandardized(m *nn.Model, mean, std float64, scaleInput bool) (*nn.Model, error) {
	spec := nn.ModelSpec{Input: append([]int(nil), m.Spec.Input...), InputScaling: m.Spec.InputScaling}
	scale, offset := 0.0, 0.0
	switch m.Spec.InputScaling {
	case nn.Unit:
		scale, offset = std/255, mean/255
	case nn.Raw:
		scale, offset = std, mean
	}
	if scaleInput && scale != 0 {
		spec.Layers = append(spec.Layers, nn.LayerSpec{Type: "Rescaling", Name: "input_scaling", Scale: scale, Offset: offset})
		spec.InputScaling = nn.Standardized
	}
	spec.Layers = append(spec.Layers, m.Spec.Layers...)
	if m.Spec.OutputsLogits() {
		spec.Layers = append(spec.Layers, nn.LayerSpec{Type: "Activation", Name: "softmax_of_logits", Activation: "softmax"})
	}
	return rebuilt(m, spec)
}

// rebuilt is m with spec's layers, which add or drop only weightless
// layers around m's (the input scaling, the softmax of logits): m itself
// when spec adds none, else a new model holding m's weights in order.
func rebuilt(m *nn.Model, spec nn.ModelSpec) (*nn.Model, error) {
	if len(spec.Layers) == len(m.Spec.Layers) {
		return m, nil
	}
	out, err := nn.Build(spec, 0)
	if err != nil {
		return nil, err
	}
	dst := out.Params()
	for i, p := range m.Params() {
		copy(dst[i].W, p.W)
	}
	return out, nil
}
