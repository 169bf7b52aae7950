#include "audio_kernels.h"
#include <stddef.h>

/* One rounding per operation on every path, so a conversion gives the same spikes on any x86-64 CPU. */
#pragma STDC FP_CONTRACT OFF
#ifdef __clang__
#pragma clang fp contract(off)
#endif

#define LANES_INLINE static inline __attribute__((always_inline))

/* Meddis hair cell for 16 channels: forward Euler on the old state with lauscher's clamps at 0; prob = c·h·dt. */
LANES_INLINE void meddis16(const spikeloop_lauscher_params *P, const float *d, float *q, float *c, float *w,
                           float *prob) {
    const float A = P->A, B = P->B, M = P->M, ymdt = P->ym_dt, ydt = P->y_dt, xdt = P->x_dt, rdt = P->r_dt;
    const float gdt = P->g_dt, hdt = P->h_dt, lrdt = P->lr_dt;
    for (int l = 0; l < 16; l++) {
        float s = d[l] + A;
        float k = s > 0.0f ? gdt * s / (s + B) : 0.0f;
        float replenish = q[l] < M ? ymdt - ydt * q[l] : 0.0f;
        float eject = k * q[l], reprocess = xdt * w[l];
        float qn = q[l] + replenish - eject + reprocess;
        float cn = c[l] + eject - lrdt * c[l];
        float wn = w[l] + rdt * c[l] - reprocess;
        q[l] = qn > 0.0f ? qn : 0.0f;
        c[l] = cn > 0.0f ? cn : 0.0f;
        w[l] = wn > 0.0f ? wn : 0.0f;
        prob[l] = c[l] * hdt;
    }
}

/* cnt = Binomial(avail, prob) per lane by inversion with one xorshift32 uniform each. Above p = ½ it counts the
   misses instead, so (1 − p)^avail never underflows (p ≥ 1: every available fibre fires); the inversion loop runs
   while any lane still needs a round (rarely more than three). */
LANES_INLINE void binomial16(const int32_t *avail, const float *prob, uint32_t *rng, int32_t *cnt) {
    float odds[16], cdf[16], term[16], u[16];
    int32_t flip[16];
    int more = 0;
    for (int l = 0; l < 16; l++) {
        flip[l] = prob[l] > 0.5f;
        float pp = flip[l] ? 1.0f - prob[l] : prob[l];
        pp = pp > 0.0f ? pp : 0.0f;
        float miss = 1.0f - pp;
        odds[l] = pp / miss;
        float acc = 1.0f, base = miss;
        int32_t e = avail[l];
        for (int b = 0; b < 7; b++) { /* (1 − p)^avail by binary powering (avail < 128) */
            acc = (e & 1) ? acc * base : acc;
            base = base * base;
            e >>= 1;
        }
        uint32_t r = rng[l];
        r ^= r << 13; r ^= r >> 17; r ^= r << 5;
        rng[l] = r;
        u[l] = (float)(int32_t)(r >> 8) * (1.0f / 16777216.0f);
        cnt[l] = 0;
        cdf[l] = acc; term[l] = acc;
        more |= (u[l] > cdf[l]) & (cnt[l] < avail[l]);
    }
    while (more) {
        more = 0;
        for (int l = 0; l < 16; l++) {
            int go = (u[l] > cdf[l]) & (cnt[l] < avail[l]);
            float tn = term[l] * (float)(avail[l] - cnt[l]) / (float)(cnt[l] + 1) * odds[l];
            term[l] = go ? tn : term[l];
            cdf[l] = go ? cdf[l] + tn : cdf[l];
            cnt[l] += go;
            more |= (u[l] > cdf[l]) & (cnt[l] < avail[l]);
        }
    }
    for (int l = 0; l < 16; l++) cnt[l] = flip[l] ? avail[l] - cnt[l] : cnt[l];
}

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
