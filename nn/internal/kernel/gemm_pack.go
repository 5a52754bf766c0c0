package kernel

// Packing shared by the micro-kernels: the short last panel of op(A) and
// the narrow last panel of op(B), zero-padded to a whole tile.

// packShortA copies op(A)[i:i+mi, p0:p0+kc], fewer than mr rows, into dst as
// one zero-padded panel of mr rows: element (i+ii, p0+p) goes to
// dst[p*mr+ii]. op(A) is m x k; with trans, a is stored k x m. Every
// micro-kernel's last, short panel is packed with it.
func packShortA(dst []float32, mr int, trans bool, m, k, i, mi, p0, kc int, a []float32) {
	clear(dst)
	for ii := 0; ii < mi; ii++ {
		for p := 0; p < kc; p++ {
			if trans {
				dst[p*mr+ii] = a[(p0+p)*m+i+ii]
			} else {
				dst[p*mr+ii] = a[(i+ii)*k+p0+p]
			}
		}
	}
}

// packBPanel copies rows p0..p0+kc-1 of columns j0..j0+nj-1 of op(B)
// (k x n; with trans, b is stored n x k) into panel as kc rows of nr, the
// columns past nj 0: element (p0+p, j0+jj) goes to panel[p*nr+jj]. Every
// micro-kernel's narrow last panel is packed with it.
func packBPanel(panel []float32, nr int, trans bool, n, k, j0, nj, p0, kc int, b []float32) {
	panel = panel[:kc*nr]
	if nj < nr {
		clear(panel)
	}
	if !trans { // step by step: a step's nj columns lie together
		for p := range kc {
			copy(panel[p*nr:p*nr+nj], b[(p0+p)*n+j0:])
		}
		return
	}
	for jj := range nj { // column jj of the panel is row j0+jj of b
		row := b[(j0+jj)*k+p0:][:kc]
		for p, v := range row {
			panel[p*nr+jj] = v
		}
	}
}
