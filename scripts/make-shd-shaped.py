#!/usr/bin/env python3
"""Writes SHD-shaped random spike files (shd_train.h5 with 1000 samples, shd_test.h5 with 200) for throughput
measurements: 6,000-10,000 spikes per sample over 700 channels and 1 s, float16 times, random labels (nothing
to learn). Needs h5py and numpy. Usage: scripts/make-shd-shaped.py OUT_DIR"""
import os, sys
import h5py
import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(2)
for name, n in (("shd_train.h5", 1000), ("shd_test.h5", 200)):
    with h5py.File(os.path.join(out, name), "w") as f:
        g = f.create_group("spikes")
        t = g.create_dataset("times", (n,), dtype=h5py.vlen_dtype(np.float16))
        u = g.create_dataset("units", (n,), dtype=h5py.vlen_dtype(np.uint16))
        for i in range(n):
            k = rng.integers(6000, 10000)
            t[i] = np.sort(rng.uniform(0, 1.0, k)).astype(np.float16)
            u[i] = rng.integers(0, 700, k).astype(np.uint16)
        f.create_dataset("labels", data=rng.integers(0, 20, n).astype(np.uint16))
