"""Turns lauscher's output (np.savez: 'arr_0', float64 [2, N] = spike times in s, channel) into the compact file the
Swift test reads: a plain .npy, float32 [2, N], same rows. float32 keeps times to < 0.1 µs at 2 s, far below the
10 ms bins compared; channels are exact. Usage: python lauscher-npz-to-npy.py in.npz out.npy"""
import sys

import numpy as np

spikes = np.load(sys.argv[1])["arr_0"]
np.save(sys.argv[2], np.ascontiguousarray(spikes.astype(np.float32)))
print(f"{sys.argv[2]}: {spikes.shape[1]} spikes")
