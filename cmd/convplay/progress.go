package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"convplay/nn"
)

// progress prints training progress as Keras's fit(verbose=1) does:
//
//	Epoch 1/10
//	 120/1719 [=>............................] - ETA: 1:23 - loss: 0.5432 - accuracy: 0.8123
//
// rewriting the line in place on a terminal, and at the end of the epoch
//
//	1719/1719 [==============================] - 73s 42ms/step - loss: 0.4 - accuracy: 0.85 - val_loss: 0.3 - val_accuracy: 0.89
//
// When the output is not a terminal (a log file, a pipe) it prints plain
// lines instead: one every tenth of an epoch and the epoch's last line.
type progress struct {
	w   io.Writer
	tty bool
	now func() time.Time // time.Now; tests set a clock

	start    time.Time // of the epoch
	lastDraw time.Time
	lastTick int // the tenth of the epoch last printed (plain lines)
	last     nn.BatchProgress
}

// isTerminal reports whether f is a terminal (a character device).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) epochStart(epoch, epochs int) {
	fmt.Fprintf(p.w, "Epoch %d/%d\n", epoch+1, epochs)
	p.start, p.lastDraw, p.lastTick = p.now(), time.Time{}, 0
}

// batch reports a finished batch. On a terminal it redraws at most ten
// times a second (and always at the last batch).
func (p *progress) batch(b nn.BatchProgress) {
	p.last = b
	now := p.now()
	elapsed := now.Sub(p.start)
	done := b.Batch + 1
	stats := fmt.Sprintf("loss: %.4f - accuracy: %.4f", b.Loss, b.Accuracy)
	if !p.tty {
		tick := done * 10 / b.Batches
		if tick > p.lastTick && done < b.Batches {
			p.lastTick = tick
			fmt.Fprintf(p.w, "%s - %s - %s\n", counter(done, b.Batches), formatDuration(elapsed), stats)
		}
		return
	}
	if done < b.Batches && now.Sub(p.lastDraw) < 100*time.Millisecond {
		return
	}
	p.lastDraw = now
	eta := time.Duration(float64(elapsed) / float64(done) * float64(b.Batches-done))
	fmt.Fprintf(p.w, "\r%s %s - ETA: %s - %s\x1b[K", counter(done, b.Batches), bar(done, b.Batches), formatDuration(eta), stats)
}

// epochEnd prints the epoch's final line with its logs.
func (p *progress) epochEnd(logs nn.Logs) {
	elapsed := p.now().Sub(p.start)
	n := max(p.last.Batches, 1)
	line := fmt.Sprintf("%s %s - %s %s/step - loss: %.4f - accuracy: %.4f",
		counter(p.last.Batches, p.last.Batches), bar(n, n), formatDuration(elapsed),
		perStep(elapsed/time.Duration(n)), logs.Loss, logs.Accuracy)
	if logs.HasValidation {
		line += fmt.Sprintf(" - val_loss: %.4f - val_accuracy: %.4f", logs.ValLoss, logs.ValAccuracy)
	}
	if logs.HasMeanIoU {
		line += fmt.Sprintf(" - val_mean_iou: %.4f", logs.ValMeanIoU)
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r%s\x1b[K\n", line)
	} else {
		fmt.Fprintln(p.w, line)
	}
}

// interrupted ends a half-drawn terminal line.
func (p *progress) interrupted() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

// counter right-aligns done under total, as Keras does: " 120/1719".
func counter(done, total int) string {
	w := len(fmt.Sprint(total))
	return fmt.Sprintf("%*d/%d", w, done, total)
}

// bar is Keras's 30-character progress bar: '=' for the part done, '>' at
// its head until the end, '.' for the rest.
func bar(done, total int) string {
	const width = 30
	filled := width * done / total
	var b strings.Builder
	b.WriteByte('[')
	if filled > 0 {
		b.WriteString(strings.Repeat("=", filled-1))
		if done < total {
			b.WriteByte('>')
		} else {
			b.WriteByte('=')
		}
	}
	b.WriteString(strings.Repeat(".", width-filled))
	b.WriteByte(']')
	return b.String()
}

// formatDuration writes a duration as Keras's ETA: "1:02:03", "2:03" or "45s".
func formatDuration(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	switch {
	case s >= 3600:
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	case s >= 60:
		return fmt.Sprintf("%d:%02d", s/60, s%60)
	}
	return fmt.Sprintf("%ds", s)
}

// perStep writes a step's time as Keras does: "42ms" or "1s".
func perStep(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%.0fs", d.Seconds())
	}
	if d >= time.Millisecond {
		return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.0fus", float64(d)/float64(time.Microsecond))
}
