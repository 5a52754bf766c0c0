// Package tfevents writes TensorFlow event files, the
// events.out.tfevents.* files that TensorBoard reads, holding the per-epoch
// scalars Keras's TensorBoard callback writes (epoch_loss,
// epoch_accuracy).
//
// A file is a sequence of TFRecords, each
//
//	uint64 length, uint32 masked CRC-32C of the length bytes,
//	the data (length bytes), uint32 masked CRC-32C of the data
//
// little-endian, a masked CRC being ((crc >> 15) | (crc << 17)) +
// 0xa282ead8. Each record's data is a serialized tensorflow.Event protocol
// buffer (tensorflow/core/util/event.proto): the first holds file_version
// "brain.Event:2", the others a Summary with one Value written as
// TensorFlow 2's tf.summary.scalar writes it: the tag, a float32 scalar
// tensor, and metadata naming the "scalars" plugin. The protocol buffers
// are encoded here by hand (their wire format is small), so the package
// needs no protobuf library.
package tfevents

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MaskedCRC is TFRecord's masked CRC-32C of b.
func MaskedCRC(b []byte) uint32 {
	c := crc32.Checksum(b, castagnoli)
	return (c>>15 | c<<17) + 0xa282ead8
}

// FileName is the name TensorFlow 2 gives an event file: the Unix time in
// seconds, the host, the process id, a sequence number and ".v2".
func FileName(unix int64, host string, pid, seq int) string {
	return fmt.Sprintf("events.out.tfevents.%d.%s.%d.%d.v2", unix, host, pid, seq)
}

// Writer writes event records to an io.Writer.
type Writer struct {
	w   io.Writer
	buf []byte
}

// NewWriter starts an event file on w: its first record says the file's
// version, at wallTime (seconds since the Unix epoch).
func NewWriter(w io.Writer, wallTime float64) (*Writer, error) {
	ew := &Writer{w: w}
	ev := appendDouble(nil, 1, wallTime)
	ev = appendBytes(ev, 3, []byte("brain.Event:2"))
	return ew, ew.record(ev)
}

// Scalar writes one scalar: tag's value at step (Keras's epoch, from 0).
func (w *Writer) Scalar(tag string, step int64, value float32, wallTime float64) error {
	// TensorProto: dtype DT_FLOAT (1), an empty shape, float_val packed.
	tensor := appendVarint(nil, 1, 1)
	tensor = appendBytes(tensor, 2, nil)
	tensor = appendBytes(tensor, 5, binary.LittleEndian.AppendUint32(nil, math.Float32bits(value)))
	// SummaryMetadata: plugin_data {plugin_name: "scalars"}, data_class DATA_CLASS_SCALAR (1).
	meta := appendBytes(nil, 1, appendBytes(nil, 1, []byte("scalars")))
	meta = appendVarint(meta, 4, 1)
	// Summary.Value: tag (1), tensor (8), metadata (9).
	val := appendBytes(nil, 1, []byte(tag))
	val = appendBytes(val, 8, tensor)
	val = appendBytes(val, 9, meta)
	summary := appendBytes(nil, 1, val)
	// Event: wall_time (1), step (2), summary (5).
	ev := appendDouble(nil, 1, wallTime)
	ev = appendVarint(ev, 2, uint64(step))
	ev = appendBytes(ev, 5, summary)
	return w.record(ev)
}

// record frames data as a TFRecord and writes it.
func (w *Writer) record(data []byte) error {
	b := binary.LittleEndian.AppendUint64(w.buf[:0], uint64(len(data)))
	b = binary.LittleEndian.AppendUint32(b, MaskedCRC(b[:8]))
	b = append(b, data...)
	b = binary.LittleEndian.AppendUint32(b, MaskedCRC(data))
	w.buf = b
	_, err := w.w.Write(b)
	return err
}

// Protocol buffer wire format: a key (field<<3 | wire type), then the value.

func appendKey(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field<<3|wire))
}

func appendVarint(b []byte, field int, v uint64) []byte {
	return binary.AppendUvarint(appendKey(b, field, 0), v)
}

func appendDouble(b []byte, field int, v float64) []byte {
	return binary.LittleEndian.AppendUint64(appendKey(b, field, 1), math.Float64bits(v))
}

func appendBytes(b []byte, field int, v []byte) []byte {
	b = binary.AppendUvarint(appendKey(b, field, 2), uint64(len(v)))
	return append(b, v...)
}
