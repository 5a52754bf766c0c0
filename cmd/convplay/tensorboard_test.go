package main

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"convplay/internal/tfevents"
)

// TestTrainLogdir: train -logdir writes one event file in DIR/train and one
// in DIR/validation, each a file_version record then epoch_loss and
// epoch_accuracy per epoch, holding the values the CSV history has.
func TestTrainLogdir(t *testing.T) {
	data, dir := writeTinyData(t), t.TempDir()
	logdir := filepath.Join(dir, "logs")
	trainTiny(t, data, dir, 2, "-logdir", logdir)
	csv, err := os.ReadFile(filepath.Join(dir, "history.csv"))
	require.NoError(t, err)
	rows := strings.Split(strings.TrimSpace(string(csv)), "\r\n")
	require.Equal(t, "epoch,accuracy,loss,val_accuracy,val_loss", rows[0])
	for run, cols := range map[string][2]int{"train": {2, 1}, "validation": {4, 3}} { // loss, accuracy columns
		files, err := filepath.Glob(filepath.Join(logdir, run, "events.out.tfevents.*.v2"))
		require.NoError(t, err)
		require.Len(t, files, 1, run)
		b, err := os.ReadFile(files[0])
		require.NoError(t, err)
		var recs [][]byte
		for len(b) > 0 {
			require.GreaterOrEqual(t, len(b), 16)
			n := binary.LittleEndian.Uint64(b)
			require.Equal(t, tfevents.MaskedCRC(b[:8]), binary.LittleEndian.Uint32(b[8:]))
			rec := b[12 : 12+n]
			require.Equal(t, tfevents.MaskedCRC(rec), binary.LittleEndian.Uint32(b[12+n:]))
			recs, b = append(recs, rec), b[16+n:]
		}
		require.Len(t, recs, 1+2*2, run)
		require.Contains(t, string(recs[0]), "brain.Event:2")
		for e := range 2 {
			row := strings.Split(rows[1+e], ",")
			for k, tag := range []string{"epoch_loss", "epoch_accuracy"} {
				rec := recs[1+2*e+k]
				require.Contains(t, string(rec), tag, "%s epoch %d", run, e)
				v, err := strconv.ParseFloat(row[cols[k]], 32)
				require.NoError(t, err)
				bits := binary.LittleEndian.AppendUint32(nil, math.Float32bits(float32(v)))
				require.True(t, bytes.Contains(rec, bits), "%s epoch %d %s: %v not in the record", run, e, tag, v)
			}
		}
	}
}
