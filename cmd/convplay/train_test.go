package main

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/nn"
)

// TestTrainNoBetterThanChance: a run that learns nothing says so in a
// line of its own (at a learning rate of 1e-9, the tiny model keeps
// calling every image one class: a third of them right).
func TestTrainNoBetterThanChance(t *testing.T) {
	_, out := trainTiny(t, writeTinyData(t), t.TempDir(), 1, "-lr", "1e-9", "-no-test")
	assert.Contains(t, out, "\nThis run ended no better than chance: val_accuracy 0.3333 is not above 0.3667 (chance 0.3333, plus a twentieth of the way to 1): it learnt nothing useful")
}

func TestTrainCommand(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	ckpt, out := trainTiny(t, data, dir, 3)

	// Plain progress lines (the output is not a terminal): the epoch
	// headers, a line per tenth of an epoch, the epoch's Keras line.
	assert.Contains(t, out, "Training ")
	assert.Contains(t, out, "(150 parameters) on Tiny stripes: 90 training, 12 validation images;")
	for _, want := range []string{"Epoch 1/3\n", "Epoch 2/3\n", "Epoch 3/3\n",
		"1/6 - ", "6/6 [==============================] - ", "s/step - loss: ", " - accuracy: ", " - val_loss: ", " - val_accuracy: ",
		"Trained 3 epochs in ", "Best checkpoint: " + ckpt, "Test [loss, accuracy] of the checkpoint: [",
		"Deduplicated test (13 images): ["} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "\r", "no terminal redraws in a file")
	assert.NotContains(t, out, "chance", "the tiny problem is learnt")

	// The CSV: Keras's CSVLogger, a header and one row per epoch.
	csv, err := os.ReadFile(filepath.Join(dir, "history.csv"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(csv), "\r\n"), "\r\n")
	require.Len(t, lines, 4)
	assert.Equal(t, "epoch,accuracy,loss,val_accuracy,val_loss", lines[0])
	for i, l := range lines[1:] {
		assert.True(t, strings.HasPrefix(l, string(rune('0'+i))+","), l)
		assert.Len(t, strings.Split(l, ","), 5)
	}

	// The learning curves: an 8x5-inch PNG at gonum/plot's 96 dpi.
	f, err := os.Open(filepath.Join(dir, "history.png"))
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, 768, img.Bounds().Dx())
	assert.Equal(t, 480, img.Bounds().Dy())

	// The record, and the checkpoint it names reaches its test accuracy.
	rec := readRecord(t, dir)
	assert.Equal(t, uint64(1), rec.Seed)
	assert.Equal(t, 3, rec.EpochsRun)
	assert.Equal(t, 90, rec.Data.Train)
	assert.Zero(t, rec.Data.PixelStep, "the tiny set's pixels are exact")
	assert.NotContains(t, out, "rounded")
	assert.Equal(t, "adam", rec.Optimizer.Name)
	assert.Len(t, rec.History.ValAccuracy, 3)
	require.NotNil(t, rec.Test)
	assert.True(t, strings.HasPrefix(rec.Command, "convplay train -data "), rec.Command)
	st, err := os.Stat(ckpt)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm(), "a checkpoint is an ordinary file, not the temporary file's 0600")
	m, err := loadModel(ckpt, "")
	require.NoError(t, err)
	ds, err := openData(data)
	require.NoError(t, err)
	_, acc, err := m.Evaluate(mustSplit(ds, "test"), 0)
	require.NoError(t, err)
	assert.Equal(t, rec.Test.Accuracy, acc)
	assert.Greater(t, acc, 0.9, "the tiny problem is easy")
}

// TestTrainSameSeed: the same command gives the same weights.
// The record says when the training images were rounded (make data rounds
// Fashion-MNIST's to steps of 5), so a run's numbers say what they are on.
func TestTrainRecordsRoundedData(t *testing.T) {
	dir := t.TempDir()
	_, out := trainTiny(t, writeTinyDataRounded(t, 5), dir, 1, "-no-test")
	assert.Contains(t, out, "\nIts training images are rounded to multiples of 5 grey levels, for a smaller download (packdata -round); the test images are exact.\n")
	assert.Equal(t, 5, readRecord(t, dir).Data.PixelStep)
}

func TestTrainSameSeed(t *testing.T) {
	data := writeTinyData(t)
	a, _ := trainTiny(t, data, t.TempDir(), 1)
	b, _ := trainTiny(t, data, t.TempDir(), 1)
	wa, err := os.ReadFile(a)
	require.NoError(t, err)
	wb, err := os.ReadFile(b)
	require.NoError(t, err)
	assert.Equal(t, wa, wb)
}

