// Package formats converts between the engine's own model file (.cpw,
// package nn) and the files of elsewhere: Keras model files (.h5, .keras;
// package keras) and NumPy's .npz weights. The page's engine reads and
// writes only .cpw; the conversions run in a second, smaller WebAssembly
// module (wasm/formats) that the page fetches only when a student drops or
// asks for such a file, so the first visit does not download the Keras and
// HDF5 code (issue 19). Each function checks its whole input and returns
// a one-line error, never a half-converted file.
package formats

import (
	"bytes"
	"fmt"
	"time"

	"convplay/keras"
	"convplay/nn"
)

// ReadKeras reads a Keras model file and returns its model as .cpw bytes,
// as keras.Read gives it (not yet wrapped for standardized inputs: the
// engine does that with the student's input answer), and what the file is.
func ReadKeras(file []byte) (cpw []byte, info *keras.Info, err error) {
	m, info, err := keras.Read(file)
	if err != nil {
		return nil, nil, err
	}
	if cpw, err = save(m); err != nil {
		return nil, nil, err
	}
	return cpw, info, nil
}

// WriteKeras writes a .cpw model as a Keras 3 .keras file dated saved
// (keras.Export: a model the engine wrapped is exported as the file's own).
func WriteKeras(cpw []byte, saved time.Time) ([]byte, error) {
	m, err := load(cpw)
	if err != nil {
		return nil, err
	}
	return keras.Export(m, saved)
}

// WriteNPZ writes a .cpw model's weights as .npz, in Keras's get_weights()
// order (nn.Model.ExportNPZ).
func WriteNPZ(cpw []byte) ([]byte, error) {
	m, err := load(cpw)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := m.ExportNPZ(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ReadNPZ loads an .npz file's weights into a .cpw model (which must have
// their architecture: nn.Model.ImportNPZ checks every array first) and
// returns that model as .cpw bytes.
func ReadNPZ(cpw, npz []byte) ([]byte, error) {
	m, err := load(cpw)
	if err != nil {
		return nil, err
	}
	if err := m.ImportNPZ(bytes.NewReader(npz), int64(len(npz))); err != nil {
		return nil, err
	}
	return save(m)
}

func load(cpw []byte) (*nn.Model, error) {
	m, err := nn.Load(bytes.NewReader(cpw))
	if err != nil {
		return nil, fmt.Errorf("formats: the model: %w", err)
	}
	return m, nil
}

func save(m *nn.Model) ([]byte, error) {
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
