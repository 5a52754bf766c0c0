package formats

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"convplay/keras"
	"convplay/nn"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func kerasFiles(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("..", "..", "keras", "testdata", "*.*"))
	require.NoError(t, err)
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, ".h5") || strings.HasSuffix(f, ".keras") {
			out = append(out, f)
		}
	}
	require.NotEmpty(t, out)
	return out
}

// TestReadKerasKeepsTheModel: the .cpw that ReadKeras gives is the model
// keras.Read reads, spec and every parameter (the trainable ones and the
// batch norms' statistics), and the same Info; a file keras.Read refuses
// gives its error.
func TestReadKerasKeepsTheModel(t *testing.T) {
	read := 0
	for _, f := range kerasFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			want, wantInfo, wantErr := keras.Read(b)
			cpw, info, err := ReadKeras(b)
			if wantErr != nil {
				require.EqualError(t, err, wantErr.Error())
				assert.Nil(t, cpw)
				return
			}
			read++
			require.NoError(t, err)
			assert.Equal(t, wantInfo, info)
			got, err := nn.Load(bytes.NewReader(cpw))
			require.NoError(t, err)
			assertSameModel(t, want, got)
		})
	}
	assert.Greater(t, read, 10, "most fixtures are models keras reads")
}

func assertSameModel(t *testing.T, want, got *nn.Model) {
	t.Helper()
	assert.Equal(t, want.Spec, got.Spec)
	wp, gp := want.Params(), got.Params()
	require.Len(t, gp, len(wp))
	for i := range wp {
		assert.Equal(t, wp[i].Shape, gp[i].Shape, "param %d", i)
		assert.Equal(t, wp[i].W, gp[i].W, "param %d", i)
	}
}

// TestWriteKerasAndNPZ: the conversions the page's downloads use give what
// keras.Export and ExportNPZ give for the model itself, and ReadNPZ of the
// written .npz into a fresh model of the same architecture restores it.
func TestWriteKerasAndNPZ(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "keras", "testdata", "bn_logits.keras"))
	require.NoError(t, err)
	m, _, err := keras.Read(b)
	require.NoError(t, err)
	m, err = keras.ForStandardized(m, 72.94, 90.02, true) // as the engine keeps it
	require.NoError(t, err)
	cpw, err := save(m)
	require.NoError(t, err)
	saved := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)

	k, err := WriteKeras(cpw, saved)
	require.NoError(t, err)
	want, err := keras.Export(m, saved)
	require.NoError(t, err)
	assert.Equal(t, want, k, "the .keras download")

	npz, err := WriteNPZ(cpw)
	require.NoError(t, err)
	var wantNPZ bytes.Buffer
	require.NoError(t, m.ExportNPZ(&wantNPZ))
	assert.Equal(t, wantNPZ.Bytes(), npz, "the .npz download")

	fresh, err := nn.Build(m.Spec, 7)
	require.NoError(t, err)
	freshCPW, err := save(fresh)
	require.NoError(t, err)
	back, err := ReadNPZ(freshCPW, npz)
	require.NoError(t, err)
	got, err := nn.Load(bytes.NewReader(back))
	require.NoError(t, err)
	assertSameModel(t, m, got)
}

// TestBadInputs: each conversion refuses what is not its file, in one line.
func TestBadInputs(t *testing.T) {
	_, _, err := ReadKeras([]byte("not a model"))
	assert.ErrorContains(t, err, "neither an HDF5 (.h5) nor a zip (.keras) file")
	_, err = WriteKeras([]byte("junk"), time.Now())
	assert.ErrorContains(t, err, "formats: the model:")
	_, err = WriteNPZ(nil)
	assert.ErrorContains(t, err, "formats: the model:")
	fresh, err := nn.Build(mustSpec(t), 1)
	require.NoError(t, err)
	cpw, err := save(fresh)
	require.NoError(t, err)
	_, err = ReadNPZ(cpw, []byte("PK\x03\x04 cut short"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "\n")
	npz, err := os.ReadFile(filepath.Join("..", "..", "nn", "testdata", "numpy_savez.npz"))
	require.NoError(t, err)
	if _, err := ReadNPZ(cpw, npz); err != nil { // another architecture's weights: an error naming the layer
		assert.NotContains(t, err.Error(), "\n")
	}
}

func mustSpec(t testing.TB) nn.ModelSpec {
	s, err := nn.Preset("dense")
	require.NoError(t, err)
	return s
}

// FuzzReadKeras: any bytes give a model that loads back or an error.
func FuzzReadKeras(f *testing.F) {
	for _, p := range kerasFiles(f) {
		b, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cpw, _, err := ReadKeras(b)
		if err != nil {
			return
		}
		if _, err := nn.Load(bytes.NewReader(cpw)); err != nil {
			t.Fatalf("ReadKeras gave a model nn.Load refuses: %v", err)
		}
	})
}

// FuzzReadNPZ: any .npz bytes load into the model or leave an error.
func FuzzReadNPZ(f *testing.F) {
	for _, name := range []string{"numpy_savez.npz", "numpy_named.npz", "go_export.npz", "numpy_fortran.npz"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "nn", "testdata", name))
		require.NoError(f, err)
		f.Add(b)
	}
	fresh, err := nn.Build(mustSpec(f), 1)
	require.NoError(f, err)
	cpw, err := save(fresh)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, npz []byte) {
		out, err := ReadNPZ(cpw, npz)
		if err != nil {
			return
		}
		if _, err := nn.Load(bytes.NewReader(out)); err != nil {
			t.Fatalf("ReadNPZ gave a model nn.Load refuses: %v", err)
		}
	})
}
