package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"convplay/nn"
)

func TestBar(t *testing.T) {
	tests := []struct {
		done, total int
		want        string
	}{
		{0, 10, "[..............................]"},
		{1, 10, "[==>...........................]"},
		{1, 100, "[..............................]"}, // less than one character: nothing yet
		{4, 100, "[>.............................]"}, // 1.2 characters: the head only
		{9, 10, "[==========================>...]"},
		{10, 10, "[==============================]"},
		{1719, 1719, "[==============================]"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, bar(tt.done, tt.total), "%d/%d", tt.done, tt.total)
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{499 * time.Millisecond, "0s"},
		{500 * time.Millisecond, "1s"},
		{59 * time.Second, "59s"},
		{60 * time.Second, "1:00"},
		{83 * time.Second, "1:23"},
		{3599 * time.Second, "59:59"},
		{3600 * time.Second, "1:00:00"},
		{4*time.Hour + 5*time.Minute + 6*time.Second, "4:05:06"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, formatDuration(tt.d), "%v", tt.d)
	}
	assert.Equal(t, "42ms", perStep(42*time.Millisecond))
	assert.Equal(t, "2s", perStep(1600*time.Millisecond))
	assert.Equal(t, "64us", perStep(64*time.Microsecond))
	assert.Equal(t, " 120/1719", counter(120, 1719))
}

// TestProgressTerminal: on a terminal the line is redrawn in place (at
// most every 100 ms, always at the last batch), with the ETA from the mean
// batch time, and ends with the epoch's logs.
func TestProgressTerminal(t *testing.T) {
	var out bytes.Buffer
	now := time.Unix(0, 0)
	p := &progress{w: &out, tty: true, now: func() time.Time { return now }}
	p.epochStart(0, 2)
	step := func(batch int, d time.Duration) {
		now = now.Add(d)
		p.batch(nn.BatchProgress{Epoch: 0, Epochs: 2, Batch: batch, Batches: 4, Loss: 0.5, Accuracy: 0.75})
	}
	step(0, time.Second)           // drawn: 1 s per batch, 3 to go
	step(1, 50*time.Millisecond)   // within 100 ms of the last: skipped
	step(2, 950*time.Millisecond)  // drawn
	step(3, 1000*time.Millisecond) // the last: drawn
	now = now.Add(time.Second)     // validation
	p.epochEnd(nn.Logs{Loss: 0.5, Accuracy: 0.75, ValLoss: 0.25, ValAccuracy: 0.875, HasValidation: true})
	assert.Equal(t, "Epoch 1/2\n"+
		"\r1/4 [======>.......................] - ETA: 3s - loss: 0.5000 - accuracy: 0.7500\x1b[K"+
		"\r3/4 [=====================>........] - ETA: 1s - loss: 0.5000 - accuracy: 0.7500\x1b[K"+
		"\r4/4 [==============================] - ETA: 0s - loss: 0.5000 - accuracy: 0.7500\x1b[K"+
		"\r4/4 [==============================] - 4s 1s/step - loss: 0.5000 - accuracy: 0.7500 - val_loss: 0.2500 - val_accuracy: 0.8750\x1b[K\n",
		out.String())
}

// TestProgressPlain: without a terminal, a line per tenth of the epoch
// (never the last batch, which the epoch's line shows) and no redraws.
func TestProgressPlain(t *testing.T) {
	var out bytes.Buffer
	now := time.Unix(0, 0)
	p := &progress{w: &out, now: func() time.Time { return now }}
	p.epochStart(1, 3)
	for b := range 20 {
		now = now.Add(100 * time.Millisecond)
		p.batch(nn.BatchProgress{Epoch: 1, Epochs: 3, Batch: b, Batches: 20, Loss: 1, Accuracy: 0.5})
	}
	p.epochEnd(nn.Logs{Loss: 1, Accuracy: 0.5})
	want := "Epoch 2/3\n"
	for _, l := range []string{" 2/20 - 0s", " 4/20 - 0s", " 6/20 - 1s", " 8/20 - 1s", "10/20 - 1s", "12/20 - 1s", "14/20 - 1s", "16/20 - 2s", "18/20 - 2s"} {
		want += l + " - loss: 1.0000 - accuracy: 0.5000\n"
	}
	want += "20/20 [==============================] - 2s 100ms/step - loss: 1.0000 - accuracy: 0.5000\n"
	assert.Equal(t, want, out.String())
}
