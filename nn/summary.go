package nn

import (
	"strconv"
	"strings"
)

// Summary returns the model's summary exactly as Keras 2 prints it for a
// Sequential model named "sequential": 65 columns, the fields ending at
// columns 29, 55 and 65, one row per layer with its name and type, output
// shape with the batch as None, and number of weights, then the totals.
// Every line ends with a newline, as Python's print writes it.
func (m *Model) Summary() string {
	const width = 65
	positions := []int{29, 55, 65}
	var b strings.Builder
	line := func(s string) { b.WriteString(s); b.WriteByte('\n') }
	line(`Model: "sequential"`)
	line(strings.Repeat("_", width))
	line(kerasPrintRow(positions, "Layer (type)", "Output Shape", "Param #"))
	line(strings.Repeat("=", width))
	total, frozen := 0, 0
	for i, l := range m.Layers {
		params := ParamCount(l)
		total += params
		for _, p := range l.Params() {
			if p.NonTrainable {
				frozen += len(p.W)
			}
		}
		spec := l.Spec()
		line(kerasPrintRow(positions, spec.Name+" ("+spec.Type+")", outputShape(l.OutShape()), strconv.Itoa(params)))
		if i == len(m.Layers)-1 {
			line(strings.Repeat("=", width))
		} else {
			line(strings.Repeat("_", width))
		}
	}
	line("Total params: " + thousands(total))
	line("Trainable params: " + thousands(total-frozen))
	line("Non-trainable params: " + thousands(frozen))
	line(strings.Repeat("_", width))
	return b.String()
}

// kerasPrintRow is Keras's print_row: each field is appended, the line cut at
// the field's end position and padded with spaces to it; before every
// field but the first, the line's last character becomes a space, so a
// field that filled its column is cut by one more character
// ("max_pooling2d_1 (MaxPooling2 ").
func kerasPrintRow(positions []int, fields ...string) string {
	line := ""
	for i, f := range fields {
		if i > 0 {
			line = line[:len(line)-1] + " "
		}
		line += f
		if len(line) > positions[i] {
			line = line[:positions[i]]
		}
		line += strings.Repeat(" ", positions[i]-len(line))
	}
	return line
}

// outputShape formats a per-sample shape as Keras prints a layer's
// output_shape: "(None, 28, 28, 32)".
func outputShape(s Shape) string {
	out := "(None"
	for _, d := range s {
		out += ", " + strconv.Itoa(d)
	}
	return out + ")"
}

// thousands formats n with commas between groups of three digits, as
// Python's "{:,}" does: 435306 -> "435,306".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
