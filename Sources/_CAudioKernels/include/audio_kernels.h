#ifndef SPIKELOOP_AUDIO_KERNELS_H
#define SPIKELOOP_AUDIO_KERNELS_H
// Hot loops of the audio → spike pipeline (cochlea filter bank, auditory nerve); not API.
#include <stdint.h>

/// Constants of the auditory-nerve stage (Meddis hair cell, fibres, bushy cell) in single precision.
typedef struct {
    float A, B, g, y, l, r, x, h, M;
    float dt, c_decay, c_gain, gain, alpha_m, alpha_s, weight;
    int32_t fibres, bushy_refractory, lanes;
} spikeloop_nerve_params;

/// State of 16 channels (one per lane); `ring` holds ring_length × 16 recent fibre spike counts.
typedef struct {
    float q[16], c[16], w[16], current[16], voltage[16];
    uint32_t rng[16];
    int32_t busy_fibres[16], refractory[16];
    int32_t *ring;
    int32_t ring_length;
} spikeloop_nerve_state;

/// Runs `steps` samples of 16 channels; drive[16·t + lane] is the membrane displacement. Writes each bushy
/// spike's (step, lane) to event_step/event_lane (room for steps·16/(bushy_refractory+1) + 16) and returns
/// their count. probe_rate/probe_count (16 per step) may be NULL.
int64_t spikeloop_auditory_nerve(const spikeloop_nerve_params *params, spikeloop_nerve_state *state,
                                 const float *drive, int64_t steps, int32_t *event_step, int32_t *event_lane,
                                 float *probe_rate, int32_t *probe_count);

/// out[k] = x[k]·h[k] for n interleaved complex values (re, im).
void spikeloop_complex_multiply(const float *x, const float *h, float *out, int64_t n);

/// dst[i] += src[i] for i < n.
void spikeloop_accumulate(float *dst, const float *src, int64_t n);

/// dst[16·t + l] = src[l·stride + t] for t < n, l < 16: lanes side by side for the nerve kernel.
void spikeloop_interleave16(const float *src, int64_t stride, int64_t n, float *dst);

#endif
