#ifndef SPIKELOOP_SPIKE_KERNELS_H
#define SPIKELOOP_SPIKE_KERNELS_H
#include <stdint.h>

/// Writes the indices i in [0, n) with v[i] > threshold to out (ascending) and returns their count.
///
/// n must be a multiple of 16 and out must have room for count + 16 entries: the AVX-512 path stores whole
/// vectors after compressing each one in registers (branch-free; the memory form of vpcompressd is
/// microcoded and slow on AMD Zen 4). Other CPUs take a portable loop chosen once at run time.
int spikeloop_threshold_compress(const float *v, int n, float threshold, int32_t *out);

/// As above with a threshold per element (the emulated chip's neurons each have their own).
int spikeloop_threshold_compress_each(const float *v, const float *threshold, int n, int32_t *out);

#endif
