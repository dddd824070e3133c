// One instantiation of the decode kernel, included by DecodeAttention.c once per instruction set with
//   KW        floats per vector (16, 8, 4),
//   KTARGET   the function attribute selecting the instruction set (empty for baseline),
//   KFN(x)    x with the instruction set's suffix,
//   KKEYS     keys scored per pass (1 or 2: two need 2·rows + 2 vector registers),
//   KBLOCKS   value vectors accumulated per pass (1 or 2).
// Multiply-adds are written a·b + c and contracted to FMA where the target has it
// (`#pragma clang fp contract(fast)` in DecodeAttention.c).

typedef float KFN(vec) __attribute__((ext_vector_type(KW)));
typedef int KFN(ivec) __attribute__((ext_vector_type(KW)));

static inline __attribute__((always_inline)) KTARGET KFN(vec) KFN(load)(const float *p) {
    KFN(vec) x;
    __builtin_memcpy(&x, p, sizeof x);
    return x;
}

static inline __attribute__((always_inline)) KTARGET void KFN(store)(float *p, KFN(vec) x) {
    __builtin_memcpy(p, &x, sizeof x);
}

static inline __attribute__((always_inline)) KTARGET float KFN(sum)(KFN(vec) x) {
#if KW == 16
    typedef float h8 __attribute__((ext_vector_type(8)));
    h8 a = __builtin_shufflevector(x, x, 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(x, x, 8, 9, 10, 11, 12, 13, 14, 15);
#elif KW == 8
    KFN(vec) a = x;
#endif
#if KW >= 8
    typedef float h4 __attribute__((ext_vector_type(4)));
    h4 b = __builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7);
#else
    KFN(vec) b = x;
#endif
    typedef float h2 __attribute__((ext_vector_type(2)));
    h2 c = __builtin_shufflevector(b, b, 0, 1) + __builtin_shufflevector(b, b, 2, 3);
    return c[0] + c[1];
}

