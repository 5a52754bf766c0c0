package keras

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"convplay/internal/hdf5"
	"convplay/nn"
)

var update = flag.Bool("update", false, "rewrite testdata/export_*.keras (then run testdata/check_export.py)")

// exportSources are the fixtures exported to testdata/export_<name>.keras:
// Rescaling, both poolings, BatchNormalization, Activation, Dropout and
// logits; BatchNormalization without beta on vectors.
var exportSources = []string{"bn_logits.keras", "mlp_input2d_k2.h5"}

var exportDate = time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC)

func exportName(src string) string {
	return "export_" + strings.TrimSuffix(strings.TrimSuffix(src, filepath.Ext(src)), "_k2") + ".keras"
}

// TestExport: each fixture exported to a .keras is byte for byte the file
// h5py read in testdata/check_export.py (so its view, export_check.json,
// is the view of this code's output); h5py found the objects, attributes
// and shapes convplay's reader finds; the outputs of a NumPy forward pass on
// what h5py read equal convplay's, within 1e-4, on the file read back; and
// the model read back computes exactly what the exported model computes.
func TestExport(t *testing.T) {
	var checked map[string]struct {
		Entries      [][]any `json:"entries"`
		KerasVersion string  `json:"keras_version"`
		Objects      []struct {
			Path  string           `json:"path"`
			Attrs map[string][]any `json:"attrs"`
			Shape []int            `json:"shape"`
			Dtype string           `json:"dtype"`
		} `json:"objects"`
		Inputs  []float32 `json:"inputs"`
		N       int       `json:"n"`
		Outputs []float64 `json:"outputs"`
	}
	if !*update {
		b, err := os.ReadFile("testdata/export_check.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &checked); err != nil {
			t.Fatal(err)
		}
	}
	for _, src := range exportSources {
		name := exportName(src)
		t.Run(name, func(t *testing.T) {
			m, _, err := readFixture(t, src)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Export(m, exportDate)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name)
			if *update {
				if err := os.WriteFile(golden, b, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, want) {
				t.Fatalf("the export differs from %s, which h5py checked: run go test -update and check_export.py", golden)
			}
			c, ok := checked[name]
			if !ok {
				t.Fatalf("%s is not in export_check.json", name)
			}
			if fmt.Sprint(c.Entries) != "[[metadata.json 0] [config.json 0] [model.weights.h5 0]]" || c.KerasVersion != ExportVersion {
				t.Errorf("h5py saw entries %v, version %q; want Keras's three, stored, and %q", c.Entries, c.KerasVersion, ExportVersion)
			}
			// What h5py saw is what convplay's reader sees.
			zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			wb, err := zipFile(zr, "model.weights.h5", 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			var ours, theirs []string
			for _, o := range c.Objects {
				var attrs []string
				for k, v := range o.Attrs {
					attrs = append(attrs, fmt.Sprintf("%s=%v(vlen %v)", k, v[0], v[1]))
				}
				sort.Strings(attrs)
				theirs = append(theirs, fmt.Sprintf("%s %v %v %s", o.Path, attrs, o.Shape, o.Dtype))
			}
			f, err := hdf5.Open(wb)
			if err != nil {
				t.Fatal(err)
			}
			root, _ := f.Root()
			err = root.Walk(func(o *hdf5.Object) error {
				if o.Path == "/" {
					return nil
				}
				as, err := o.Attrs()
				if err != nil {
					return err
				}
				var attrs []string
				for _, a := range as {
					s, err := a.String()
					if err != nil {
						return err
					}
					attrs = append(attrs, fmt.Sprintf("%s=%s(vlen true)", a.Name, s))
				}
				sort.Strings(attrs)
				var shape []int
				dtype := ""
				if o.IsDataset() {
					shape, dtype = o.Shape(), "<f4"
				}
				ours = append(ours, fmt.Sprintf("%s %v %v %s", strings.TrimPrefix(o.Path, "/"), attrs, shape, dtype))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(ours)
			sort.Strings(theirs)
			if !slices.Equal(ours, theirs) {
				t.Errorf("convplay reads\n%s\nh5py read\n%s", strings.Join(ours, "\n"), strings.Join(theirs, "\n"))
			}
			back, info, err := Read(b)
			if err != nil {
				t.Fatal(err)
			}
			if info.Format != "Keras 3 .keras" || back.Spec.InputScaling != m.Spec.InputScaling || back.NumParams() != m.NumParams() {
				t.Errorf("read back: %s, input %q, %d weights; want a .keras, %q, %d", info.Format, back.Spec.InputScaling, back.NumParams(), m.Spec.InputScaling, m.NumParams())
			}
			got := back.Forward(c.Inputs, c.N, false)
			orig := m.Forward(c.Inputs, c.N, false)
			for i, w := range c.Outputs {
				if d := math.Abs(float64(got[i]) - w); !(d <= 1e-4*max(1, math.Abs(w))) {
					t.Fatalf("output %d = %v, NumPy on h5py's reading %v", i, got[i], w)
				}
				if got[i] != orig[i] {
					t.Fatalf("output %d = %v read back, %v before the export", i, got[i], orig[i])
				}
			}
		})
	}
}

// TestExportRefuses: a layer Keras's export does not write is named.
func TestExportRefuses(t *testing.T) {
	m, _, err := readFixture(t, "mlp_input2d_k2.h5")
	if err != nil {
		t.Fatal(err)
	}
	m.Spec.Layers[1].Type = "Conv2DTranspose"
	if _, err := Export(m, exportDate); err == nil || !strings.Contains(err.Error(), "Conv2DTranspose") {
		t.Errorf("error %v, want one naming Conv2DTranspose", err)
	}
}

// TestExportUnwraps: the model the page keeps (ForStandardized's wrapping
// of a file's model of raw pixels and logits) exports as the file's model.
func TestExportUnwraps(t *testing.T) {
	m, _, err := readFixture(t, "bn_logits.keras")
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := ForStandardized(m, 72.9, 90.0, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(wrapped.Layers) != len(m.Layers)+2 {
		t.Fatalf("wrapped in %d layers, want %d", len(wrapped.Layers), len(m.Layers)+2)
	}
	a, err := Export(m, exportDate)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Export(wrapped, exportDate)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("the wrapped model exports differently from the file's")
	}
	unit, _, err := readFixture(t, "mlp_input2d.keras")
	if err != nil {
		t.Fatal(err)
	}
	unit.Spec.InputScaling = nn.Unit
	wrapped, err = ForStandardized(unit, 72.9, 90.0, true)
	if err != nil {
		t.Fatal(err)
	}
	got, err := unwrap(wrapped)
	if err != nil || got.Spec.InputScaling != nn.Unit || len(got.Layers) != len(unit.Layers) {
		t.Errorf("unwrapped: %v, input %q, %d layers; want unit, %d", err, got.Spec.InputScaling, len(got.Layers), len(unit.Layers))
	}
}
