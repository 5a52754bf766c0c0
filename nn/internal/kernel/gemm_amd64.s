//go:build amd64 && !noasm

#include "textflag.h"

// The AVX2 micro-kernel behind gemmKernelAVX2 (gemm_amd64.go). Y0..Y11 hold
// the 6x16 tile of C, two ymm registers (8 columns each) per row; Y12, Y13
// hold one row of B's panel, Y14 a broadcast element of A, Y15 a product.
// Each lane adds its products in order of p, one VMULPS (rounded to
// float32) then one VADDPS: the scalar kernel's float32(a*b) then +=, never
// fused into an FMA, so the bits are the pure-Go kernel's.
//
// Registers: SI and R8 point at A's rows 0 and 1 for step p (rows 2..5 are
// (SI)(AX*2), (R8)(AX*2), (SI)(AX*4), (R8)(AX*4), AX being A's row stride),
// R9 is A's step stride; DI points at B's row p, R10 is B's row stride; DX
// and R11 are C's rows 0 and 1, BX C's row stride (all strides in bytes).

// ROW adds the products of the A element at addr with the 16 columns in
// Y12, Y13 to one row's accumulators.
#define ROW(addr, acc0, acc1) \
	VBROADCASTSS addr, Y14; \
	VMULPS       Y12, Y14, Y15; \
	VADDPS       Y15, acc0, acc0; \
	VMULPS       Y13, Y14, Y15; \
	VADDPS       Y15, acc1, acc1

// STEP is one step p of k, moving A's and B's pointers to the next.
#define STEP \
	VMOVUPS (DI), Y12; \
	VMOVUPS 32(DI), Y13; \
	ROW((SI), Y0, Y1); \
	ROW((R8), Y2, Y3); \
	ROW((SI)(AX*2), Y4, Y5); \
	ROW((R8)(AX*2), Y6, Y7); \
	ROW((SI)(AX*4), Y8, Y9); \
	ROW((R8)(AX*4), Y10, Y11); \
	ADDQ R9, SI; \
	ADDQ R9, R8; \
	ADDQ R10, DI

// func gemmKernelAVX2(kc int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, load bool)
TEXT ·gemmKernelAVX2(SB), NOSPLIT, $0-65
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ ars+16(FP), AX
	MOVQ acs+24(FP), R9
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R10
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), BX
	SHLQ $2, AX
	SHLQ $2, R9
	SHLQ $2, R10
	SHLQ $2, BX
	LEAQ (SI)(AX*1), R8
	LEAQ (DX)(BX*1), R11
	MOVBLZX load+64(FP), R12
	TESTQ R12, R12
	JZ    zero
	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	VMOVUPS (R11), Y2
	VMOVUPS 32(R11), Y3
	VMOVUPS (DX)(BX*2), Y4
	VMOVUPS 32(DX)(BX*2), Y5
	VMOVUPS (R11)(BX*2), Y6
	VMOVUPS 32(R11)(BX*2), Y7
	VMOVUPS (DX)(BX*4), Y8
	VMOVUPS 32(DX)(BX*4), Y9
	VMOVUPS (R11)(BX*4), Y10
	VMOVUPS 32(R11)(BX*4), Y11
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
	STEP
	STEP
	STEP
	STEP
	DECQ  R13
	JMP   loop4

tail:
	TESTQ CX, CX
	JZ    store
	STEP
	DECQ  CX
	JMP   tail

store:
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, (R11)
	VMOVUPS Y3, 32(R11)
	VMOVUPS Y4, (DX)(BX*2)
	VMOVUPS Y5, 32(DX)(BX*2)
	VMOVUPS Y6, (R11)(BX*2)
	VMOVUPS Y7, 32(R11)(BX*2)
	VMOVUPS Y8, (DX)(BX*4)
	VMOVUPS Y9, 32(DX)(BX*4)
	VMOVUPS Y10, (R11)(BX*4)
	VMOVUPS Y11, 32(R11)(BX*4)
	VZEROUPPER
	RET
