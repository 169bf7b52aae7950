#!/usr/bin/env python3
"""Writes the tiny SHD-layout fixture used by the tests, with h5py (pip install h5py numpy).

Layout as in the Spiking Heidelberg Digits files: spikes/times and spikes/units are per-sample variable-length
arrays (float16 seconds, uint16 channels), labels, extra/speaker, extra/keys, extra/meta_info/{gender, age,
body_height}. Deterministic: the test checks exact values.
Usage: scripts/make-shd-fixture.py Tests/SpikeDataTests/Fixtures/shd_h5py.h5
"""
import sys
import h5py
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(7)
n = 5
times, units = [], []
for s in range(n):
    k = 20 + 7 * s
    t = np.sort(rng.uniform(0, 0.8, k)).astype(np.float16)
    u = rng.integers(0, 700, k).astype(np.uint16)
    times.append(t)
    units.append(u)
with h5py.File(out, "w", libver="earliest") as f:
    sp = f.create_group("spikes")
    dt = sp.create_dataset("times", (n,), dtype=h5py.vlen_dtype(np.dtype("float16")))
    du = sp.create_dataset("units", (n,), dtype=h5py.vlen_dtype(np.dtype("uint16")))
    for s in range(n):
        dt[s] = times[s]
        du[s] = units[s]
    f.create_dataset("labels", data=np.array([3, 14, 0, 19, 7], dtype=np.uint16))
    ex = f.create_group("extra")
    ex.create_dataset("speaker", data=np.array([1, 1, 2, 5, 9], dtype=np.uint16))
    ex.create_dataset("keys", data=np.array([f"digit-{i}" for i in range(20)], dtype=object), dtype=h5py.string_dtype())
    mi = ex.create_group("meta_info")
    mi.create_dataset("gender", data=np.array(["female", "male"], dtype=object), dtype=h5py.string_dtype())
    mi.create_dataset("age", data=np.array([27, 31], dtype=np.uint16))
    mi.create_dataset("body_height", data=np.array([172, 185], dtype=np.uint16))
# expected values for the test, printed as Swift literals
for s in range(n):
    print(s, len(times[s]), float(times[s][0]), int(units[s][0]), float(times[s][-1]), int(units[s][-1]))

# Malformed variants next to the fixture, for the error tests.
import os
base = os.path.dirname(out)
with h5py.File(os.path.join(base, "shd_bad_missing.h5"), "w", libver="earliest") as f:
    sp = f.create_group("spikes")
    dt = sp.create_dataset("times", (1,), dtype=h5py.vlen_dtype(np.dtype("float32")))
    dt[0] = np.array([0.1, 0.2], dtype=np.float32)
    f.create_dataset("labels", data=np.array([1], dtype=np.uint16))
with h5py.File(os.path.join(base, "shd_bad_types.h5"), "w", libver="earliest") as f:
    sp = f.create_group("spikes")
    sp.create_dataset("times", data=np.zeros((2, 3), dtype=np.float32))
    sp.create_dataset("units", data=np.zeros((2, 3), dtype=np.uint16))
    f.create_dataset("labels", data=np.array([1, 2], dtype=np.uint16))
with h5py.File(os.path.join(base, "shd_bad_lengths.h5"), "w", libver="earliest") as f:
    sp = f.create_group("spikes")
    dt = sp.create_dataset("times", (1,), dtype=h5py.vlen_dtype(np.dtype("float32")))
    du = sp.create_dataset("units", (1,), dtype=h5py.vlen_dtype(np.dtype("uint16")))
    dt[0] = np.array([0.1, 0.2, 0.3], dtype=np.float32)
    du[0] = np.array([1, 2], dtype=np.uint16)
    f.create_dataset("labels", data=np.array([1], dtype=np.uint16))
