package keras

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Keras's model config JSON, as Keras 2 and Keras 3 write it (the
// model_config attribute of an .h5, config.json of a .keras). Only the
// fields convplay reads are declared; the rest is ignored.

type modelJSON struct {
	ClassName   string      `json:"class_name"`
	Config      modelConfig `json:"config"`
	BuildConfig struct {
		InputShape []*int `json:"input_shape"`
	} `json:"build_config"`
}

type modelConfig struct {
	Name            string          `json:"name"`
	Layers          []layerJSON     `json:"layers"`
	InputLayers     json.RawMessage `json:"input_layers"`
	OutputLayers    json.RawMessage `json:"output_layers"`
	BuildInputShape []*int          `json:"build_input_shape"`
}

// UnmarshalJSON also takes the Sequential config of Keras 2.0 to 2.2
// (standalone keras and tf.keras before 1.13): the bare list of layers,
// with no model name, the first layer carrying batch_input_shape.
func (c *modelConfig) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '[' {
		*c = modelConfig{}
		return json.Unmarshal(t, &c.Layers)
	}
	type plain modelConfig // without this method
	return json.Unmarshal(b, (*plain)(c))
}

type layerJSON struct {
	ClassName    string          `json:"class_name"`
	Name         string          `json:"name"` // Functional models only; Config.Name is the same
	Config       layerConfig     `json:"config"`
	InboundNodes json.RawMessage `json:"inbound_nodes"`

	// places says where the layer sits, set by flatten: its place in the
	// file's model, then in each model nested inside it, innermost last.
	places []place
}

type layerConfig struct {
	Name            string          `json:"name"`
	BatchInputShape []*int          `json:"batch_input_shape"` // Keras 2
	BatchShape      []*int          `json:"batch_shape"`       // Keras 3
	Filters         int             `json:"filters"`
	KernelSize      pair            `json:"kernel_size"`
	Strides         pair            `json:"strides"`
	PoolSize        pair            `json:"pool_size"`
	DilationRate    pair            `json:"dilation_rate"`
	Padding         string          `json:"padding"`
	DataFormat      *string         `json:"data_format"`
	Groups          int             `json:"groups"`
	Activation      json.RawMessage `json:"activation"`
	UseBias         *bool           `json:"use_bias"`
	Units           int             `json:"units"`
	Rate            float64         `json:"rate"`
	Axis            json.RawMessage `json:"axis"`
	Momentum        *float64        `json:"momentum"`
	Epsilon         *float64        `json:"epsilon"`
	Center          *bool           `json:"center"`
	Scale           json.RawMessage `json:"scale"` // BatchNormalization: bool; Rescaling: number
	Offset          json.RawMessage `json:"offset"`
	TargetShape     []int           `json:"target_shape"`

	// A model nested as a layer (Sequential, Functional) has a model's
	// config; the Keras 2.0 to 2.2 bare list of layers lands in Layers.
	Layers          []layerJSON     `json:"layers"`
	InputLayers     json.RawMessage `json:"input_layers"`
	OutputLayers    json.RawMessage `json:"output_layers"`
	BuildInputShape []*int          `json:"build_input_shape"`
}

func (c *layerConfig) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '[' {
		*c = layerConfig{}
		return json.Unmarshal(t, &c.Layers)
	}
	type plain layerConfig // without this method
	return json.Unmarshal(b, (*plain)(c))
}

// pair is a Keras size argument: an integer, a list of two, or null.
type pair struct {
	set  bool
	a, b int
}

func (p *pair) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*p = pair{true, n, n}
		return nil
	}
	var l []int
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	switch len(l) {
	case 1:
		*p = pair{true, l[0], l[0]}
	case 2:
		*p = pair{true, l[0], l[1]}
	default:
		return fmt.Errorf("a size of %d numbers, want 1 or 2", len(l))
	}
	return nil
}

// parseModel decodes a model config. Keras 2 keeps it under "config" of
// the attribute's JSON; a few writers wrap it once more in {"config": ...}.
func parseModel(data []byte) (*modelJSON, error) {
	var m modelJSON
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, formatErrorf("model config is not the JSON Keras writes: %v", err)
	}
	switch m.ClassName {
	case "Sequential", "Functional", "Model":
	case "":
		return nil, formatErrorf("model config has no class_name")
	default:
		return nil, &UnsupportedError{Layer: m.Config.Name, Class: m.ClassName,
			Reason: "a subclassed or custom model keeps its architecture in Python code, not in the file"}
	}
	if len(m.Config.Layers) == 0 {
		return nil, formatErrorf("model config has no layers")
	}
	if len(m.Config.Layers) > maxLayers {
		return nil, formatErrorf("model config has %d layers, more than %d", len(m.Config.Layers), maxLayers)
	}
	for i := range m.Config.Layers {
		l := &m.Config.Layers[i]
		if l.Name == "" {
			l.Name = l.Config.Name
		}
	}
	return &m, nil
}

