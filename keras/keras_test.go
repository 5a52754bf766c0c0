package keras

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"convplay/nn"
)

// fixture is one entry of testdata/expected.json (gen.py).
type fixture struct {
	Inputs  []float32 `json:"inputs"`
	N       int       `json:"n"`
	Outputs []float64 `json:"outputs"`
	Refused string    `json:"refused"`
	Logits  bool      `json:"logits"`
	Scaling string    `json:"scaling"`
	Params  int       `json:"params"`
	Input   []int     `json:"input"`
	Skipped []string  `json:"skipped"`
}

func fixtures(t *testing.T) map[string]fixture {
	t.Helper()
	b, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var fs map[string]fixture
	if err := json.Unmarshal(b, &fs); err != nil {
		t.Fatal(err)
	}
	return fs
}

func readFixture(t *testing.T, name string) (*nn.Model, *Info, error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return Read(b)
}

// TestFixtures reads every model gen.py wrote, as Keras 2 and Keras 3 lay
// them out, and compares convplay's outputs with the NumPy forward pass
// within 1e-4 (relative to values above 1).
func TestFixtures(t *testing.T) {
	for name, want := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			m, info, err := readFixture(t, name)
			if want.Refused != "" {
				var ue *UnsupportedError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), want.Refused) || !strings.Contains(err.Error(), "BatchNormalization") {
					t.Fatalf("error %v, want an UnsupportedError naming %s and listing what is supported", err, want.Refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantFormat := map[string]string{".keras": "Keras 3 .keras", "k3.h5": "Keras 3 .h5", "k2.h5": "Keras 2 .h5"}
			if strings.HasPrefix(name, "windows") {
				wantFormat[".keras"] = "Keras 2 .keras"
			}
			for suffix, f := range wantFormat {
				if strings.HasSuffix(name, suffix) && info.Format != f {
					t.Errorf("format %q, want %q", info.Format, f)
				}
			}
			if info.Logits != want.Logits {
				t.Errorf("Logits %v, want %v", info.Logits, want.Logits)
			}
			if got := string(m.Spec.InputScaling); got != want.Scaling || info.ScalingKnown != (want.Scaling != "") {
				t.Errorf("input scaling %q (known %v), want %q", got, info.ScalingKnown, want.Scaling)
			}
			if want.Params != 0 && m.NumParams() != want.Params {
				t.Errorf("%d parameters, want %d", m.NumParams(), want.Params)
			}
			if fmt.Sprint(info.Skipped) != fmt.Sprint(want.Skipped) {
				t.Errorf("skipped %q, want %q", info.Skipped, want.Skipped)
			}
			if want.Input != nil && !m.InShape().Equal(want.Input) {
				t.Errorf("input %v, want %v", m.InShape(), want.Input)
			}
			out := m.Forward(want.Inputs, want.N, false)
			if len(out) != len(want.Outputs) {
				t.Fatalf("%d outputs, want %d", len(out), len(want.Outputs))
			}
			for i, w := range want.Outputs {
				if d := math.Abs(float64(out[i]) - w); !(d <= 1e-4*max(1, math.Abs(w))) {
					t.Errorf("output %d = %v, want %v", i, out[i], w)
				}
			}
		})
	}
}

