#!/usr/bin/env python3
"""Compares the tensors of two safetensors checkpoints (metadata aside): prints which differ, exits 1 if any do.
Tensors only one file has (a newer build may record more, e.g. the chip's weight codes) are listed apart and do not
count as differences.
Usage: scripts/compare-checkpoints.py A.safetensors B.safetensors"""
import json, struct, sys


def load(path):
    blob = open(path, "rb").read()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    return {k: data[v["data_offsets"][0]:v["data_offsets"][1]] for k, v in header.items() if k != "__metadata__"}


a, b = load(sys.argv[1]), load(sys.argv[2])
different = sorted(k for k in a.keys() & b.keys() if a[k] != b[k])
only = {"only_in_first": sorted(a.keys() - b.keys()), "only_in_second": sorted(b.keys() - a.keys())}
print(json.dumps({"identical": not different, "different_tensors": different, **{k: v for k, v in only.items() if v}}))
sys.exit(1 if different else 0)
