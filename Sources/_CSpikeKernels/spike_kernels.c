#include "spike_kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define SPIKELOOP_HAVE_AVX512_PATH 1

/* A store per vector, even of no spikes, made the next vector's load of v wait whenever `out` sat at the same
   offset within a page as v (4K aliasing): compress took 2.5x longer for some buffer placements. Spikes are
   sparse, so storing only vectors with spikes removes almost every store and the stall with it. */
__attribute__((target("avx512f")))
static int compress_avx512(const float *v, int n, float threshold, int32_t *out) {
    const __m512 t = _mm512_set1_ps(threshold);
    __m512i idx = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i step = _mm512_set1_epi32(16);
    int count = 0;
    for (int i = 0; i < n; i += 16) {
        __mmask16 m = _mm512_cmp_ps_mask(_mm512_loadu_ps(v + i), t, _CMP_GT_OQ);
        if (m) { /* spikes are sparse: store only then (see the note above) */
            _mm512_storeu_si512((void *)(out + count), _mm512_maskz_compress_epi32(m, idx));
            count += __builtin_popcount((unsigned)m);
        }
        idx = _mm512_add_epi32(idx, step);
    }
    return count;
}

__attribute__((target("avx512f")))
static int compress_each_avx512(const float *v, const float *thr, int n, int32_t *out) {
    __m512i idx = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i step = _mm512_set1_epi32(16);
    int count = 0;
    for (int i = 0; i < n; i += 16) {
        __mmask16 m = _mm512_cmp_ps_mask(_mm512_loadu_ps(v + i), _mm512_loadu_ps(thr + i), _CMP_GT_OQ);
        if (m) {
            _mm512_storeu_si512((void *)(out + count), _mm512_maskz_compress_epi32(m, idx));
            count += __builtin_popcount((unsigned)m);
        }
        idx = _mm512_add_epi32(idx, step);
    }
    return count;
}
#endif

static int compress_each_portable(const float *v, const float *thr, int n, int32_t *out) {
    int count = 0;
    for (int i = 0; i < n; i++) {
        out[count] = i;
        count += v[i] > thr[i];
    }
    return count;
}

static int compress_portable(const float *v, int n, float threshold, int32_t *out) {
    int count = 0;
    for (int i = 0; i < n; i++) {
        out[count] = i;
        count += v[i] > threshold;
    }
    return count;
}

typedef int (*compress_fn)(const float *, int, float, int32_t *);

static compress_fn choose(void) {
#ifdef SPIKELOOP_HAVE_AVX512_PATH
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return compress_avx512;
#endif
    return compress_portable;
}

int spikeloop_threshold_compress(const float *v, int n, float threshold, int32_t *out) {
    static compress_fn fn = 0;
    compress_fn f = __atomic_load_n(&fn, __ATOMIC_RELAXED);
    if (!f) {
        f = choose();
        __atomic_store_n(&fn, f, __ATOMIC_RELAXED);
    }
    return f(v, n, threshold, out);
}

typedef int (*compress_each_fn)(const float *, const float *, int, int32_t *);

int spikeloop_threshold_compress_each(const float *v, const float *threshold, int n, int32_t *out) {
    static compress_each_fn fn = 0;
    compress_each_fn f = __atomic_load_n(&fn, __ATOMIC_RELAXED);
    if (!f) {
        f = compress_each_portable;
#ifdef SPIKELOOP_HAVE_AVX512_PATH
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f")) f = compress_each_avx512;
#endif
        __atomic_store_n(&fn, f, __ATOMIC_RELAXED);
    }
    return f(v, threshold, n, out);
}
