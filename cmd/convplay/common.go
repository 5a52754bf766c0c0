package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"convplay/dataset"
	"convplay/nn"
)

// dataDir resolves a -data flag: a directory holding a packed data set, or
// the name of one that make data writes into web/data ("fashion", "digits").
func dataDir(data string) string {
	if strings.ContainsAny(data, `/\`) {
		return data
	}
	if st, err := os.Stat(data); err == nil && st.IsDir() {
		return data
	}
	return filepath.Join("web", "data", data)
}

// openData opens and verifies the packed data set a -data flag names.
func openData(data string) (*dataset.Dataset, error) {
	dir := dataDir(data)
	if _, err := os.Stat(filepath.Join(dir, dataset.ManifestName)); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("-data %s: no packed data set in %s (run make data in the repository's root, or give -data a directory holding manifest.json)", data, dir)
	}
	return dataset.Open(dir)
}

// readManifest reads only the manifest of the data set a -data flag names:
// enough for the class names and the standardization of predict's inputs.
func readManifest(data string) (*dataset.Manifest, error) {
	dir := dataDir(data)
	b, err := os.ReadFile(filepath.Join(dir, dataset.ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("-data %s: no packed data set in %s (run make data in the repository's root, or give -data a directory holding manifest.json)", data, dir)
	}
	if err != nil {
		return nil, err
	}
	return dataset.ParseManifest(b)
}

// loadModel reads a weights file: convplay's format (.cpw, which holds its
// architecture; with arch set, only the weights are taken, into that
// architecture, as Keras's load_weights does), or a NumPy .npz in Keras's
// get_weights() order, loaded into arch (default the reference model), or
// a Keras model file (.h5, .keras: keras.go), which holds its architecture.
// The model comes compiled for evaluation (SGD, sparse cross-entropy).
func loadModel(path, arch string) (*nn.Model, error) {
	if isKerasFile(path) {
		if arch != "" {
			return nil, fmt.Errorf("-arch %s: %s holds its own architecture", arch, path)
		}
		m, _, err := loadKeras(path)
		if err != nil {
			return nil, err
		}
		return m, compile(m, nn.OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the weights: %w", err)
	}
	defer f.Close()
	var m *nn.Model
	if strings.EqualFold(filepath.Ext(path), ".npz") {
		if arch == "" {
			arch = "seed"
		}
		if m, err = buildArch(arch, 0); err != nil {
			return nil, err
		}
		st, err := f.Stat()
		if err != nil {
			return nil, err
		}
		if err := m.ImportNPZ(f, st.Size()); err != nil {
			return nil, fmt.Errorf("%s into -arch %s: %w", path, arch, err)
		}
	} else if arch != "" {
		if m, err = buildArch(arch, 0); err != nil {
			return nil, err
		}
		if err := m.LoadWeights(f); err != nil {
			return nil, fmt.Errorf("%s into -arch %s: %w", path, arch, err)
		}
	} else if m, err = nn.Load(f); err != nil {
		if isZip(f) {
			return nil, fmt.Errorf("%s: %w (this is a zip file: a .npz of Keras weights needs the .npz extension)", path, err)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// A .cpw brings its own architecture: the same bounds as -arch's, so
	// that no layer's output (the last one's included) is too large to run.
	if _, err := checkArch(m.Spec); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := nn.Validate(m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := compile(m, nn.OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy"); err != nil {
		return nil, err
	}
	return m, nil
}

// isZip reports whether f starts as a zip file (a .npz) does.
func isZip(f *os.File) bool {
	var magic [4]byte
	n, _ := f.ReadAt(magic[:], 0)
	return n == 4 && string(magic[:]) == "PK\x03\x04"
}

func compile(m *nn.Model, opt nn.OptimizerSpec, loss string) error {
	o, err := nn.NewOptimizer(opt)
	if err != nil {
		return err
	}
	l, err := nn.ParseLoss(loss)
	if err != nil {
		return err
	}
	return m.Compile(o, l)
}

// firstN is the first n samples of a data set (a training subset).
type firstN struct {
	nn.Data
	n int
}

func (d firstN) Len() int { return d.n }

// subset returns the first n samples of d, or d itself when n is 0 or
// covers it.
func subset(d nn.Data, n int) nn.Data {
	if n <= 0 || n >= d.Len() {
		return d
	}
	return firstN{d, n}
}

// writeFileAtomic writes a file through a temporary file in the same
// directory and a rename, so that an interrupted write never leaves half a
// file where a good one was. On Linux the temporary file has no name until
// it is complete (O_TMPFILE, see tmpfile_linux.go), so a run killed with
// SIGKILL mid-write leaves nothing behind; elsewhere, or on a file system
// without O_TMPFILE, it is a hidden named file, removed on any error.
func writeFileAtomic(path string, write func(f *os.File) error) error {
	tmp, publish, err := createTemp(path)
	if err != nil {
		return err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		publish(false)
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		publish(false)
		return err
	}
	return publish(true)
}

// createNamedTemp is createTemp's portable path: a hidden file beside path,
// renamed over it by publish(true) and removed by publish(false). publish
// closes the file.
func createNamedTemp(path string) (*os.File, func(ok bool) error, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, nil, err
	}
	if err := tmp.Chmod(0o644); err != nil { // CreateTemp makes it 0600
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, nil, err
	}
	publish := func(ok bool) error {
		err := tmp.Close()
		if ok && err == nil {
			err = os.Rename(tmp.Name(), path)
		}
		if !ok || err != nil {
			os.Remove(tmp.Name())
		}
		return err
	}
	return tmp, publish, nil
}

// checkOutputPath fails when a file cannot be created at path because its
// directory is missing or is not a directory, so that a typo in an output
// flag fails before training rather than after. Empty paths (no output) pass.
func checkOutputPath(flagName, path string) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%s %s: the directory %s does not exist (create it first)", flagName, path, dir)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s %s: %s is not a directory", flagName, path, dir)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s %s is a directory; want a file name", flagName, path)
	}
	return nil
}

// parseFlags parses a command's flags. A bad flag is a usage error (exit
// status 2): the flag package has already printed what is wrong and the
// command's flags.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return errUsage
	}
	return err
}
