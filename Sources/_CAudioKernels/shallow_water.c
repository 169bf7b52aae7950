/* The shallow-water basilar membrane of Sieroka, Dosch & Rupp (2006, JASA 120:297, doi:10.1121/1.2204438) with the
   parameters of the SHD conversion chain (Cramer et al. 2020), and the Hankel function it needs. Double precision:
   the membrane's transfer function spans 20 orders of magnitude between base and apex, and is evaluated once per
   filter bank, so its cost does not matter; the per-sample stages run in single precision elsewhere. */
#include "audio_kernels.h"
#include <complex.h>
#include <math.h>

/* Textbook complex multiply and divide (no inf/NaN rescue, no libcall): every value here is finite and far from
   overflow (|ξ| ≤ 1e9·e^0, |z| ≤ 100), and the filter bank evaluates ~10⁶ of them. */
#pragma STDC CX_LIMITED_RANGE ON

static const double euler_gamma = 0.57721566490153286061;

static inline double norm2(double complex z) { return creal(z) * creal(z) + cimag(z) * cimag(z); }

/* Principal square root (Re ≥ 0; on the negative real axis the sign of Im follows Im z, as csqrt's). Our own because
   glibc's csqrt (hypot, scaling for extreme values) is half the filter bank's setup time. */
static inline double complex sqrt_c(double complex z) {
    double a = creal(z), b = cimag(z);
    double r = sqrt(a * a + b * b);
    if (r == 0.0) return 0.0;
    double t = sqrt((r + fabs(a)) / 2.0);
    return a >= 0.0 ? t + I * (b / (2.0 * t)) : fabs(b) / (2.0 * t) + I * copysign(t, b);
}

/* Principal logarithm. */
static inline double complex log_c(double complex z) { return 0.5 * log(norm2(z)) + I * atan2(cimag(z), creal(z)); }

/* H0^(1)(z) = J0(z) + i·Y0(z) for complex z (Abramowitz & Stegun 9.1.13 + 9.1.12 below |z| = 10, the Hankel
   asymptotic expansion 9.2.7 above). The power series loses ≈ e^{|z| + Im z}·2⁻⁵³ to cancellation (≤ 1e-7 at the
   switch); the asymptotic series, truncated at its smallest term, is accurate to ≈ e^{-2|z|} (≤ 1e-8). The
   membrane's arguments have Re z ∈ [0, 20], Im z ∈ [0, 80]. */
static double complex hankel1_0(double complex z) {
    if (norm2(z) < 100.0) {
        double complex q = z * z / 4.0, term = 1.0, j0 = 1.0, tail = 0.0;
        double harmonic = 0.0;
        for (int k = 1; k < 80; k++) {
            term *= -q / ((double)k * (double)k);
            harmonic += 1.0 / k;
            j0 += term;
            tail -= harmonic * term;
            if (k > 4 && norm2(term) < 1e-36 * (norm2(j0) + norm2(tail))) break;
        }
        double complex y0 = (2.0 / M_PI) * ((log_c(z / 2.0) + euler_gamma) * j0 + tail);
        return j0 + I * y0;
    }
    /* Σ i^k a_k / z^k, a_k = Π_{j ≤ k} (−(2j−1)²) / (k!·8^k): stop at the smallest term. */
    double complex sum = 1.0, term = 1.0, step = I / (8.0 * z);
    double last = 1.0;
    for (int k = 1; k < 200; k++) {
        double complex next = term * step * (-(double)(2 * k - 1) * (2 * k - 1) / k);
        double size = norm2(next);
        if (size >= last) break;
        term = next;
        last = size;
        sum += term;
        if (size < 1e-34) break;
    }
    return sqrt_c(2.0 / (M_PI * z)) * cexp(I * (z - M_PI / 4.0)) * sum;
}

void spikeloop_hankel1_0(double re, double im, double *out) {
    double complex h = hankel1_0(re + I * im);
    out[0] = creal(h);
    out[1] = cimag(h);
}

/* Partition impedance ξ(ω, x) = s(x) − mω² − iωr(x), with stiffness s(x) = c0·e^{−αx} − a and resistance
   r(x) = δ·√(c0·m)·e^{−αx/2} (per unit area; x in cm from the stapes). */