// TestReferenceSpec: the notes' model read from a Keras 2 .h5 is convplay's
// ReferenceSpec with Keras's layer names.
func TestReferenceSpec(t *testing.T) {
	m, _, err := readFixture(t, "reference_k2.h5")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := nn.Build(nn.ReferenceSpec(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if m.Summary() != ref.Summary() {
		t.Errorf("summary\n%s\nwant\n%s", m.Summary(), ref.Summary())
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"Conv2D": "conv2d", "MaxPooling2D": "max_pooling2d", "BatchNormalization": "batch_normalization",
		"Dense": "dense", "InputLayer": "input_layer", "AveragePooling2D": "average_pooling2d",
		"Conv2DTranspose": "conv2d_transpose", "ABcDe": "a_bc_de", "HTTPServer": "http_server",
	} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRefusals: configs convplay cannot run are refused by name.
func TestRefusals(t *testing.T) {
	seq := func(layers string) string {
		return `{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 8, 8, 1], "name": "in"}}, ` + layers + `]}}`
	}
	for _, c := range []struct{ name, config, want string }{
		{"tfsm", seq(`{"class_name": "TFSMLayer", "config": {"name": "tfsm"}}`), `"tfsm" (TFSMLayer)`},
		{"dilation", seq(`{"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": [3, 3], "dilation_rate": [2, 2]}}`), "dilation_rate"},
		{"rectangular", seq(`{"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": [3, 1]}}`), "not square"},
		{"elu", seq(`{"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "elu"}}`), `"d" (Dense)`},
		{"channels_first", seq(`{"class_name": "MaxPooling2D", "config": {"name": "p", "pool_size": 2, "data_format": "channels_first"}}`), "channels_last"},
		{"open size", `{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, null, null, 1], "name": "in"}}, {"class_name": "Flatten", "config": {"name": "f"}}]}}`, "None"},
		{"reshape later", seq(`{"class_name": "Flatten", "config": {"name": "f"}}, {"class_name": "Reshape", "config": {"name": "r", "target_shape": [8, 8]}}`), `"r" (Reshape)`},
		{"reshape inferred", `{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 64], "name": "in"}}, {"class_name": "Reshape", "config": {"name": "r", "target_shape": [8, -1, 1]}}]}}`, `"r" (Reshape)`},
		{"subclassed", `{"class_name": "MyModel", "config": {"name": "m", "layers": []}}`, "MyModel"},
		{"huge activation", `{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 65536, 65536, 1], "name": "in"}}, {"class_name": "Flatten", "config": {"name": "f"}}]}}`, "more than"},
		{"nested lambda", seq(`{"class_name": "Sequential", "config": {"name": "inner", "layers": [{"class_name": "Lambda", "config": {"name": "lam"}}]}}`), `"inner/lam" (Lambda)`},
		{"nested two inputs", seq(`{"class_name": "Functional", "config": {"name": "two", "layers": [{"class_name": "InputLayer", "config": {"name": "a"}}, {"class_name": "InputLayer", "config": {"name": "b"}}, {"class_name": "Flatten", "config": {"name": "c"}}], "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["c", 0, 0]]}}`), `"two" (Functional)`},
		{"pool too big", seq(`{"class_name": "MaxPooling2D", "config": {"name": "p", "pool_size": 9}}`), `"p" (MaxPooling2D)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := build([]byte(c.config), 1<<20, nil)
			var ue *UnsupportedError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want an UnsupportedError with %q", err, c.want)
			}
		})
	}
}

// TestNestedConfigs: models nested deeper than maxNesting are refused with
// a clear error, not recursed into without end; a Keras 2.0 nested
// Sequential (its config the bare list of layers) is read; a nested model
// first gives the input shape.
func TestNestedConfigs(t *testing.T) {
	inner := `{"class_name": "Flatten", "config": {"name": "f"}}`
	for i := 0; i < maxNesting+2; i++ {
		inner = fmt.Sprintf(`{"class_name": "Sequential", "config": {"name": "s%d", "layers": [%s]}}`, i, inner)
	}
	config := `{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 8, 8, 1], "name": "in"}}, ` + inner + `]}}`
	if _, _, err := build([]byte(config), 1<<20, nil); err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("error %v, want one about the nesting", err)
	}
	list := `{"class_name": "Sequential", "config": [{"class_name": "Sequential", "config": [{"class_name": "MaxPooling2D", "config": {"name": "p", "pool_size": [2, 2], "batch_input_shape": [null, 8, 8, 1]}}]}, {"class_name": "Flatten", "config": {"name": "f"}}]}`
	m, _, err := build([]byte(list), 1<<20, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !m.InShape().Equal(nn.Shape{8, 8, 1}) || !m.OutShape().Equal(nn.Shape{16}) {
		t.Errorf("input %v, output %v; want (8, 8, 1) and (16)", m.InShape(), m.OutShape())
	}
	// The nested model first, no InputLayer outside it: its own InputLayer
	// (Keras 3), or only its build_input_shape, gives the model's input.
	for _, inner := range []string{
		`{"name": "aug", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 8, 8, 1], "name": "in"}}, {"class_name": "RandomFlip", "config": {"name": "flip"}}]}`,
		`{"name": "aug", "layers": [{"class_name": "RandomFlip", "config": {"name": "flip"}}], "build_input_shape": [null, 8, 8, 1]}`,
	} {
		config := `{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Sequential", "config": ` + inner + `}, {"class_name": "MaxPooling2D", "config": {"name": "p", "pool_size": 2}}]}}`
		m, info, err := build([]byte(config), 1<<20, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !m.InShape().Equal(nn.Shape{8, 8, 1}) || len(m.Layers) != 1 || fmt.Sprint(info.Skipped) != "[flip (RandomFlip)]" {
			t.Errorf("input %v, %d layers, skipped %q; want (8, 8, 1), the pooling, the flip", m.InShape(), len(m.Layers), info.Skipped)
		}
	}
}