#if KW == 16
/// The 16 horizontal sums of x[0..15] as one vector (lane i = Σ x[i]): a transpose-and-add tree,
/// 45 shuffles and adds instead of 16 separate reductions (~130).
static inline __attribute__((always_inline)) KTARGET KFN(vec) KFN(sum16)(const KFN(vec) *x) {
    typedef KFN(vec) V;
    V l1[8], l2[4], l3[2];
    for (int i = 0; i < 8; i++)
        l1[i] = __builtin_shufflevector(x[2 * i], x[2 * i + 1], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23)
              + __builtin_shufflevector(x[2 * i], x[2 * i + 1], 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    for (int i = 0; i < 4; i++)
        l2[i] = __builtin_shufflevector(l1[2 * i], l1[2 * i + 1], 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27)
              + __builtin_shufflevector(l1[2 * i], l1[2 * i + 1], 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    for (int i = 0; i < 2; i++)
        l3[i] = __builtin_shufflevector(l2[2 * i], l2[2 * i + 1], 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29)
              + __builtin_shufflevector(l2[2 * i], l2[2 * i + 1], 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
    return __builtin_shufflevector(l3[0], l3[1], 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
         + __builtin_shufflevector(l3[0], l3[1], 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}
#endif

/// Cephes expf, as TensorCore's SIMDMath.exp: inputs below −87.33654 (−∞ included) give 0.
static inline __attribute__((always_inline)) KTARGET KFN(vec) KFN(exp)(KFN(vec) x) {
    typedef KFN(vec) V;
    typedef KFN(ivec) I;
    const V lower = -87.33654f, upper = 88.72283f, magic = 12582912.0f;
    V xc = __builtin_elementwise_min(__builtin_elementwise_max(x, lower), upper);
    V t = xc * 1.44269504f + magic;
    V n = t - magic;
    V r = xc - n * 0.693359375f;
    r = r - n * -2.1219444e-4f;
    V p = 1.98756915e-4f;
    p = p * r + 1.39819995e-3f;
    p = p * r + 8.3334519e-3f;
    p = p * r + 4.16657959e-2f;
    p = p * r + 1.66666655e-1f;
    p = p * r + 5.00000012e-1f;
    V e = p * (r * r) + r + 1.0f;
    I ni = (I)t - (I)magic;
    V scale = (V)((ni + 127) << 23);
    I keep = x >= lower;
    return (V)((I)(e * scale) & keep);
}

/// Dot products of the R rows q[r] (dk floats) with the rows k0 and k1: t[r] = q[r]·k0, t[8 + r] = q[r]·k1.
/// Prefetches the rows `ahead` floats further on.
static inline __attribute__((always_inline)) KTARGET void KFN(dots2)(const int R, int dk, const float *const *q,
                                                                   const float *k0, const float *k1, ptrdiff_t ahead,
                                                                   float *t) {
    typedef KFN(vec) V;
    const int dkv = dk - dk % KW;
    V a0[MTLA_DECODE_MAX_ROWS], a1[MTLA_DECODE_MAX_ROWS];
    for (int r = 0; r < R; r++) a0[r] = a1[r] = 0;
    for (int d = 0; d < dkv; d += KW) {
        __builtin_prefetch(k0 + ahead + d);
        __builtin_prefetch(k1 + ahead + d);
        V x0 = KFN(load)(k0 + d), x1 = KFN(load)(k1 + d);
        for (int r = 0; r < R; r++) {
            V y = KFN(load)(q[r] + d);
            a0[r] = y * x0 + a0[r];
            a1[r] = y * x1 + a1[r];
        }
    }
#if KW == 16
    if (R >= 4) {
        V x[16];
        for (int r = 0; r < 8; r++) {
            x[r] = r < R ? a0[r] : 0;
            x[8 + r] = r < R ? a1[r] : 0;
        }
        float u[16] __attribute__((aligned(64)));
        KFN(store)(u, KFN(sum16)(x));
        for (int r = 0; r < R; r++) {
            t[r] = u[r];
            t[8 + r] = u[8 + r];
        }
    } else
#endif
    {
        for (int r = 0; r < R; r++) {
            t[r] = KFN(sum)(a0[r]);
            t[8 + r] = KFN(sum)(a1[r]);
        }
    }
    for (int r = 0; r < R; r++) {
        for (int d = dkv; d < dk; d++) {
            t[r] += q[r][d] * k0[d];
            t[8 + r] += q[r][d] * k1[d];
        }
    }
}

/// t[r] = q[r]·k0 for r < R.
static inline __attribute__((always_inline)) KTARGET void KFN(dots1)(const int R, int dk, const float *const *q,
                                                                   const float *k0, ptrdiff_t ahead, float *t) {
    typedef KFN(vec) V;
    const int dkv = dk - dk % KW;
    V a0[MTLA_DECODE_MAX_ROWS];
    for (int r = 0; r < R; r++) a0[r] = 0;
    for (int d = 0; d < dkv; d += KW) {
        __builtin_prefetch(k0 + ahead + d);
        V x0 = KFN(load)(k0 + d);
        for (int r = 0; r < R; r++) a0[r] = KFN(load)(q[r] + d) * x0 + a0[r];
    }
    for (int r = 0; r < R; r++) {
        t[r] = KFN(sum)(a0[r]);
        for (int d = dkv; d < dk; d++) t[r] += q[r][d] * k0[d];
    }
}

/// out[r][j] = x[r]·w[j] for R rows of x and n rows of w (k floats each, w rows ldw apart).
static inline __attribute__((always_inline)) KTARGET void KFN(gemmRows)(const int R, int n, int k, const float *const *x,
                                                                      const float *w, ptrdiff_t ldw, float *const *out) {
    int j = 0;
#if KKEYS == 2
    for (; j + 2 <= n; j += 2) {
        float t[16] __attribute__((aligned(64)));
        KFN(dots2)(R, k, x, w + j * ldw, w + (j + 1) * ldw, 8 * ldw, t);
        for (int r = 0; r < R; r++) {
            out[r][j] = t[r];
            out[r][j + 1] = t[8 + r];
        }
    }
#endif
    for (; j < n; j++) {
        float t[8];
        KFN(dots1)(R, k, x, w + j * ldw, 8 * ldw, t);
        for (int r = 0; r < R; r++) out[r][j] = t[r];
    }
}

static KTARGET void KFN(gemm)(int rows, int n, int k, const float *const *x, const float *w, ptrdiff_t ldw,
                              float *const *out) {
#define MTLA_ROWS_CASE(R) \
    case R: KFN(gemmRows)(R, n, k, x, w, ldw, out); break;
    switch (rows) {
        MTLA_ROWS_CASE(1) MTLA_ROWS_CASE(2) MTLA_ROWS_CASE(3) MTLA_ROWS_CASE(4)
        MTLA_ROWS_CASE(5) MTLA_ROWS_CASE(6) MTLA_ROWS_CASE(7) MTLA_ROWS_CASE(8)
        default: break;
    }
#undef MTLA_ROWS_CASE
}

/// The partial state for a compile-time `R` (the loops over rows unroll, accumulators stay in registers).
static inline __attribute__((always_inline)) KTARGET void KFN(partialRows)(
    const int R, int dk, int dv, float scale, const float *const *q, const float *k, ptrdiff_t kStride,
    const float *v, ptrdiff_t vStride, ptrdiff_t begin, ptrdiff_t end, const ptrdiff_t *rowEnd, float *state) {
    typedef KFN(vec) V;
    enum { CH = MTLA_DECODE_CHUNK };
    float s[MTLA_DECODE_MAX_ROWS][CH] __attribute__((aligned(64)));
    float *m = state, *l = state + R, *acc = state + 2 * R;
    for (int r = 0; r < R; r++) {
        m[r] = -INFINITY;
        l[r] = 0;
    }
    for (ptrdiff_t i = 0; i < (ptrdiff_t)R * dv; i++) acc[i] = 0;
    for (ptrdiff_t j0 = begin; j0 < end; j0 += CH) {
        const int n = end - j0 < CH ? (int)(end - j0) : CH;
        // Scores: KKEYS keys per pass, each key row read once for all R query rows.
        int c = 0;
#if KKEYS == 2
        for (; c + 2 <= n; c += 2) {
            const float *k0 = k + (j0 + c) * kStride;
            float t[16] __attribute__((aligned(64)));
            KFN(dots2)(R, dk, q, k0, k0 + kStride, CH * kStride, t);
            for (int r = 0; r < R; r++) {
                s[r][c] = t[r];
                s[r][c + 1] = t[8 + r];
            }
        }
#endif
        for (; c < n; c++) {
            float t[8];
            KFN(dots1)(R, dk, q, k + (j0 + c) * kStride, CH * kStride, t);
            for (int r = 0; r < R; r++) s[r][c] = t[r];
        }
        // Online softmax per row: scale, hide keys past the row's end (and the unused chunk tail),
        // rescale the running state to the new max, probabilities in place of the scores.
        for (int r = 0; r < R; r++) {
            float *sr = s[r];
            ptrdiff_t visible = rowEnd[r] - j0;
            const int e = visible < 0 ? 0 : (visible > n ? n : (int)visible);
            float mx = -INFINITY;
            for (int i = 0; i < e; i++) {
                sr[i] *= scale;
                mx = sr[i] > mx ? sr[i] : mx;
            }
            for (int i = e; i < CH; i++) sr[i] = -INFINITY;
            const float old = m[r], mnew = old > mx ? old : mx;
            if (mnew == -INFINITY) {
                for (int i = 0; i < CH; i++) sr[i] = 0;
                continue;
            }
            V sum = 0;
            for (int i = 0; i < CH; i += KW) {
                V p = KFN(exp)(KFN(load)(sr + i) - mnew);
                KFN(store)(sr + i, p);
                sum += p;
            }
            const float alpha = old == -INFINITY ? 0 : expf(old - mnew);
            l[r] = l[r] * alpha + KFN(sum)(sum);
            m[r] = mnew;
            if (alpha != 1) {
                float *ar = acc + (ptrdiff_t)r * dv;
                for (int d = 0; d < dv; d++) ar[d] *= alpha;
            }
        }
        // acc[r] += Σ_c p[r][c]·v[j0 + c]: KBLOCKS value vectors × R rows of accumulators in registers.
        const int step = KBLOCKS * KW;
        int d = 0;
        for (; d + step <= dv; d += step) {
            V o[KBLOCKS][MTLA_DECODE_MAX_ROWS];
            for (int b = 0; b < KBLOCKS; b++)
                for (int r = 0; r < R; r++) o[b][r] = KFN(load)(acc + (ptrdiff_t)r * dv + d + b * KW);
            for (int i = 0; i < n; i++) {
                const float *vj = v + (j0 + i) * vStride + d;
                for (int b = 0; b < KBLOCKS; b++) __builtin_prefetch(vj + CH * vStride + b * KW);
                V x[KBLOCKS];
                for (int b = 0; b < KBLOCKS; b++) x[b] = KFN(load)(vj + b * KW);
                for (int r = 0; r < R; r++) {
                    V p = s[r][i];
                    for (int b = 0; b < KBLOCKS; b++) o[b][r] = p * x[b] + o[b][r];
                }
            }
            for (int b = 0; b < KBLOCKS; b++)
                for (int r = 0; r < R; r++) KFN(store)(acc + (ptrdiff_t)r * dv + d + b * KW, o[b][r]);
        }
        for (; d + KW <= dv; d += KW) {
            V o[MTLA_DECODE_MAX_ROWS];
            for (int r = 0; r < R; r++) o[r] = KFN(load)(acc + (ptrdiff_t)r * dv + d);
            for (int i = 0; i < n; i++) {
                __builtin_prefetch(v + (j0 + i + CH) * vStride + d);
                V x = KFN(load)(v + (j0 + i) * vStride + d);
                for (int r = 0; r < R; r++) o[r] = (V)s[r][i] * x + o[r];
            }
            for (int r = 0; r < R; r++) KFN(store)(acc + (ptrdiff_t)r * dv + d, o[r]);
        }
        for (; d < dv; d++) {
            for (int i = 0; i < n; i++) {
                const float x = v[(j0 + i) * vStride + d];
                for (int r = 0; r < R; r++) acc[(ptrdiff_t)r * dv + d] += s[r][i] * x;
            }
        }
    }
}

static KTARGET void KFN(partial)(int rows, int dk, int dv, float scale, const float *const *q, const float *k,
                                 ptrdiff_t kStride, const float *v, ptrdiff_t vStride, ptrdiff_t begin,
                                 ptrdiff_t end, const ptrdiff_t *rowEnd, float *state) {
#define MTLA_ROWS_CASE(R) \
    case R: KFN(partialRows)(R, dk, dv, scale, q, k, kStride, v, vStride, begin, end, rowEnd, state); break;
    switch (rows) {
        MTLA_ROWS_CASE(1) MTLA_ROWS_CASE(2) MTLA_ROWS_CASE(3) MTLA_ROWS_CASE(4)
        MTLA_ROWS_CASE(5) MTLA_ROWS_CASE(6) MTLA_ROWS_CASE(7) MTLA_ROWS_CASE(8)
        default: break;
    }
#undef MTLA_ROWS_CASE
}
