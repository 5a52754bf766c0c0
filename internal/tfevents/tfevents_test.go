package tfevents

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMaskedCRC: CRC-32C's check value (of "123456789", 0xe3069283),
// masked by TFRecord's rule.
func TestMaskedCRC(t *testing.T) {
	c := crc32.Checksum([]byte("123456789"), castagnoli)
	if c != 0xe3069283 {
		t.Fatalf("CRC-32C = %#x, want 0xe3069283", c)
	}
	c = c>>15 | c<<17 // rotated right by 15, in 32 bits
	if got, want := MaskedCRC([]byte("123456789")), c+0xa282ead8; got != want {
		t.Errorf("MaskedCRC = %#x, want %#x", got, want)
	}
}

// records splits an event file into its records' data, checking the
// framing and both CRCs.
func records(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 12 {
			t.Fatalf("%d bytes left, not a record header", len(b))
		}
		n := binary.LittleEndian.Uint64(b)
		if got := binary.LittleEndian.Uint32(b[8:]); got != MaskedCRC(b[:8]) {
			t.Fatalf("length CRC %#x, want %#x", got, MaskedCRC(b[:8]))
		}
		data := b[12 : 12+n]
		if got := binary.LittleEndian.Uint32(b[12+n:]); got != MaskedCRC(data) {
			t.Fatalf("data CRC %#x, want %#x", got, MaskedCRC(data))
		}
		out = append(out, data)
		b = b[16+n:]
	}
	return out
}

// TestEvents writes a file and decodes its records with protoc and the
// TensorFlow field numbers in testdata/event_subset.proto (skipped when
// protoc is not installed: Debian's protobuf-compiler).
func TestEvents(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, 1700000000.5)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Scalar("epoch_loss", 0, 0.25, 1700000001.5); err != nil {
		t.Fatal(err)
	}
	if err := w.Scalar("epoch_accuracy", 1, 0.875, 1700000002.5); err != nil {
		t.Fatal(err)
	}
	recs := records(t, buf.Bytes())
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3", len(recs))
	}
	protoc, err := exec.LookPath("protoc")
	if err != nil {
		// make test installs protoc and sets CONVPLAY_DATA=1: there a
		// missing protoc is a failure, never a silent skip.
		if os.Getenv("CONVPLAY_DATA") == "1" {
			t.Fatal("no protoc to decode the records with: make test installs Debian's protobuf-compiler")
		}
		t.Skip("no protoc to decode the records with (apt-get install protobuf-compiler, or make test)")
	}
	want := []string{
		"wall_time: 1700000000.5\nfile_version: \"brain.Event:2\"\n",
		`wall_time: 1700000001.5
summary {
  value {
    tag: "epoch_loss"
    tensor {
      dtype: DT_FLOAT
      tensor_shape {
      }
      float_val: 0.25
    }
    metadata {
      plugin_data {
        plugin_name: "scalars"
      }
      data_class: DATA_CLASS_SCALAR
    }
  }
}
`,
		"wall_time: 1700000002.5\nstep: 1\nsummary {\n  value {\n    tag: \"epoch_accuracy\"\n    tensor {\n      dtype: DT_FLOAT\n      tensor_shape {\n      }\n      float_val: 0.875\n",
	}
	for i, r := range recs {
		cmd := exec.Command(protoc, "--proto_path=testdata", "--decode=tensorflow.Event", "event_subset.proto")
		cmd.Stdin = bytes.NewReader(r)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("record %d: protoc: %v\n%s", i, err, out)
		}
		if !strings.HasPrefix(string(out), want[i]) {
			t.Errorf("record %d decodes to\n%s\nwant (a prefix)\n%s", i, out, want[i])
		}
	}
}
