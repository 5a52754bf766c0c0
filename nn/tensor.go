package nn

import "fmt"

// Tensor is a dense float32 array with a shape. For a batch of feature maps
// the shape is (N, H, W, C) and element (n, h, w, c) is
// Data[((n*H+h)*W+w)*C+c]; for a batch of vectors it is (N, D) and element
// (n, d) is Data[n*D+d]. In general Data is row-major: the last index varies
// fastest.
type Tensor struct {
	Shape []int
	Data  []float32
}

// NewTensor returns a zero tensor of the given shape.
func NewTensor(shape ...int) *Tensor {
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, Shape(shape).Size())}
}

// Shape is the shape of one sample's activation: (H, W, C) for feature maps,
// (D) for vectors. Batch shapes put N in front.
type Shape []int

// Size is the number of elements: the product of the dimensions.
func (s Shape) Size() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Equal reports whether s and t have the same dimensions.
func (s Shape) Equal(t Shape) bool {
	if len(s) != len(t) {
		return false
	}
	for i := range s {
		if s[i] != t[i] {
			return false
		}
	}
	return true
}

// String formats s like Keras's output shapes without the batch: "(28, 28, 32)".
func (s Shape) String() string {
	out := "("
	for i, d := range s {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprint(d)
	}
	return out + ")"
}

// grow returns buf resliced to n elements, reallocating only when its
// capacity is too small. Layers keep their buffers with it, so that a steady
// batch size allocates nothing.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}