static double complex impedance(const spikeloop_sieroka_params *p, double w, double x) {
    double s = p->c0 * exp(-p->alpha * x) - p->a;
    double r = p->de * sqrt(p->c0 * p->m) * exp(-p->alpha * x / 2.0);
    return s - p->m * w * w - I * w * r;
}

/* Local wave number g(ω, x) = ω·√(ρ / (h·ξ)) of the shallow-water (long-wave) approximation. */
static double complex wavenumber(const spikeloop_sieroka_params *p, double w, double x) {
    return w * sqrt_c(p->rho / (p->h * impedance(p, w, x)));
}

/* Φ(ω, x) = −√ξ + i(2a + ω(2mω + i·r(x)))/(2√(a + mω²)): the closed-form antiderivative of g for the exponential
   stiffness profile is ∝ log(Φ(ω, 0) / (e^{αx/2}·Φ(ω, x))). */
static double complex phi(const spikeloop_sieroka_params *p, double w, double x) {
    double r = p->de * sqrt(p->c0 * p->m) * exp(-p->alpha * x / 2.0);
    return -sqrt_c(impedance(p, w, x)) + I * (2.0 * p->a + w * (2.0 * p->m * w + I * r)) / (2.0 * sqrt(p->a + p->m * w * w));
}

/* G(ω, x) = 2g(ω, 0)/α + ∫₀ˣ g dx': the Liouville–Green phase of the tapered shallow-water equation in closed form. */
static double complex phase_of(const spikeloop_sieroka_params *p, double w, double x) {
    double complex big = 2.0 * wavenumber(p, w, 0.0) / p->alpha;
    if (x != 0.0) {
        double complex ratio = phi(p, w, 0.0) / (exp(p->alpha * x / 2.0) * phi(p, w, x));
        big -= 2.0 * I * sqrt(2.0) * w / (p->alpha * sqrt(2.0 * p->h * (p->m * w * w + p->a))) * log_c(ratio);
    }
    return big;
}

/* Pressure p(ω, x) = √(G/g)·H0^(1)(G): the Hankel-function solution for the exponential stiffness profile. */
static double complex pressure(const spikeloop_sieroka_params *p, double w, double x, double complex big) {
    return sqrt_c(big / wavenumber(p, w, x)) * hankel1_0(big);
}

/* Stapes drive: the oval-window impedance of the tapered duct, √(2c0/h)·(iJ0(β) + Y0(β))/(J1(β) − iY1(β)),
   β = 2ω/α·√(2/(h·c0)); real Bessel functions from the C library (POSIX j0, y0, j1, y1). */
static double complex stapes(const spikeloop_sieroka_params *p, double w) {
    double b = 2.0 * w / p->alpha * sqrt(2.0 / (p->h * p->c0));
    return sqrt(2.0 * p->c0 / p->h) * (I * j0(b) + y0(b)) / (j1(b) - I * y1(b));
}

void spikeloop_sieroka_drive(const spikeloop_sieroka_params *p, const double *omega, int64_t count, double *drive) {
    for (int64_t k = 0; k < count; k++) {
        double w = omega[k];
        double complex phase0 = phase_of(p, w, 0.0);
        double complex p0 = pressure(p, w, 0.0, phase0);
        double complex d = p0 != 0.0 ? 2.0 * w * stapes(p, w) / p0 : 0.0;
        drive[3 * k] = creal(d);
        drive[3 * k + 1] = cimag(d);
        drive[3 * k + 2] = cimag(phase0);
    }
}

void spikeloop_sieroka_velocity(const spikeloop_sieroka_params *p, const double *omega, const double *drive,
                                int64_t count, double place, double *out) {
    for (int64_t k = 0; k < count; k++) {
        double w = omega[k];
        double complex phase = phase_of(p, w, place);
        /* Beyond e^-60 of the stapes pressure the wave has died out: store 0 (no NaN from underflowing ratios,
           and no Hankel evaluation for the many bins far above a channel's place). */
        double complex v = 0.0;
        if (cimag(phase) - drive[3 * k + 2] < 60.0)
            v = (drive[3 * k] + I * drive[3 * k + 1]) / impedance(p, w, place) * pressure(p, w, place, phase);
        out[2 * k] = creal(v);
        out[2 * k + 1] = cimag(v);
    }
}
