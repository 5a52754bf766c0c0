package nn

import "fmt"

// Resized returns the same network for inputs of shape in, its parameters
// sharing m's weights (each Param.W is m's slice; gradients are its own).
// A fully convolutional network has no input size of its own: its kernels
// slide over any map. So the segmentation lesson trains fcn-small on
// windows around one item (scenes.Crops: 24 x 24 in the page, a seventh of
// a scene's work with a smaller share of background), and scores the same
// weights on the 64 x 64 scenes (FitConfig.ValidationModel). A step of either model moves both. The
// resized model is not compiled: compile it on its own (a fresh optimizer
// of the same spec, the same loss). A network whose parameters depend on
// the input size, such as a Dense layer after Flatten, cannot be resized:
// the error names the first parameter that differs.
func (m *Model) Resized(in Shape) (*Model, error) {
	spec := m.Spec
	spec.Input = append([]int(nil), in...)
	r, err := Build(spec, 0)
	if err != nil {
		return nil, err
	}
	for li, l := range m.Layers {
		theirs := r.Layers[li].Params()
		for i, p := range l.Params() {
			q := theirs[i]
			if !Shape(q.Shape).Equal(p.Shape) {
				return nil, fmt.Errorf("nn: the model cannot take inputs %v: its layer %s's %s is %v for inputs %v and %v for %v",
					in, l.Spec().Name, p.Name, Shape(p.Shape), m.InShape(), Shape(q.Shape), in)
			}
			q.W = p.W
		}
	}
	return r, nil
}

// sharesWeights reports whether every parameter of m uses o's weights
// (m is o, or one resized from the other).
func (m *Model) sharesWeights(o *Model) bool {
	a, b := m.Params(), o.Params()
	if len(a) != len(b) {
		return false
	}
	for i, p := range a {
		if len(p.W) != len(b[i].W) || (len(p.W) > 0 && &p.W[0] != &b[i].W[0]) {
			return false
		}
	}
	return true
}
