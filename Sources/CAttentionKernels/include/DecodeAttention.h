#ifndef MTLA_DECODE_ATTENTION_H
#define MTLA_DECODE_ATTENTION_H

#include <stddef.h>
#include <stdint.h>

// Decode attention kernel (few query rows per kv head): scores as dot products straight over the cached
// key rows, online softmax, weighted sum of the value rows, with no packing. Called by TensorCore's
// `FusedAttention.decode`; see FusedAttention+Decode.swift for the shapes and the split over keys.
//
// The vector code is built three times, for baseline x86-64 (and any other architecture), AVX2 + FMA and
// AVX-512, with per-function target attributes, and chosen at run time from the CPU, so the library
// itself stays baseline x86-64.

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction sets of the kernel: 0 portable C (4-float vectors), 1 AVX2 + FMA, 2 AVX-512F.
/// The best one this CPU runs (what a negative `isa` selects below).
int mtla_decode_best_isa(void);

/// Rows a call of `mtla_decode_partial` handles at most.
enum { MTLA_DECODE_MAX_ROWS = 8 };

/// Partial softmax state of `rows` (1...8) query rows over keys [begin, end) of one kv head.
///
/// q[r]: query row r (dk floats); key j at k + j·kStride (dk floats), value j at v + j·vStride (dv
/// floats); keys j ≥ rowEnd[r] are hidden from row r (rowEnd[r] ≤ end is not required). Writes
/// state = [m (rows), l (rows), acc (rows × dv)]: m the running max of the scaled visible scores
/// (−∞ when none), l = Σ exp(s − m), acc = Σ exp(s − m)·v (unnormalised). `isa` < 0: the best one;
/// an `isa` the CPU lacks is lowered to one it has.
void mtla_decode_partial(int isa, int rows, int dk, int dv, float scale, const float *const *q,
                         const float *k, ptrdiff_t kStride, const float *v, ptrdiff_t vStride,
                         ptrdiff_t begin, ptrdiff_t end, const ptrdiff_t *rowEnd, float *state);

/// Merges `parts` partial states (each rows·(dv + 2) floats, `stateStride` apart, in key order) into the
/// normalised outputs out[r] (dv floats) and, when `lse` is not null, lse[r] = m + log l (−∞ for a
/// row that saw no key; its output is 0).
void mtla_decode_merge(int rows, int dv, int parts, const float *states, ptrdiff_t stateStride,
                       float *const *out, float *lse);

/// out[i·ldo + j] = Σ_d x[i·ldx + d]·w[j·ldw + d] for i < m, j < n (x·wᵀ, a linear layer's product),
/// by the same dot products as the scores above (rows of x in groups of 8, each w row read once per
/// group, no packing): for the few rows of a decode step. `isa` as above.
void mtla_gemm_nt(int isa, int m, int n, int k, const float *x, ptrdiff_t ldx, const float *w, ptrdiff_t ldw,
                  float *out, ptrdiff_t ldo);

#ifdef __cplusplus
}
#endif

#endif
