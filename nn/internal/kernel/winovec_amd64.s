//go:build amd64 && !noasm

#include "textflag.h"

// The Winograd transforms on channel rows behind winovec_amd64.go, 8
// channels to a ymm register. In Go's operand order VSUBPS b, a, dst is
// dst = a - b. Of two NaN operands x86 returns the first's (a's): each
// addition takes its operands in the order the Go loop's compiled code
// (SSE, first operand = destination) does, so that even NaN payloads
// match; TestVecAsmEveryAwkwardPair says so if a compiler changes them.
// Every kernel loads all of a group's inputs before it stores an output.
// AX is the byte offset of the group, CX the row's length in bytes (a
// positive multiple of 32).

// The sign bit of a float32: XOR with it is Go's -v.
DATA winoSignBit<>+0(SB)/4, $0x80000000
GLOBL winoSignBit<>(SB), RODATA|NOPTR, $4

// func bt4VecAVX2(v0, v1, v2, v3, d0, d1, d2, d3 *float32, n int)
// v0, v1, v2, v3 = d0 - d2, d1 + d2, d2 - d1, d1 - d3
TEXT ·bt4VecAVX2(SB), NOSPLIT, $0-72
	MOVQ v0+0(FP), DI
	MOVQ v1+8(FP), SI
	MOVQ v2+16(FP), R8
	MOVQ v3+24(FP), R9
	MOVQ d0+32(FP), R10
	MOVQ d1+40(FP), R11
	MOVQ d2+48(FP), R12
	MOVQ d3+56(FP), R13
	MOVQ n+64(FP), CX
	SHLQ $2, CX
	XORQ AX, AX

bt4loop:
	VMOVUPS (R10)(AX*1), Y0
	VMOVUPS (R11)(AX*1), Y1
	VMOVUPS (R12)(AX*1), Y2
	VMOVUPS (R13)(AX*1), Y3
	VSUBPS  Y2, Y0, Y4
	VADDPS  Y2, Y1, Y5
	VSUBPS  Y1, Y2, Y6
	VSUBPS  Y3, Y1, Y7
	VMOVUPS Y4, (DI)(AX*1)
	VMOVUPS Y5, (SI)(AX*1)
	VMOVUPS Y6, (R8)(AX*1)
	VMOVUPS Y7, (R9)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, CX
	JLT     bt4loop
	VZEROUPPER
	RET

// func b4VecAVX2(d0, d1, d2, d3, v0, v1, v2, v3 *float32, n int)
// d0, d1, d2, d3 = v0, (v1 - v2) + v3, (v1 + v2) - v0, -v3
TEXT ·b4VecAVX2(SB), NOSPLIT, $0-72
	MOVQ d0+0(FP), DI
	MOVQ d1+8(FP), SI
	MOVQ d2+16(FP), R8
	MOVQ d3+24(FP), R9
	MOVQ v0+32(FP), R10
	MOVQ v1+40(FP), R11
	MOVQ v2+48(FP), R12
	MOVQ v3+56(FP), R13
	MOVQ n+64(FP), CX
	SHLQ $2, CX
	XORQ AX, AX
	VBROADCASTSS winoSignBit<>(SB), Y15

b4loop:
	VMOVUPS (R10)(AX*1), Y0
	VMOVUPS (R11)(AX*1), Y1
	VMOVUPS (R12)(AX*1), Y2
	VMOVUPS (R13)(AX*1), Y3
	VSUBPS  Y2, Y1, Y5
	VADDPS  Y3, Y5, Y5
	VADDPS  Y2, Y1, Y6
	VSUBPS  Y0, Y6, Y6
	VXORPS  Y15, Y3, Y7
	VMOVUPS Y0, (DI)(AX*1)
	VMOVUPS Y5, (SI)(AX*1)
	VMOVUPS Y6, (R8)(AX*1)
	VMOVUPS Y7, (R9)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, CX
	JLT     b4loop
	VZEROUPPER
	RET