// TestTrainSubsetAndEarlyStopping: -subset trains on the first images and
// early stopping with patience 0 stops after the first epoch that does not
// improve by min_delta (an impossible 10 here: the second epoch).
func TestTrainSubsetAndEarlyStopping(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	_, out := trainTiny(t, data, dir, 5, "-subset", "20", "-val-subset", "5", "-patience", "0", "-min-delta", "10")
	assert.Contains(t, out, ": 20 training, 5 validation images;")
	assert.Contains(t, out, "Early stopping after epoch 2 (best val_loss ")
	assert.Contains(t, out, "Trained 2 epochs in ")
	rec := readRecord(t, dir)
	assert.True(t, rec.StoppedEarly)
	assert.Equal(t, 20, rec.Data.Subset)
	assert.Equal(t, 2, rec.BestEpoch, "the checkpoint saves every lower val_loss, whatever early stopping's min_delta")
}

func TestTrainErrors(t *testing.T) {
	data := writeTinyData(t)
	arch := writeTinyArch(t)
	dir := t.TempDir()
	ck := filepath.Join(dir, "m.cpw")
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"unknown flag", []string{"-epoch", "3"}, "usage"},
		{"extra argument", []string{"fashion"}, "usage"},
		{"zero epochs", []string{"-epochs", "0"}, "-epochs 0: want at least 1"},
		{"negative batch", []string{"-batch", "-2"}, "-batch -2: want at least 1"},
		{"missing data", []string{"-data", filepath.Join(dir, "none")}, "no packed data set in"},
		{"missing data name", []string{"-data", "nosuchset", "-arch", arch}, "(run make data in the repository's root"},
		{"bad arch", []string{"-data", data, "-arch", "huge"}, `-arch "huge" is neither a preset`},
		{"bad optimizer", []string{"-data", data, "-arch", arch, "-optimizer", "lbfgs"}, "lbfgs"},
		{"arch does not fit data", []string{"-data", data, "-arch", "small"}, "has 3 classes but -arch small outputs 10 values"},
		{"bad monitor", []string{"-data", data, "-arch", arch, "-monitor", "val_acc"}, `monitors "val_acc"`},
		{"unwritable csv", []string{"-data", data, "-arch", arch, "-csv", filepath.Join(dir, "no", "h.csv")}, "-csv "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			args := append(tt.args, "-checkpoint", ck, "-csv", filepath.Join(dir, "h.csv"), "-plot", "")
			if tt.name == "unwritable csv" {
				args = tt.args
			}
			err := runTrain(args, &out, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
}

// TestTrainInterrupt runs training as a separate process, sends it SIGINT
// (Ctrl-C) once a checkpoint exists, and checks that it stops after the
// current batch, exits cleanly and keeps a loadable best checkpoint, the
// history and the plot.
func TestTrainInterrupt(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	ckpt := filepath.Join(dir, "best.cpw")
	cmd := exec.Command(convplayBin, "train", "-data", data, "-arch", writeTinyArch(t), "-epochs", "100000",
		"-batch", "8", "-patience", "-1", "-checkpoint", ckpt, "-csv", filepath.Join(dir, "h.csv"),
		"-plot", filepath.Join(dir, "h.png"), "-no-test")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(ckpt); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("no checkpoint within 60 s; output:\n%s\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(10 * time.Millisecond) // polling the file system, not waiting for a duration
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err := cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		t.Fatalf("exit status %d after SIGINT; output:\n%s\n%s", exit.ExitCode(), stdout.String(), stderr.String())
	}
	require.NoError(t, err)
	out := stdout.String()
	assert.Contains(t, out, "Interrupted after ")
	assert.Contains(t, out, "Best checkpoint: "+ckpt)
	assert.Contains(t, out, "Learning curves: ")
	f, err := os.Open(ckpt)
	require.NoError(t, err)
	defer f.Close()
	m, err := nn.Load(f)
	require.NoError(t, err)
	assert.Equal(t, 150, m.NumParams())
	csv, err := os.ReadFile(filepath.Join(dir, "h.csv"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(csv), "epoch,accuracy,loss,val_accuracy,val_loss\r\n0,"))
	_, err = os.Stat(filepath.Join(dir, "h.png"))
	assert.NoError(t, err)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), "."), "a temporary file was left: %s", e.Name())
	}
}
