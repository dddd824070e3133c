#include "DecodeAttention.h"

#include <math.h>

#pragma clang fp contract(fast)

/// Keys per chunk of the online softmax (a multiple of 16).
#define MTLA_DECODE_CHUNK 32

#if defined(__x86_64__)
#define MTLA_X86 1
#endif

// Portable instantiation: 4-float vectors (SSE on x86-64, NEON on arm64), no FMA contraction on
// baseline x86-64.
#define KW 4
#define KTARGET
#define KFN(x) x##_generic
#define KKEYS 1
#define KBLOCKS 1
#include "DecodeAttentionBody.h"
#undef KW
#undef KTARGET
#undef KFN
#undef KKEYS
#undef KBLOCKS

#if MTLA_X86
#define KW 8
#define KTARGET __attribute__((target("avx2,fma")))
#define KFN(x) x##_avx2
#define KKEYS 1
#define KBLOCKS 1
#include "DecodeAttentionBody.h"
#undef KW
#undef KTARGET
#undef KFN
#undef KKEYS
#undef KBLOCKS

#define KW 16
#define KTARGET __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma")))
#define KFN(x) x##_avx512
#define KKEYS 2
#define KBLOCKS 2
#include "DecodeAttentionBody.h"
#undef KW
#undef KTARGET
#undef KFN
#undef KKEYS
#undef KBLOCKS
#endif

int mtla_decode_best_isa(void) {
#if MTLA_X86
    static int cached = -1;
    int isa = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (isa >= 0) return isa;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        isa = 2;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        isa = 1;
    else
        isa = 0;
    __atomic_store_n(&cached, isa, __ATOMIC_RELAXED);
    return isa;
#else
    return 0;
#endif
}

void mtla_decode_partial(int isa, int rows, int dk, int dv, float scale, const float *const *q,
                         const float *k, ptrdiff_t kStride, const float *v, ptrdiff_t vStride,
                         ptrdiff_t begin, ptrdiff_t end, const ptrdiff_t *rowEnd, float *state) {
    const int best = mtla_decode_best_isa();
    if (isa < 0 || isa > best) isa = best;
#if MTLA_X86
    if (isa == 2) {
        partial_avx512(rows, dk, dv, scale, q, k, kStride, v, vStride, begin, end, rowEnd, state);
        return;
    }
    if (isa == 1) {
        partial_avx2(rows, dk, dv, scale, q, k, kStride, v, vStride, begin, end, rowEnd, state);
        return;
    }
#endif
    partial_generic(rows, dk, dv, scale, q, k, kStride, v, vStride, begin, end, rowEnd, state);
}

void mtla_decode_merge(int rows, int dv, int parts, const float *states, ptrdiff_t stateStride,
                       float *const *out, float *lse) {
    for (int r = 0; r < rows; r++) {
        float mx = -INFINITY;
        for (int p = 0; p < parts; p++) {
            const float m = states[p * stateStride + r];
            mx = m > mx ? m : mx;
        }
        float *o = out[r];
        for (int d = 0; d < dv; d++) o[d] = 0;
        if (mx == -INFINITY) {
            if (lse) lse[r] = -INFINITY;
            continue;
        }
        float total = 0;
        for (int p = 0; p < parts; p++) {
            const float *st = states + p * stateStride;
            if (st[r] == -INFINITY) continue;
            const float w = expf(st[r] - mx);
            total += w * st[rows + r];
            const float *a = st + 2 * rows + (ptrdiff_t)r * dv;
            for (int d = 0; d < dv; d++) o[d] += w * a[d];
        }
        const float inv = 1 / total;
        for (int d = 0; d < dv; d++) o[d] *= inv;
        if (lse) lse[r] = mx + logf(total);
    }
}

void mtla_gemm_nt(int isa, int m, int n, int k, const float *x, ptrdiff_t ldx, const float *w, ptrdiff_t ldw,
                  float *out, ptrdiff_t ldo) {
    const int best = mtla_decode_best_isa();
    if (isa < 0 || isa > best) isa = best;
    for (int first = 0; first < m; first += MTLA_DECODE_MAX_ROWS) {
        const int rows = m - first < MTLA_DECODE_MAX_ROWS ? m - first : MTLA_DECODE_MAX_ROWS;
        const float *xr[MTLA_DECODE_MAX_ROWS];
        float *orow[MTLA_DECODE_MAX_ROWS];
        for (int r = 0; r < rows; r++) {
            xr[r] = x + (ptrdiff_t)(first + r) * ldx;
            orow[r] = out + (ptrdiff_t)(first + r) * ldo;
        }
#if MTLA_X86
        if (isa == 2) { gemm_avx512(rows, n, k, xr, w, ldw, orow); continue; }
        if (isa == 1) { gemm_avx2(rows, n, k, xr, w, ldw, orow); continue; }
#endif
        gemm_generic(rows, n, k, xr, w, ldw, orow);
    }
}
