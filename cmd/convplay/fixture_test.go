package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"convplay/dataset"
	"convplay/internal/pixcode"
)

// convplayBin is the command line built once for the tests that run it as a
// separate process (exit codes, Ctrl-C).
var convplayBin string

func TestMain(m *testing.M) {
	if os.Getenv("CONVPLAY_TEST_WRITER") != "" {
		os.Exit(m.Run()) // TestWriteFileAtomicKilled's child needs no command line
	}
	dir, err := os.MkdirTemp("", "convplay-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	convplayBin = filepath.Join(dir, "convplay")
	if out, err := exec.Command("go", "build", "-o", convplayBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the command line: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// tinyClasses are the tiny data set's classes; its 28x28 images are
// seeded noise (0..63) with a bright (255) block that says the class:
// the left half (class 0), the right half (1) or the top half (2).
var tinyClasses = []dataset.Class{{En: "left", Zh: "左"}, {En: "right", Zh: "右"}, {En: "top", Zh: "上"}}

// tinyCounts are the tiny data set's samples per split.
var tinyCounts = dataset.Counts{Train: 90, Validation: 12, Test: 15}

// tinyImage is sample i's image, made from rng.
func tinyImage(rng *rand.Rand, label int) []byte {
	img := make([]byte, 28*28)
	for y := range 28 {
		for x := range 28 {
			v := byte(rng.IntN(64))
			if label == 0 && x < 14 || label == 1 && x >= 14 || label == 2 && y < 14 {
				v = 255
			}
			img[y*28+x] = v
		}
	}
	return img
}

// writeTinyData packs the tiny data set into a new directory in the
// format tools/packdata writes (dataset's doc), in chunks of 40 samples,
// with test samples 1 and 4 listed as duplicates. Its mean and std are
// given, not measured, so tests can standardize by hand.
func writeTinyData(t *testing.T) string { t.Helper(); return writeTinyDataRounded(t, 1) }

// writeTinyDataRounded is writeTinyData with the train and validation
// images rounded to multiples of step, as packdata -round packs them.
func writeTinyDataRounded(t *testing.T, step int) string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	man := dataset.Manifest{
		Format: dataset.Format, Version: dataset.Version, Name: "tiny", Title: "Tiny stripes", Source: "convplay's tests",
		License: "MIT", Attribution: "convplay's tests", Classes: tinyClasses, Shape: []int{28, 28, 1},
		Counts: tinyCounts, Mean: 100, Std: 80, Order: "seeded, by hand", TestDuplicates: []int{1, 4},
	}
	for _, s := range dataset.SplitNames {
		n := tinyCounts.Of(s)
		for k, first := 0, 0; first < n; k, first = k+1, first+40 {
			c := min(40, n-first)
			var img, lab []byte
			for i := first; i < first+c; i++ {
				label := i % 3
				img = append(img, tinyImage(rng, label)...)
				lab = append(lab, byte(label))
			}
			fileStep := 0
			if step > 1 && s != dataset.Test {
				img = pixcode.Round(img, step)
				fileStep = step
			}
			for kind, data := range map[string][]byte{dataset.Images: img, dataset.Labels: lab} {
				name := fmt.Sprintf("%s-%02d-%s.u8.gz", s, k, kind)
				var buf bytes.Buffer
				zw := gzip.NewWriter(&buf)
				_, err := zw.Write(data)
				require.NoError(t, err)
				require.NoError(t, zw.Close())
				sum := sha256.Sum256(buf.Bytes())
				f := dataset.File{Name: name, Split: s, Kind: kind, Count: c, Encoding: dataset.Gzip,
					Size: int64(buf.Len()), SHA256: hex.EncodeToString(sum[:])}
				if kind == dataset.Images {
					f.Step = fileStep
				}
				man.Files = append(man.Files, f)
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644))
			}
		}
	}
	b, err := json.MarshalIndent(man, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, dataset.ManifestName), b, 0o644))
	return dir
}

// tinyArch is a JSON model spec for the tiny data set: 28x28 pooled to 7x7
// by 4x4 max pooling, then a softmax over 3 classes (150 weights).
const tinyArch = `{"input": [28, 28, 1], "layers": [
	{"type": "MaxPooling2D", "pool_size": 4}, {"type": "Flatten"},
	{"type": "Dense", "units": 3, "activation": "softmax"}]}`

func writeTinyArch(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tiny.json")
	require.NoError(t, os.WriteFile(p, []byte(tinyArch), 0o644))
	return p
}

// trainTiny trains the tiny model for epochs in dir and returns the
// checkpoint's path and train's output.
func trainTiny(t *testing.T, data, dir string, epochs int, extra ...string) (string, string) {
	t.Helper()
	ckpt := filepath.Join(dir, "tiny.cpw")
	args := append([]string{"-data", data, "-arch", writeTinyArch(t), "-epochs", fmt.Sprint(epochs), "-batch", "16",
		"-optimizer", "adam", "-lr", "0.01", "-checkpoint", ckpt, "-csv", filepath.Join(dir, "history.csv"),
		"-plot", filepath.Join(dir, "history.png"), "-meta", filepath.Join(dir, "meta.json")}, extra...)
	var out bytes.Buffer
	require.NoError(t, runTrain(args, &out, nil), out.String())
	return ckpt, out.String()
}

// writeNPY writes a .npy version 1.0 file holding raw little-endian data.
func writeNPY(t *testing.T, path, descr string, shape []int, raw []byte, fortran bool) {
	t.Helper()
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = fmt.Sprint(d)
	}
	tuple := "(" + strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	tuple += ")"
	fo := "False"
	if fortran {
		fo = "True"
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, fo, tuple)
	h += strings.Repeat(" ", 63-(10+len(h))%64) + "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), 0, 0)
	binary.LittleEndian.PutUint16(b[8:], uint16(len(h)))
	b = append(append(b, h...), raw...)
	require.NoError(t, os.WriteFile(path, b, 0o644))
}

// float32Bytes is v as little-endian float32s.
func float32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// readRecord reads the record a training run wrote to dir/meta.json (-meta).
func readRecord(t *testing.T, dir string) record {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	require.NoError(t, err)
	var rec record
	require.NoError(t, json.Unmarshal(b, &rec))
	return rec
}
