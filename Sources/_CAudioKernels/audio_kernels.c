#include "audio_kernels.h"
#include <stddef.h>

/* One rounding per operation on every path, so a conversion gives the same spikes on any x86-64 CPU. */
#pragma STDC FP_CONTRACT OFF
#ifdef __clang__
#pragma clang fp contract(off)
#endif

#define NERVE_FN nerve_portable
#define NERVE_ATTR
#include "nerve_body.inc"
#undef NERVE_FN
#undef NERVE_ATTR

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NERVE_FN nerve_avx512
#define NERVE_ATTR __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw")))
#include "nerve_body.inc"
#undef NERVE_FN
#undef NERVE_ATTR
#define SPIKELOOP_NERVE_AVX512 1
#endif

typedef int64_t (*nerve_fn)(const spikeloop_nerve_params *, spikeloop_nerve_state *, const float *, int64_t,
                            int32_t *, int32_t *, float *, int32_t *);

int64_t spikeloop_auditory_nerve(const spikeloop_nerve_params *params, spikeloop_nerve_state *state,
                                 const float *drive, int64_t steps, int32_t *event_step, int32_t *event_lane,
                                 float *probe_rate, int32_t *probe_count) {
    static nerve_fn fn = NULL;
    if (!fn) {
        nerve_fn chosen = nerve_portable;
#ifdef SPIKELOOP_NERVE_AVX512
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw"))
            chosen = nerve_avx512;
#endif
        fn = chosen;
    }
    return fn(params, state, drive, steps, event_step, event_lane, probe_rate, probe_count);
}

/* Y = X·H for interleaved complex spectra, then accumulate. Kept in C so it vectorizes on every target. */
#define CMUL_BODY \
    for (int64_t k = 0; k < 2 * n; k += 2) { \
        float xr = x[k], xi = x[k + 1], hr = h[k], hi = h[k + 1]; \
        out[k] = xr * hr - xi * hi; \
        out[k + 1] = xr * hi + xi * hr; \
    }
#if defined(SPIKELOOP_NERVE_AVX512)
__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw")))
static void cmul_avx512(const float *restrict x, const float *restrict h, float *restrict out, int64_t n) { CMUL_BODY }
__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw")))
static void add_avx512(float *restrict dst, const float *restrict src, int64_t n) { for (int64_t i = 0; i < n; i++) dst[i] += src[i]; }
#endif
static void cmul_portable(const float *restrict x, const float *restrict h, float *restrict out, int64_t n) { CMUL_BODY }
static void add_portable(float *restrict dst, const float *restrict src, int64_t n) { for (int64_t i = 0; i < n; i++) dst[i] += src[i]; }

static int use_avx512(void) {
#ifdef SPIKELOOP_NERVE_AVX512
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                 __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
    }
    return cached;
#else
    return 0;
#endif
}

void spikeloop_complex_multiply(const float *x, const float *h, float *out, int64_t n) {
#ifdef SPIKELOOP_NERVE_AVX512
    if (use_avx512()) { cmul_avx512(x, h, out, n); return; }
#endif
    cmul_portable(x, h, out, n);
}

void spikeloop_accumulate(float *dst, const float *src, int64_t n) {
#ifdef SPIKELOOP_NERVE_AVX512
    if (use_avx512()) { add_avx512(dst, src, n); return; }
#endif
    add_portable(dst, src, n);
}

void spikeloop_interleave16(const float *src, int64_t stride, int64_t n, float *dst) {
    int64_t t0 = 0;
    for (; t0 + 16 <= n; t0 += 16)
        for (int l = 0; l < 16; l++) {
            const float *s = src + l * stride + t0;
            for (int i = 0; i < 16; i++) dst[16 * (t0 + i) + l] = s[i];
        }
    for (; t0 < n; t0++)
        for (int l = 0; l < 16; l++) dst[16 * t0 + l] = src[l * stride + t0];
}
