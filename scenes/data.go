package scenes

// Data is n scenes of a generator as nn.Data: scene Offset+i is sample i,
// its input the canvas standardized by Standardize (shape (Side, Side, 1)),
// its target the label map as Side*Side float32 class indices. It composes
// each scene when Fill asks for it, allocating nothing; Fill is not safe
// for concurrent use.
type Data struct {
	Gen *Generator
	N   int // samples
	// Offset is the first scene's index: a training loop may move it on
	// each epoch (by N) so that every epoch sees new scenes.
	Offset int
	// Standardize writes pixels (0..255) into dst as the model's inputs,
	// e.g. dataset.Dataset.Standardize.
	Standardize func(dst []float32, pixels []uint8)

	px, lab [Side * Side]uint8
	items   [MaxItems]Item
}

// NewData returns scenes 0..n-1 of g standardized by standardize.
func NewData(g *Generator, n int, standardize func(dst []float32, pixels []uint8)) *Data {
	return &Data{Gen: g, N: n, Standardize: standardize}
}

func (d *Data) Len() int { return d.N }

// Fill writes the scenes idx into x, len(idx)*Side*Side standardized pixels,
// and their label maps into y, len(idx)*Side*Side class indices.
func (d *Data) Fill(x, y []float32, idx []int) {
	const px = Side * Side
	for k, i := range idx {
		d.Gen.draw(d.px[:], d.lab[:], d.items[:0], d.Offset+i)
		d.Standardize(x[k*px:(k+1)*px], d.px[:])
		yr := y[k*px : (k+1)*px]
		for j, l := range d.lab {
			yr[j] = float32(l)
		}
	}
}
