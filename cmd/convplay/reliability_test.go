package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oldCheckpoint is what an earlier run left at a checkpoint path: a
// different, valid model (the tiny model from another run).
func oldCheckpoint(t *testing.T, data, dir string) []byte {
	t.Helper()
	old, _ := trainTiny(t, data, t.TempDir(), 1)
	b, err := os.ReadFile(old)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "best.cpw"), b, 0o644))
	return b
}

// TestTrainInterruptBeforeFirstEpoch stops a run before any epoch ends
// while an earlier run's model sits at -checkpoint: the run must say it
// wrote none, and neither name nor evaluate the old file.
func TestTrainInterruptBeforeFirstEpoch(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	before := oldCheckpoint(t, data, dir)
	ckpt := filepath.Join(dir, "best.cpw")
	stop := make(chan os.Signal, 1)
	stop <- os.Interrupt // Ctrl-C before the first batch
	var out bytes.Buffer
	require.NoError(t, runTrain([]string{"-data", data, "-arch", writeTinyArch(t), "-batch", "8",
		"-checkpoint", ckpt, "-csv", "", "-plot", "", "-meta", filepath.Join(dir, "meta.json")}, &out, stop))
	assert.Contains(t, out.String(), "No checkpoint was written")
	assert.NotContains(t, out.String(), "Best checkpoint")
	assert.NotContains(t, out.String(), "Test [loss, accuracy]")
	after, err := os.ReadFile(ckpt)
	require.NoError(t, err)
	assert.Equal(t, before, after, "the old file was changed")
	meta, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(meta), `"test": {`)
	assert.NotContains(t, string(meta), `"checkpoint"`)
}

// TestTrainDivergedNamesNoStaleCheckpoint: a run that diverges in its first
// epoch wrote no checkpoint, and must not point at the earlier run's file.
func TestTrainDivergedNamesNoStaleCheckpoint(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	oldCheckpoint(t, data, dir)
	var out bytes.Buffer
	err := runTrain([]string{"-data", data, "-arch", writeTinyArch(t), "-batch", "8", "-optimizer", "adam", "-lr", "1e38",
		"-checkpoint", filepath.Join(dir, "best.cpw"), "-csv", "", "-plot", ""}, &out, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no checkpoint was written")
	assert.NotContains(t, err.Error(), "best.cpw")
}

// TestTrainChecksOutputDirsFirst: an output in a missing directory fails at
// once, before any training, with the flag named.
func TestTrainChecksOutputDirsFirst(t *testing.T) {
	data, arch, dir := writeTinyData(t), writeTinyArch(t), t.TempDir()
	missing := filepath.Join(dir, "no", "such")
	ok := map[string]string{"-checkpoint": filepath.Join(dir, "m.cpw"), "-csv": "", "-plot": "", "-meta": ""}
	for _, flag := range []string{"-checkpoint", "-csv", "-plot", "-meta"} {
		t.Run(flag, func(t *testing.T) {
			args := []string{"-data", data, "-arch", arch, "-epochs", "1"}
			for f, v := range ok {
				if f == flag {
					v = filepath.Join(missing, "out")
				}
				args = append(args, f, v)
			}
			var out bytes.Buffer
			err := runTrain(args, &out, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), flag+" ")
			assert.Contains(t, err.Error(), "does not exist")
			assert.Empty(t, out.String(), "training started")
		})
	}
}

