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


/// Parameters of the shallow-water basilar membrane (Sieroka, Dosch & Rupp 2006), CGS units as in lauscher.
typedef struct {
    double a, alpha, rho, c0, de, h, m;
} spikeloop_sieroka_params;

/// The place-independent factor of the membrane velocity, 2ω·Z_stapes(ω)/p(ω, 0), and Im G(ω, 0), for `count`
/// angular frequencies (rad/s, > 0): drive holds 3 doubles per frequency (re, im, Im G).
void spikeloop_sieroka_drive(const spikeloop_sieroka_params *p, const double *omega, int64_t count, double *drive);

/// Membrane velocity per unit input at `place` (cm from the stapes) for `count` angular frequencies, given their
/// `drive`; out holds interleaved (re, im) in the physics convention e^{−iωt} (see LauscherFilterBank).
void spikeloop_sieroka_velocity(const spikeloop_sieroka_params *p, const double *omega, const double *drive,
                                int64_t count, double place, double *out);

/// Hankel function of the first kind, order 0, at re + i·im: out = (re, im) of H0^(1).
void spikeloop_hankel1_0(double re, double im, double *out);

/// Constants of the SHD chain's nerve stages (lauscher 1.0.1: Meddis hair cell, 40 fibres, bushy LIF), per step dt.
typedef struct {
    float A, B, M, ym_dt, y_dt, x_dt, r_dt, g_dt, h_dt, lr_dt;
    float alpha_m, alpha_s, weight_dt;
    int32_t fibres, bushy_frozen, lanes;
} spikeloop_lauscher_params;

/// State of 16 channels; `ring` holds ring_length × 16 recent fibre spike counts (ring_length = the samples a
/// fibre stays refractory after a spike); `step` counts the samples run so far.
typedef struct {
    float q[16], c[16], w[16], current[16], voltage[16];
    uint32_t rng[16];
    int32_t busy_fibres[16], frozen[16];
    int32_t *ring;
    int32_t ring_length;
    int64_t step;
} spikeloop_lauscher_state;

/// Runs `steps` samples of 16 channels; drive[16·t + lane] is the membrane velocity. Writes each bushy spike's
/// (step, lane) (room for steps·16/2 + 16) and returns their count. probe arrays (16 per step) may be NULL.
int64_t spikeloop_lauscher_nerve(const spikeloop_lauscher_params *params, spikeloop_lauscher_state *state,
                                 const float *drive, int64_t steps, int32_t *event_step, int32_t *event_lane,
                                 float *probe_probability, int32_t *probe_count);

/// out[k] = x[k]·h[k] + conj(x[B−k]·h[B−k]) for k ≤ B/2, B = `half` (even): the B-point spectrum of the even
/// samples of the 2B-point circular product (interleaved re, im). `scratch` holds B + 1 complex values.
void spikeloop_multiply_fold(const float *x, const float *h, float *out, float *scratch, int64_t half);

#endif