// chain returns a Functional model's layers from input to output, refusing
// anything but a straight chain: one input, one output, each layer fed by
// exactly the one before it and called once.
func chain(m *modelJSON) ([]layerJSON, error) {
	if m.ClassName == "Sequential" {
		return m.Config.Layers, nil
	}
	byName := map[string]int{}
	for i, l := range m.Config.Layers {
		if _, dup := byName[l.Name]; dup {
			return nil, formatErrorf("two layers are called %q", l.Name)
		}
		byName[l.Name] = i
	}
	ins, outs := historyNames(m.Config.InputLayers), historyNames(m.Config.OutputLayers)
	if len(ins) != 1 || len(outs) != 1 {
		return nil, &UnsupportedError{Layer: m.Config.Name, Class: m.ClassName,
			Reason: fmt.Sprintf("it has %d inputs and %d outputs; convplay reads models with one of each", len(ins), len(outs))}
	}
	source := map[string]string{}
	fed := map[string]string{} // layer -> the layer that reads it
	for _, l := range m.Config.Layers {
		var nodes []any
		if len(l.InboundNodes) > 0 {
			if err := json.Unmarshal(l.InboundNodes, &nodes); err != nil {
				return nil, formatErrorf("layer %q: inbound_nodes: %v", l.Name, err)
			}
		}
		if len(nodes) > 1 {
			return nil, &UnsupportedError{Layer: l.Name, Class: l.ClassName, Reason: "it is called more than once (a shared layer)"}
		}
		srcs := map[string]bool{}
		for _, n := range nodes {
			collectSources(n, srcs)
		}
		if len(srcs) > 1 {
			return nil, &UnsupportedError{Layer: l.Name, Class: l.ClassName,
				Reason: fmt.Sprintf("it takes %d inputs: the graph branches, and convplay reads straight chains", len(srcs))}
		}
		for s := range srcs {
			if _, ok := byName[s]; !ok {
				return nil, formatErrorf("layer %q reads an unknown layer %q", l.Name, s)
			}
			if other, ok := fed[s]; ok {
				return nil, &UnsupportedError{Layer: s, Class: m.Config.Layers[byName[s]].ClassName,
					Reason: fmt.Sprintf("both %q and %q read it: the graph branches, and convplay reads straight chains", other, l.Name)}
			}
			fed[s] = l.Name
			source[l.Name] = s
		}
	}
	var rev []layerJSON
	for name := outs[0]; ; name = source[name] {
		i, ok := byName[name]
		if !ok {
			return nil, formatErrorf("output layer %q is not among the layers", name)
		}
		rev = append(rev, m.Config.Layers[i])
		if len(rev) > len(m.Config.Layers) {
			return nil, formatErrorf("the layers' inputs loop")
		}
		if name == ins[0] {
			break
		}
		if _, ok := source[name]; !ok {
			return nil, formatErrorf("layer %q has no input, and is not the model's input %q", name, ins[0])
		}
	}
	if len(rev) != len(m.Config.Layers) {
		return nil, &UnsupportedError{Layer: m.Config.Name, Class: m.ClassName,
			Reason: fmt.Sprintf("%d of its %d layers are off the path from input to output", len(m.Config.Layers)-len(rev), len(m.Config.Layers))}
	}
	out := make([]layerJSON, len(rev))
	for i, l := range rev {
		out[len(rev)-1-i] = l
	}
	return out, nil
}

// historyNames reads input_layers/output_layers: [["name", 0, 0], ...]
// or, for a single tensor, ["name", 0, 0].
func historyNames(raw json.RawMessage) []string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		return nil
	}
	if len(l) > 0 {
		if s, ok := l[0].(string); ok {
			return []string{s}
		}
	}
	var names []string
	for _, e := range l {
		if t, ok := e.([]any); ok && len(t) > 0 {
			if s, ok := t[0].(string); ok {
				names = append(names, s)
			}
		}
	}
	return names
}

// collectSources finds the layers an inbound node reads: Keras 3's
// {"keras_history": ["name", 0, 0]} tensors and Keras 2's ["name", 0, 0,
// {kwargs}] lists, at any depth.
func collectSources(v any, out map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		if h, ok := v["keras_history"].([]any); ok && len(h) > 0 {
			if s, ok := h[0].(string); ok {
				out[s] = true
				return
			}
		}
		for _, e := range v {
			collectSources(e, out)
		}
	case []any:
		if len(v) >= 3 {
			if s, ok := v[0].(string); ok {
				if _, ok := v[1].(float64); ok {
					out[s] = true
					return
				}
			}
		}
		for _, e := range v {
			collectSources(e, out)
		}
	}
}

// snakeCase is Keras 3's naming.to_snake_case, which names a layer's
// weights in a .keras file: drop non-word characters, then
// re.sub("(.)([A-Z][a-z]+)", r"\1_\2") and re.sub("([a-z])([A-Z])", r"\1_\2"),
// then lower case. "MaxPooling2D" -> "max_pooling2d".
func snakeCase(name string) string {
	var w []byte
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '_' || isDigit(c) || isUpper(c) || isLower(c) {
			w = append(w, c)
		}
	}
	// (.)([A-Z][a-z]+), matches not overlapping, leftmost first.
	var s []byte
	for i := 0; i < len(w); {
		if i+2 < len(w) && isUpper(w[i+1]) && isLower(w[i+2]) {
			j := i + 3
			for j < len(w) && isLower(w[j]) {
				j++
			}
			s = append(s, w[i], '_')
			s = append(s, w[i+1:j]...)
			i = j
			continue
		}
		s = append(s, w[i])
		i++
	}
	var out strings.Builder
	for i := 0; i < len(s); {
		if i+1 < len(s) && isLower(s[i]) && isUpper(s[i+1]) {
			out.WriteByte(s[i])
			out.WriteByte('_')
			out.WriteByte(s[i+1] + 'a' - 'A')
			i += 2
			continue
		}
		c := s[i]
		if isUpper(c) {
			c += 'a' - 'A'
		}
		out.WriteByte(c)
		i++
	}
	return out.String()
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
