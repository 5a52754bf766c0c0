//go:build amd64 && !noasm

#include "textflag.h"

// ReLU behind relu_amd64.go, 8 values to a ymm register. Y15 is 0; AX is
// the byte offset of the group, CX the length in bytes (a positive
// multiple of 32). In Go's operand order VCMPPS $p, b, a, dst compares a
// with b.

// func reluForwardAVX2(y, z *float32, n int)
// y = z & (!(z <= 0) ? ^0 : 0), NLE_UQ = 0x16
TEXT ·reluForwardAVX2(SB), NOSPLIT, $0-24
	MOVQ   y+0(FP), DI
	MOVQ   z+8(FP), SI
	MOVQ   n+16(FP), CX
	SHLQ   $2, CX
	XORQ   AX, AX
	VXORPS Y15, Y15, Y15

fwdloop:
	VMOVUPS (SI)(AX*1), Y0
	VCMPPS  $0x16, Y15, Y0, Y1
	VANDPS  Y0, Y1, Y1
	VMOVUPS Y1, (DI)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, CX
	JLT     fwdloop
	VZEROUPPER
	RET

// func reluBackwardAVX2(dz, dy, y *float32, n int)
// dz = dy & (y > 0 ? ^0 : 0), GT_OQ = 0x1e
TEXT ·reluBackwardAVX2(SB), NOSPLIT, $0-32
	MOVQ   dz+0(FP), DI
	MOVQ   dy+8(FP), SI
	MOVQ   y+16(FP), DX
	MOVQ   n+24(FP), CX
	SHLQ   $2, CX
	XORQ   AX, AX
	VXORPS Y15, Y15, Y15

bwdloop:
	VMOVUPS (DX)(AX*1), Y0
	VCMPPS  $0x1e, Y15, Y0, Y1
	VANDPS  (SI)(AX*1), Y1, Y1
	VMOVUPS Y1, (DI)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, CX
	JLT     bwdloop
	VZEROUPPER
	RET
