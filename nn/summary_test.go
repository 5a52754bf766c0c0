package nn

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSummaryReference: the reference model's summary is Keras's, byte for
// byte (testdata/reference_summary.txt, printed by Keras 2).
func TestSummaryReference(t *testing.T) {
	want, err := os.ReadFile("testdata/reference_summary.txt")
	require.NoError(t, err)
	m, err := Build(ReferenceSpec(), 1)
	require.NoError(t, err)
	assert.Equal(t, string(want), m.Summary())
}

// TestSummaryOtherLayers: long type names are cut as Keras cuts them. The
// expected text was printed by Keras 2's print_row, transcribed in Python
// (layer_utils.print_summary's positions [.45, .85, 1] of 65 columns).
func TestSummaryOtherLayers(t *testing.T) {
	m, err := Build(ModelSpec{Input: []int{8, 8, 1}, Layers: []LayerSpec{
		{Type: "Conv2DTranspose", Filters: 2, KernelSize: 2, Strides: 2},
		{Type: "AveragePooling2D"},
		{Type: "Dropout", Rate: 0.5},
		{Type: "Flatten"},
		{Type: "Dense", Units: 10, Activation: "softmax"},
	}}, 1)
	require.NoError(t, err)
	assert.Equal(t, `Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
conv2d_transpose (Conv2DTran (None, 16, 16, 2)         10        
_________________________________________________________________
average_pooling2d (AveragePo (None, 8, 8, 2)           0         
_________________________________________________________________
dropout (Dropout)            (None, 8, 8, 2)           0         
_________________________________________________________________
flatten (Flatten)            (None, 128)               0         
_________________________________________________________________
dense (Dense)                (None, 10)                1290      
=================================================================
Total params: 1,300
Trainable params: 1,300
Non-trainable params: 0
_________________________________________________________________
`, m.Summary())
}

func TestKerasPrintRow(t *testing.T) {
	pos := []int{29, 55, 65}
	tests := []struct {
		name   string
		fields []string
		want   string
	}{
		{"short", []string{"a", "b", "1"},
			"a                            b                         1         "},
		{"name of 28 keeps its last letter", []string{"abcdefghijklmnopqrstuvwxyz01", "(None, 3)", "0"},
			"abcdefghijklmnopqrstuvwxyz01 (None, 3)                 0         "},
		{"name of 29 loses its last letter", []string{"abcdefghijklmnopqrstuvwxyz012", "(None, 3)", "0"},
			"abcdefghijklmnopqrstuvwxyz01 (None, 3)                 0         "},
		{"long name is cut", []string{"max_pooling2d_12 (MaxPooling2D)", "(None, 3, 3, 128)", "0"},
			"max_pooling2d_12 (MaxPooling (None, 3, 3, 128)         0         "},
		{"long shape is cut", []string{"x", "(None, 1000000, 1000000, 1000)", "7"},
			"x                            (None, 1000000, 1000000,  7         "},
		{"long count is cut", []string{"x", "y", "123456789012"},
			"x                            y                         1234567890"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := kerasPrintRow(pos, tt.fields...)
			assert.Equal(t, tt.want, got)
			assert.Len(t, got, 65)
		})
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 435306: "435,306", 1234567: "1,234,567", -1234: "-1,234"} {
		assert.Equal(t, want, thousands(n))
	}
}
