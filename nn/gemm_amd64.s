//go:build amd64 && !noasm

#include "textflag.h"

// The AVX2 micro-kernel behind gemmKernelAVX2 (gemm_amd64.go). Y0..Y11 hold
// the 6x16 tile of C, two ymm registers (8 columns each) per row; Y12, Y13
// hold one step of the packed B panel, Y14 a broadcast element of A, Y15 a
// product. Each lane adds its products in order of p, one VMULPS (rounded
// to float32) then one VADDPS: the scalar kernel's float32(a*b) then +=,
// never fused into an FMA, so the bits are the pure-Go kernel's.

// ROW adds the products of A's element at aoff(SI) with the 16 columns in
// Y12, Y13 to one row's accumulators.
#define ROW(aoff, acc0, acc1) \
	VBROADCASTSS aoff(SI), Y14; \
	VMULPS       Y12, Y14, Y15; \
	VADDPS       Y15, acc0, acc0; \
	VMULPS       Y13, Y14, Y15; \
	VADDPS       Y15, acc1, acc1

// STEP is one step p of k: 6 elements of A at aoff(SI), 16 of B at boff(DI).
#define STEP(aoff, boff) \
	VMOVUPS boff(DI), Y12; \
	VMOVUPS 32+boff(DI), Y13; \
	ROW(aoff, Y0, Y1); \
	ROW(4+aoff, Y2, Y3); \
	ROW(8+aoff, Y4, Y5); \
	ROW(12+aoff, Y6, Y7); \
	ROW(16+aoff, Y8, Y9); \
	ROW(20+aoff, Y10, Y11)

// func gemmKernelAVX2(kc int, a, b, c *float32, ldc int, load bool)
TEXT ·gemmKernelAVX2(SB), NOSPLIT, $0-41
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), BX
	SHLQ $2, BX               // row stride of C in bytes
	LEAQ (DX)(BX*1), R8       // row 1
	LEAQ (DX)(BX*2), R9       // row 2
	LEAQ (R9)(BX*1), R10      // row 3
	LEAQ (DX)(BX*4), R11      // row 4
	LEAQ (R11)(BX*1), R12     // row 5
	MOVBLZX load+40(FP), AX
	TESTQ AX, AX
	JZ    zero
	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	VMOVUPS (R8), Y2
	VMOVUPS 32(R8), Y3
	VMOVUPS (R9), Y4
	VMOVUPS 32(R9), Y5
	VMOVUPS (R10), Y6
	VMOVUPS 32(R10), Y7
	VMOVUPS (R11), Y8
	VMOVUPS 32(R11), Y9
	VMOVUPS (R12), Y10
	VMOVUPS 32(R12), Y11
	JMP     steps

zero:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

steps:
	MOVQ CX, R13
	SHRQ $2, R13              // groups of 4 steps
	ANDQ $3, CX               // the steps left after them

loop4:
	TESTQ R13, R13
	JZ    tail
	STEP(0, 0)
	STEP(24, 64)
	STEP(48, 128)
	STEP(72, 192)
	ADDQ  $96, SI
	ADDQ  $256, DI
	DECQ  R13
	JMP   loop4

tail:
	TESTQ CX, CX
	JZ    store
	STEP(0, 0)
	ADDQ  $24, SI
	ADDQ  $64, DI
	DECQ  CX
	JMP   tail

store:
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, (R8)
	VMOVUPS Y3, 32(R8)
	VMOVUPS Y4, (R9)
	VMOVUPS Y5, 32(R9)
	VMOVUPS Y6, (R10)
	VMOVUPS Y7, 32(R10)
	VMOVUPS Y8, (R11)
	VMOVUPS Y9, 32(R11)
	VMOVUPS Y10, (R12)
	VMOVUPS Y11, 32(R12)
	VZEROUPPER
	RET
