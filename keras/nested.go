package keras

import (
	"errors"
	"fmt"
	"strings"
)

// Models nested inside models, as Keras tutorials build them:
// Sequential([Input, data_augmentation, Rescaling, Conv2D, ...]) where
// data_augmentation is itself a Sequential, a Functional model around a
// Sequential block, a Sequential feature extractor inside a classifier.
// The nested model is one entry of its parent's layer list, whose config is
// a model's config (class_name Sequential, Functional or Keras 2's Model).
// flatten replaces it by its own layers when all of them form a chain, so
// the rest of the package sees one list; each layer keeps its places, which
// say where Keras saved its weights (weights.go):
//   - .keras (saving_lib._save_state): layers/<outer>/layers/<inner>/vars,
//     each name the snake_case class made unique within its own model's
//     layer list (so a nested Sequential is layers/sequential).
//   - .h5, Keras 2 and Keras 3 legacy (save_weights_to_hdf5_group): only the
//     file's model's layers have groups; a nested model's group lists all
//     its layers' weights in weight_names (its trainable, then its
//     non-trainable ones), each named by the variable's path, whose last
//     folder is the layer that made it: "conv2d/kernel:0",
//     "sequential/feature_extractor/conv2d/kernel".

// maxNesting bounds how deep models may nest (a hostile config could nest
// thousands deep).
const maxNesting = 16

// place is where a layer sits in one model's layer list.
type place struct {
	layer      string   // the layer's name
	classes    []string // the classes of the model's layer list, in order
	index      int      // the layer's position in it
	sequential bool     // a Sequential's list, whose InputLayer Keras leaves out of model.layers
}

// kerasName is the name Keras 3's saving_lib gives the layer in a .keras
// file: its class in snake case, made unique by _1, _2, ... among the
// model's layers before it.
func (p place) kerasName() string {
	used := map[string]int{}
	name := ""
	for i, cls := range p.classes[:p.index+1] {
		if p.sequential && i == 0 && cls == "InputLayer" {
			continue
		}
		base := snakeCase(cls)
		n, seen := used[base]
		if seen {
			n++
			name = fmt.Sprintf("%s_%d", base, n)
		} else {
			name = base
		}
		used[base] = n
	}
	return name
}

// isModel says whether a layer entry is a model nested inside its parent.
func isModel(class string) bool {
	return class == "Sequential" || class == "Functional" || class == "Model"
}

// flatten returns the model's layers from input to output with every
// nested model replaced by its own layers. A nested model's InputLayer is
// kept only where it is the first layer of all (it then gives the input
// shape); elsewhere the layer before feeds the nested model. Anything that
// is not a chain, at any depth, is refused by chain, naming it.
// first says that no layer comes before m's.
func flatten(m *modelJSON, outer []place, depth int, first bool) ([]layerJSON, error) {
	layers, err := chain(m)
	if ue := (*UnsupportedError)(nil); errors.As(err, &ue) && len(outer) > 0 {
		// Say where: "residual/add", or the nested model itself.
		if ue.Layer == m.Config.Name {
			ue.Layer = nestedPath(outer)
		} else {
			ue.Layer = nestedPath(outer) + "/" + ue.Layer
		}
	}
	if err != nil {
		return nil, err
	}
	classes := make([]string, len(m.Config.Layers))
	position := map[string]int{}
	for i, l := range m.Config.Layers {
		classes[i] = l.ClassName
		position[l.Name] = i
	}
	var out []layerJSON
	for _, l := range layers {
		here := append(append([]place(nil), outer...), place{layer: l.Name, classes: classes,
			index: position[l.Name], sequential: m.ClassName == "Sequential"})
		if !isModel(l.ClassName) {
			if l.ClassName == "InputLayer" && len(outer) > 0 && !(first && len(out) == 0) {
				continue // a nested model's input: the layer before feeds it
			}
			l.places = here
			out = append(out, l)
			continue
		}
		if depth+1 >= maxNesting {
			return nil, formatErrorf("models nested more than %d deep", maxNesting)
		}
		inner := &modelJSON{ClassName: l.ClassName, Config: modelConfig{Name: l.Name,
			Layers: l.Config.Layers, InputLayers: l.Config.InputLayers, OutputLayers: l.Config.OutputLayers,
			BuildInputShape: l.Config.BuildInputShape}}
		if len(inner.Config.Layers) == 0 {
			return nil, formatErrorf("the nested model %q has no layers", l.Name)
		}
		for i := range inner.Config.Layers {
			if il := &inner.Config.Layers[i]; il.Name == "" {
				il.Name = il.Config.Name
			}
		}
		sub, err := flatten(inner, here, depth+1, first && len(out) == 0)
		if err != nil {
			return nil, err
		}
		if first && len(out) == 0 && len(sub) > 0 && sub[0].ClassName != "InputLayer" && sub[0].Config.BatchInputShape == nil &&
			inner.Config.BuildInputShape != nil {
			// A nested Sequential first, its input known only from its build.
			sub = append([]layerJSON{{ClassName: "InputLayer", Name: l.Name + "_input",
				Config: layerConfig{Name: l.Name + "_input", BatchInputShape: inner.Config.BuildInputShape}, places: here}}, sub...)
		}
		out = append(out, sub...)
	}
	if len(out)+len(outer) > maxLayers*maxNesting {
		return nil, formatErrorf("the nested models hold more than %d layers", maxLayers*maxNesting)
	}
	return out, nil
}

// nestedPath names a nested layer for messages: "feature_extractor/conv2d".
func nestedPath(places []place) string {
	names := make([]string, len(places))
	for i, p := range places {
		names[i] = p.layer
	}
	return strings.Join(names, "/")
}

// qualify names a refused layer of a nested model by its path in err.
func qualify(err error, layers []layerJSON) error {
	var ue *UnsupportedError
	if !errors.As(err, &ue) {
		return err
	}
	for _, l := range layers {
		if l.Name == ue.Layer && len(l.places) > 1 {
			ue.Layer = nestedPath(l.places)
			break
		}
	}
	return err
}