// TestWriteFileAtomicKilled kills a process with SIGKILL in the middle of
// writeFileAtomic (the checkpoint's, export's and import's writer) and
// checks that no temporary file is left and the old file is intact.
func TestWriteFileAtomicKilled(t *testing.T) {
	if dir := os.Getenv("CONVPLAY_TEST_WRITER"); dir != "" {
		// The child: write half a file, say so, and wait to be killed.
		writeFileAtomic(filepath.Join(dir, "model.cpw"), func(f *os.File) error {
			f.Write(bytes.Repeat([]byte("new "), 1<<16))
			os.WriteFile(filepath.Join(dir, "ready"), nil, 0o644)
			select {}
		})
		return
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "model.cpw"), []byte("old"), 0o644))
	cmd := exec.Command(os.Args[0], "-test.run", "^TestWriteFileAtomicKilled$")
	cmd.Env = append(os.Environ(), "CONVPLAY_TEST_WRITER="+dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the writer never got going:\n%s", out.String())
		}
		time.Sleep(5 * time.Millisecond) // polling the file system
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	err := cmd.Wait()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "%v", err)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"model.cpw", "ready"}, names, "a killed write left files behind")
	b, err := os.ReadFile(filepath.Join(dir, "model.cpw"))
	require.NoError(t, err)
	assert.Equal(t, "old", string(b))
}

// TestWriteFileAtomicError: a failed write leaves the old file and no
// temporary one.
func TestWriteFileAtomicError(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "model.cpw")
	require.NoError(t, os.WriteFile(p, []byte("old"), 0o644))
	err := writeFileAtomic(p, func(f *os.File) error {
		f.Write([]byte("half"))
		return fmt.Errorf("disk on fire")
	})
	require.ErrorContains(t, err, "disk on fire")
	require.NoError(t, writeFileAtomic(filepath.Join(dir, "new.cpw"), func(f *os.File) error {
		_, err := f.Write([]byte("new"))
		return err
	}))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 2)
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), "."), e.Name())
	}
	b, _ := os.ReadFile(p)
	assert.Equal(t, "old", string(b))
	st, err := os.Stat(filepath.Join(dir, "new.cpw"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o444), st.Mode().Perm()&0o444, "not readable by all, as os.Create's files are")
}

// TestCPWErrorsHintNPZOnlyForZips: a broken .cpw's error says what is
// wrong with it; the hint about the .npz extension comes only when the
// file is in fact a zip (a .npz under another name).
func TestCPWErrorsHintNPZOnlyForZips(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.cpw")
	require.NoError(t, os.WriteFile(corrupt, []byte("not a model at all"), 0o644))
	_, err := loadModel(corrupt, "")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), ".npz")

	zipped := filepath.Join(dir, "weights.cpw")
	require.NoError(t, os.WriteFile(zipped, []byte("PK\x03\x04 and the rest of a zip"), 0o644))
	_, err = loadModel(zipped, "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "needs the .npz extension")
}

// TestPredictHostileAndBlankPictures: a 71-byte PNG declaring 10^6 x 10^6
// pixels is a one-line error (it was an out-of-memory crash), and a blank
// picture is classified with a warning, in the JSON and on standard error.
func TestPredictHostileAndBlankPictures(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	ckpt, _ := trainTiny(t, data, dir, 1)
	err := runPredict([]string{"-weights", ckpt, "-data", data, "../../imageprep/testdata/huge-header.png"}, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "declares 1000000x1000000 pixels")

	var out, stderr bytes.Buffer
	require.NoError(t, runPredict([]string{"-weights", ckpt, "-data", data, "../../imageprep/testdata/blank.png",
		"../../imageprep/testdata/drawing.png"}, &out, &stderr))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 2)
	var blank, drawing prediction
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &blank))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &drawing))
	assert.Equal(t, []string{"empty"}, blank.Warnings)
	assert.NotContains(t, drawing.Warnings, "empty")
	assert.Contains(t, stderr.String(), "convplay predict: warning: ../../imageprep/testdata/blank.png: the picture is blank")
}

// TestLoadBoundsTheLastLayer: a .cpw whose last layer's output is
// 33600x33600 (a transposed convolution of stride 1200: one weight, so the
// file is tiny; nn's hostile fixture) is refused when loaded, with one line
// naming the layer, before anything runs it.
func TestLoadBoundsTheLastLayer(t *testing.T) {
	_, err := loadModel(filepath.Join("..", "..", "nn", "testdata", "hostile", "stride-1200.cpw"), "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "layer 1 (conv2d_transpose)")
	assert.NotContains(t, err.Error(), "\n")
}