// func b4AddVecAVX2(d0, d1, d2, d3, v0, v1, v2, v3 *float32, n int)
// d0..d3 += b4(v0..v3), one after the other as Go's d0[k] += a; d1[k] += b
// ...: a row given twice (the junk row) adds both. Operand order as the Go
// loop's compiled code has it: d0 + v0, but b4's value + d1 (and d2, d3),
// and v2 + v1 where b4VecGo has v1 + v2.
TEXT ·b4AddVecAVX2(SB), NOSPLIT, $0-72
	MOVQ d0+0(FP), DI
	MOVQ d1+8(FP), SI
	MOVQ d2+16(FP), R8
	MOVQ d3+24(FP), R9
	MOVQ v0+32(FP), R10
	MOVQ v1+40(FP), R11
	MOVQ v2+48(FP), R12
	MOVQ v3+56(FP), R13
	MOVQ n+64(FP), CX
	SHLQ $2, CX
	XORQ AX, AX
	VBROADCASTSS winoSignBit<>(SB), Y15

b4addloop:
	VMOVUPS (R10)(AX*1), Y0
	VMOVUPS (R11)(AX*1), Y1
	VMOVUPS (R12)(AX*1), Y2
	VMOVUPS (R13)(AX*1), Y3
	VSUBPS  Y2, Y1, Y5
	VADDPS  Y3, Y5, Y5
	VADDPS  Y1, Y2, Y6
	VSUBPS  Y0, Y6, Y6
	VXORPS  Y15, Y3, Y7
	VMOVUPS (DI)(AX*1), Y8
	VADDPS  Y0, Y8, Y8
	VMOVUPS Y8, (DI)(AX*1)
	VADDPS  (SI)(AX*1), Y5, Y5
	VMOVUPS Y5, (SI)(AX*1)
	VADDPS  (R8)(AX*1), Y6, Y6
	VMOVUPS Y6, (R8)(AX*1)
	VADDPS  (R9)(AX*1), Y7, Y7
	VMOVUPS Y7, (R9)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, CX
	JLT     b4addloop
	VZEROUPPER
	RET

// func at4VecAVX2(y0, y1, m0, m1, m2, m3 *float32, n int)
// y0, y1 = (m0 + m1) + m2, (m1 - m2) - m3
TEXT ·at4VecAVX2(SB), NOSPLIT, $0-56
	MOVQ y0+0(FP), DI
	MOVQ y1+8(FP), SI
	MOVQ m0+16(FP), R10
	MOVQ m1+24(FP), R11
	MOVQ m2+32(FP), R12
	MOVQ m3+40(FP), R13
	MOVQ n+48(FP), CX
	SHLQ $2, CX
	XORQ AX, AX

at4loop:
	VMOVUPS (R10)(AX*1), Y0
	VMOVUPS (R11)(AX*1), Y1
	VMOVUPS (R12)(AX*1), Y2
	VMOVUPS (R13)(AX*1), Y3
	VADDPS  Y1, Y0, Y4
	VADDPS  Y2, Y4, Y4
	VSUBPS  Y2, Y1, Y5
	VSUBPS  Y3, Y5, Y5
	VMOVUPS Y4, (DI)(AX*1)
	VMOVUPS Y5, (SI)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, CX
	JLT     at4loop
	VZEROUPPER
	RET

// func a2VecAVX2(m0, m1, m2, m3, y0, y1 *float32, n int)
// m0, m1, m2, m3 = y0, y0 + y1, y0 - y1, -y1
TEXT ·a2VecAVX2(SB), NOSPLIT, $0-56
	MOVQ m0+0(FP), DI
	MOVQ m1+8(FP), SI
	MOVQ m2+16(FP), R8
	MOVQ m3+24(FP), R9
	MOVQ y0+32(FP), R10
	MOVQ y1+40(FP), R11
	MOVQ n+48(FP), CX
	SHLQ $2, CX
	XORQ AX, AX
	VBROADCASTSS winoSignBit<>(SB), Y15

a2loop:
	VMOVUPS (R10)(AX*1), Y0
	VMOVUPS (R11)(AX*1), Y1
	VADDPS  Y1, Y0, Y2
	VSUBPS  Y1, Y0, Y3
	VXORPS  Y15, Y1, Y4
	VMOVUPS Y0, (DI)(AX*1)
	VMOVUPS Y2, (SI)(AX*1)
	VMOVUPS Y3, (R8)(AX*1)
	VMOVUPS Y4, (R9)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, CX
	JLT     a2loop
	VZEROUPPER
	RET