// TestReshapeAtInput: a Reshape from (784) to (28, 28, 1) at the input
// makes the model's input (28, 28, 1), the same values in the same order.
func TestReshapeAtInput(t *testing.T) {
	config := `{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 784], "name": "in"}}, {"class_name": "Reshape", "config": {"name": "r", "target_shape": [28, 28, 1]}}, {"class_name": "MaxPooling2D", "config": {"name": "p", "pool_size": [2, 2]}}]}}`
	m, _, err := build([]byte(config), 1<<20, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !m.InShape().Equal(nn.Shape{28, 28, 1}) || !m.OutShape().Equal(nn.Shape{14, 14, 1}) {
		t.Errorf("input %v, output %v; want (28, 28, 1) and (14, 14, 1)", m.InShape(), m.OutShape())
	}
}

// TestDeclaredTooLarge: a config declaring more weights than the file
// holds is refused before they are allocated.
func TestDeclaredTooLarge(t *testing.T) {
	config := `{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4096], "name": "in"}}, {"class_name": "Dense", "config": {"name": "big", "units": 65536}}]}}`
	_, _, err := build([]byte(config), 1<<20, nil)
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), `"big" declares more weights than the file holds`) {
		t.Errorf("error %v, want a FormatError naming the layer", err)
	}
}

// TestDamaged: damaged files give errors, never panics.
func TestDamaged(t *testing.T) {
	b, err := os.ReadFile("testdata/bn_logits_k2.h5")
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range [][]byte{nil, []byte("PK\x03\x04junk"), b[:len(b)/2], b[:1000]} {
		if _, _, err := Read(data); err == nil {
			t.Errorf("%d bytes: no error", len(data))
		}
	}
}

// FuzzRead reads arbitrary files, seeded with the fixtures.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"bn_logits_k2.h5", "bn_logits.keras", "functional_k3.h5", "mlp_input2d.keras", "keras20_list_k2.h5", "vlen_names_k3.h5", "windows213.keras", "nested_features_k2.h5", "nested_functional_k3.h5", "nested_augment.keras"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, _, err := Read(data)
		if err == nil && m == nil {
			t.Fatal("no model and no error")
		}
	})
}

// BenchmarkReadReference reads the notebook's model from a Keras 2 .h5
// (1.7 MB, 435,306 weights), as the command line and the worker do.
func BenchmarkReadReference(b *testing.B) {
	data, err := os.ReadFile("testdata/reference_k2.h5")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := Read(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadNested reads models nested inside models: a Functional
// around two Sequential blocks (.keras) and a feature extractor in a
// classifier (Keras 2 .h5).
func BenchmarkReadNested(b *testing.B) {
	for _, name := range []string{"nested_functional.keras", "nested_features_k2.h5"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, _, err := Read(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
