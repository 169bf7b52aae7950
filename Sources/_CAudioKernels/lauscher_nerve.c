#include "audio_kernels.h"
#include <stddef.h>

/* One rounding per operation on every path, so a conversion gives the same spikes on any x86-64 CPU. */
#pragma STDC FP_CONTRACT OFF
#ifdef __clang__
#pragma clang fp contract(off)
#endif

#define NERVE_FN lauscher_portable
#define NERVE_ATTR
#include "lauscher_body.inc"
#undef NERVE_FN
#undef NERVE_ATTR

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NERVE_FN lauscher_avx512
#define NERVE_ATTR __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw")))
#include "lauscher_body.inc"
#undef NERVE_FN
#undef NERVE_ATTR
#define SPIKELOOP_LAUSCHER_AVX512 1
#endif

typedef int64_t (*lauscher_fn)(const spikeloop_lauscher_params *, spikeloop_lauscher_state *, const float *, int64_t,
                               int32_t *, int32_t *, float *, int32_t *);

int64_t spikeloop_lauscher_nerve(const spikeloop_lauscher_params *params, spikeloop_lauscher_state *state,
                                 const float *drive, int64_t steps, int32_t *event_step, int32_t *event_lane,
                                 float *probe_probability, int32_t *probe_count) {
    static lauscher_fn fn = NULL;
    if (!fn) {
        lauscher_fn chosen = lauscher_portable;
#ifdef SPIKELOOP_LAUSCHER_AVX512
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw"))
            chosen = lauscher_avx512;
#endif
        fn = chosen;
    }
    return fn(params, state, drive, steps, event_step, event_lane, probe_probability, probe_count);
}

/* Y[k] = X[k]·H[k] for k ≤ B (M = 2B-point spectra), folded to the B-point spectrum of the even samples:
   out[k] = Y[k] + conj(Y[B − k]) for k ≤ B/2 (decimation by two in time aliases the spectrum onto itself).
   Products first (vectorized by spikeloop_complex_multiply), then the fold, which reads the upper half backwards;
   four complex values per step keep it in registers. */
void spikeloop_multiply_fold(const float *x, const float *h, float *out, float *scratch, int64_t half) {
    spikeloop_complex_multiply(x, h, scratch, half + 1);
    const float *restrict y = scratch;
    float *restrict o = out;
    for (int64_t k = 0; k <= half / 2; k++) {
        int64_t j = half - k;
        o[2 * k] = y[2 * k] + y[2 * j];
        o[2 * k + 1] = y[2 * k + 1] - y[2 * j + 1];
    }
}
