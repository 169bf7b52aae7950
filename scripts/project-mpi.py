#!/usr/bin/env python3
"""Projects data-parallel efficiency at N = 8 and 64 ranks from results/mpi.jsonl (written by reproduce-mpi.sh).

Model, per global batch: t(N) = t(1)/N + t_allreduce(N), where t(1) is the measured one-process step (2 threads,
this machine's two cores) and t_allreduce(N) = 2·(N−1)·latency + (2·(N−1)/N · 4·P bytes) / bandwidth, the cost of
the reduce-scatter + all-gather the trainer uses (each rank sends and receives 2(N−1)/N of the P-float gradient in
N−1 messages per phase). Two interconnects: the one measured here (shared memory between 2 ranks on one host,
latency and bandwidth fitted from the two workloads' N = 2 all-reduces) and an assumed 100 Gb/s InfiniBand-class
network (12.5 GB/s, 2 µs per message). Efficiency = t(1) / (N · t(N)). It ignores that a rank's share shrinks to a
few samples at N = 64 (less work per thread launch) and that ranks wait for the slowest one.
Usage: scripts/project-mpi.py results/mpi.jsonl"""
import json, sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
dp = [r for r in rows if r.get("job") == "data-parallel"]
last = {}
for r in dp:
    last[(r["workload"], r["ranks"])] = r  # the latest run of each workload and rank count
two = [last[k] for k in last if k[1] == 2]
if len(two) >= 2:  # fit latency α and bandwidth from t = 2α + bytes/bw at N = 2 (one message per phase)
    (b1, t1), (b2, t2) = sorted((r["allreduce_bytes"], r["allreduce_seconds"]) for r in two)[:2]
    bw = (b2 - b1) / (t2 - t1) if t2 > t1 and b2 > b1 else b2 / t2
    alpha = max(0.0, (t1 - b1 / bw) / 2)
elif two:
    bw, alpha = two[0]["allreduce_bytes"] / two[0]["allreduce_seconds"], 0.0
else:
    sys.exit("no 2-rank data-parallel records in " + sys.argv[1])
nets = {"measured here (shared memory)": (alpha, bw), "assumed 100 Gb/s network": (2e-6, 12.5e9)}
print(f"fitted from the N = 2 all-reduces: latency {alpha * 1e6:.1f} µs per message, bandwidth {bw / 1e9:.2f} GB/s")
print("| workload | parameters | global batch | N = 1 step (s) | N = 2 measured: samples/s, throughput vs N = 1 on the same 2 cores | "
      + " | ".join(f"N = {n} projected ({k})" for k in nets for n in (8, 64)) + " |")
print("|" + "---|" * (5 + 2 * len(nets)))
for (w, n), r in sorted(last.items()):
    if n != 1:
        continue
    t1, P = r["seconds_per_step"], r["parameters"]
    m2 = last.get((w, 2))
    measured = f"{m2['samples_per_second']:.0f}, {r['seconds_per_step'] / m2['seconds_per_step']:.0%}" if m2 else "–"
    cells = []
    for a, b in nets.values():
        for N in (8, 64):
            t = t1 / N + 2 * (N - 1) * a + 2 * (N - 1) / N * 4 * P / b
            cells.append(f"{t1 / (N * t):.0%}")
    print(f"| {w} | {P:,} | {r['global_batch']} | {t1:.3f} | {measured} | " + " | ".join(cells) + " |")
