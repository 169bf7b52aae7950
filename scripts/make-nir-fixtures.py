#!/usr/bin/env python3
"""Writes the NIR test fixtures and their reference simulations (pip install nir==1.0.8 h5py numpy).

Usage: scripts/make-nir-fixtures.py Tests/SpikeNIRTests/Fixtures

Every graph is written by the `nir` package itself (nir.write), so the Swift reader is tested against the real
layout: gzip (nir's default) and plain datasets, float32 and float64 parameters, dotted node names, a
recurrent cycle, nested sub-graphs. Malformed files are nir files edited with h5py afterwards (or written with
type checking off). Deterministic (fixed seeds); the outputs are committed, so the tests need no Python.

Reference simulation (`reference_*` below): forward Euler in NIR's canonical order, in float64, for
T = 50 steps of random input spikes:
    CubaLIF  I += dt/tau_syn * (-I + w_in * x);  u = v + dt/tau_mem * (v_leak - v + r * I)
    LIF      u = v + dt/tau * (v_leak - v + r * x)
    IF       u = v + dt * r * x
    z = u > v_threshold (strict);  v = v_reset where z else u      (LI / CubaLI: no threshold)
with x the sum of the node's inputs this step, a back edge delivering the previous step's output, initial
v = v_leak and I = 0. Producer variants, from each library's own step function:
    snntorch  (snn.Leaky / snn.Synaptic, reset_mechanism="subtract"): u = euler(v) - v_threshold * z_prev, v = u
    norse     (Norse 1.1 lif_feed_forward_step): tau = tau_file / dt; j = I + x (a jump);
              u = v + dt/tau_mem * (v_leak - v + r * j);  I = j * (1 - dt/tau_syn); reset to v_reset
The JSON holds the input [T][B][C] and, per neuron node in stack order, `spikes` and `v` (the membrane the
threshold sees, before the reset) as [T][B][n]. The seed of each simulation is the first one whose membranes
stay at least 1e-4 away from the threshold, so that float32 and float64 agree on every spike.
"""
import json
import os
import sys

import h5py
import numpy as np
import nir

T, B, C = 50, 2, 8
out_dir = sys.argv[1] if len(sys.argv) > 1 else "Tests/SpikeNIRTests/Fixtures"
os.makedirs(out_dir, exist_ok=True)


def path(name):
    return os.path.join(out_dir, name)


def full(n, value, dtype=np.float64):
    return np.full(n, value, dtype=dtype)


# ----------------------------------------------------------------------------------------------------------
# Reference simulation of a stack [(weights W [out,in], node, recurrent R or None), ...]


def step_node(node, state, x, dt, producer):
    """One step of a neuron node; returns (z, u, c) and updates state (v, i, z). c: the synaptic current that drove
    u (NIR's order: i after this step's input; Norse: i + x before its decay), None without a synapse."""
    v, i = state["v"], state["i"]
    kind = type(node).__name__
    c = None
    if kind in ("CubaLIF", "CubaLI"):
        tau_mem, tau_syn = node.tau_mem, node.tau_syn
        if producer == "norse":
            tau_mem, tau_syn = tau_mem / dt, tau_syn / dt
            j = i + x
            u = v + dt / tau_mem * (node.v_leak - v + node.r * node.w_in * j)
            state["i"] = j * (1 - dt / tau_syn)
            c = node.w_in * j
        else:
            state["i"] = i + dt / tau_syn * (-i + node.w_in * x)
            u = v + dt / tau_mem * (node.v_leak - v + node.r * state["i"])
            c = state["i"]
    elif kind in ("LIF", "LI"):
        tau = node.tau / dt if producer == "norse" else node.tau
        u = v + dt / tau * (node.v_leak - v + node.r * x)
    elif kind == "IF":
        u = v + (node.r * x if producer == "norse" else dt * node.r * x)
    else:
        raise ValueError(kind)
    if kind in ("LI", "CubaLI"):
        state["v"] = u
        return np.zeros_like(u), u, c
    if producer == "snntorch":
        u = u - node.v_threshold * state["z"]
        z = (u > node.v_threshold).astype(np.float64)
        state["v"] = u
    else:
        z = (u > node.v_threshold).astype(np.float64)
        state["v"] = np.where(z > 0, node.v_reset, u)
    state["z"] = z
    return z, u, c


def simulate(stack, inputs, dt, producer):
    states = []
    for _, node, _ in stack:
        n = node.r.shape[0]
        v0 = node.v_leak.astype(np.float64) if hasattr(node, "v_leak") else np.zeros(n)
        states.append({"v": np.broadcast_to(v0, (B, n)).copy(), "i": np.zeros((B, n)), "z": np.zeros((B, n))})
    record = [{"spikes": [], "v": [], "i": []} for _ in stack]
    margin = np.inf
    for t in range(T):
        x = inputs[t]
        for k, (w, node, rec) in enumerate(stack):
            drive = x @ np.asarray(w, np.float64).T
            if rec is not None:
                drive = drive + states[k]["z"] @ np.asarray(rec, np.float64).T
            z, u, c = step_node(node, states[k], drive, dt, producer)
            if hasattr(node, "v_threshold"):
                margin = min(margin, float(np.min(np.abs(u - node.v_threshold))))
            record[k]["spikes"].append(z.astype(int).tolist())
            record[k]["v"].append([[float(f"{a:.9g}") for a in row] for row in u])
            if c is not None:
                record[k]["i"].append([[float(f"{a:.9g}") for a in row] for row in c])
            x = z if hasattr(node, "v_threshold") else u
    return record, margin


def write_reference(name, stack, names, dt, producer, rate=0.25):
    for seed in range(100):
        rng = np.random.default_rng(1000 + seed)
        inputs = (rng.random((T, B, C)) < rate).astype(np.float64)
        record, margin = simulate(stack, inputs, dt, producer)
        counts = [int(np.sum(r["spikes"])) for r in record[:-1]]
        if margin > 1e-4 and all(c > 10 for c in counts):
            break
    else:
        raise RuntimeError(f"{name}: no seed keeps membranes away from the threshold")
    doc = {"dt": dt, "producer": producer, "steps": T, "batch": B, "channels": C, "seed": 1000 + seed,
           "input": inputs.astype(int).tolist(),
           "layers": [{"node": n, "spikes": r["spikes"], "v": r["v"], **({"i": r["i"]} if r["i"] else {})}
                      for n, r in zip(names, record)]}
    with open(path(name), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    # The same input as numpy writes it, for `spikeloop nir run --input` (float32 [T, B, C], time-major).
    np.save(path(name.replace(".json", "-input.npy")), inputs.astype(np.float32))
    print(f"{name}: seed {1000 + seed}, hidden spikes {counts}, threshold margin {margin:.2e}")


rng = np.random.default_rng(42)


def weights(out, inp, scale, dtype=np.float32):
    return (rng.normal(0.0, scale, (out, inp)) + scale * 0.6).astype(dtype)


# ----------------------------------------------------------------------------------------------------------
# 1. CubaLIF stack, float64 parameters, gzip (nir's default), Affine with zero bias.
dt = 1e-3
w1, w2 = weights(6, C, 2.0), weights(3, 6, 1.0)
cuba = nir.CubaLIF(tau_syn=full(6, 5e-3), tau_mem=full(6, 1e-2), r=full(6, 1.0), v_leak=full(6, 0.05),
                   v_threshold=full(6, 0.3), v_reset=full(6, -0.1), w_in=full(6, 1.5))
readout = nir.CubaLI(tau_syn=full(3, 4e-3), tau_mem=full(3, 2e-2), r=full(3, 2.0), v_leak=full(3, 0.0), w_in=full(3, 1.0))
g = nir.NIRGraph(
    nodes={"input": nir.Input(np.array([C])), "fc.0": nir.Affine(w1, np.zeros(6, np.float32)), "cuba.0": cuba,
           "fc.1": nir.Linear(w2), "readout": readout, "output": nir.Output(np.array([3]))},
    edges=[("input", "fc.0"), ("fc.0", "cuba.0"), ("cuba.0", "fc.1"), ("fc.1", "readout"), ("readout", "output")])
nir.write(path("cubalif.nir"), g)
write_reference("cubalif.json", [(w1, cuba, None), (w2, readout, None)], ["cuba.0", "readout"], dt, "nir")

# 2. A recurrent LIF layer (the cycle lif.0 → w_rec.0 → lif.0), float32 parameters, LI readout.
w1, w2 = weights(6, C, 1.2), weights(3, 6, 1.0)
wr = (rng.normal(0.0, 0.4, (6, 6))).astype(np.float32)
lif = nir.LIF(tau=full(6, 8e-3, np.float32), r=full(6, 1.0, np.float32), v_leak=full(6, 0.0, np.float32),
              v_threshold=full(6, 0.25, np.float32), v_reset=full(6, 0.0, np.float32))
li = nir.LI(tau=full(3, 1.5e-2, np.float32), r=full(3, 1.0, np.float32), v_leak=full(3, 0.0, np.float32))
g = nir.NIRGraph(
    nodes={"input": nir.Input(np.array([C])), "fc.0": nir.Linear(w1), "lif.0": lif, "w_rec.0": nir.Linear(wr),
           "fc.1": nir.Linear(w2), "li.out": li, "output": nir.Output(np.array([3]))},
    edges=[("input", "fc.0"), ("fc.0", "lif.0"), ("lif.0", "w_rec.0"), ("w_rec.0", "lif.0"), ("lif.0", "fc.1"),
           ("fc.1", "li.out"), ("li.out", "output")])
nir.write(path("recurrent.nir"), g)
write_reference("recurrent.json", [(w1, lif, wr), (w2, li, None)], ["lif.0", "li.out"], dt, "nir")

# 3. IF inside a nested sub-graph, after a Scale; plain (uncompressed) datasets.
w1, w2 = weights(5, C, 1.0), weights(3, 5, 1.0)
scale = np.linspace(0.5, 1.5, 5).astype(np.float32)
iaf = nir.IF(r=full(5, 400.0), v_threshold=full(5, 0.8), v_reset=full(5, 0.0))
li = nir.LI(tau=full(3, 1e-2), r=full(3, 1.0), v_leak=full(3, 0.0))
block = nir.NIRGraph(nodes={"in": nir.Input(np.array([5])), "if": iaf, "out": nir.Output(np.array([5]))},
                     edges=[("in", "if"), ("if", "out")])
g = nir.NIRGraph(
    nodes={"input": nir.Input(np.array([C])), "fc.0": nir.Linear(w1), "gain": nir.Scale(scale), "block": block,
           "fc.1": nir.Linear(w2), "li": li, "output": nir.Output(np.array([3]))},
    edges=[("input", "fc.0"), ("fc.0", "gain"), ("gain", "block"), ("block", "fc.1"), ("fc.1", "li"), ("li", "output")])
nir.write(path("nested-if-plain.nir"), g, compression=None)
write_reference("nested-if-plain.json", [(w1 * scale[:, None].astype(np.float64), iaf, None), (w2, li, None)],
                ["block.if", "li"], dt, "nir")

# 4. snnTorch's conventions (export_nir.py): dt = 1e-4 implied, tau = dt/(1 - beta), r = tau_mem/dt,
#    w_in = tau_syn/dt; an RLeaky as a nested graph {input, lif, w_rec, output}; reset by subtraction.
sdt, beta, alpha = 1e-4, 0.9, 0.8
w1, w2, wr = weights(6, C, 0.5), weights(3, 6, 0.3), rng.normal(0.0, 0.2, (6, 6)).astype(np.float32)
tau_m, tau_s = sdt / (1 - beta), sdt / (1 - alpha)
rleaky = nir.LIF(tau=full(6, tau_m, np.float32), r=full(6, tau_m / sdt, np.float32), v_leak=full(6, 0.0, np.float32),
                 v_threshold=full(6, 1.0, np.float32), v_reset=full(6, 0.0, np.float32))
sub = nir.NIRGraph(nodes={"input": nir.Input(np.array([6])), "lif": rleaky, "w_rec": nir.Linear(wr),
                          "output": nir.Output(np.array([6]))},
                   edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")])
syn_out = nir.CubaLI(tau_syn=full(3, tau_s, np.float32), tau_mem=full(3, tau_m, np.float32),
                     r=full(3, tau_m / sdt, np.float32), v_leak=full(3, 0.0, np.float32), w_in=full(3, tau_s / sdt, np.float32))
g = nir.NIRGraph(
    nodes={"input": nir.Input(np.array([C])), "0": nir.Linear(w1), "1": sub, "2": nir.Linear(w2), "3": syn_out,
           "output": nir.Output(np.array([3]))},
    edges=[("input", "0"), ("0", "1"), ("1", "2"), ("2", "3"), ("3", "output")])
nir.write(path("snntorch-rleaky.nir"), g)
write_reference("snntorch-rleaky.json", [(w1, rleaky, wr), (w2, syn_out, None)], ["1.lif", "3"], sdt, "snntorch")

# 5. Norse 1.1's conventions (export_nir.py at v1.1.0): tau written as dt*tau, no w_in, Affine with zero bias,
#    the input added to the current as a jump.
ndt = 1e-3
w1, w2 = weights(6, C, 0.15), weights(3, 6, 0.2)
norse_lif = nir.CubaLIF(tau_syn=full(6, ndt * 5e-3, np.float32), tau_mem=full(6, ndt * 1e-2, np.float32),
                        r=full(6, 1.0, np.float32), v_leak=full(6, 0.0, np.float32), v_threshold=full(6, 0.2, np.float32))
norse_li = nir.LI(tau=full(3, ndt * 1e-2, np.float32), r=full(3, 1.0, np.float32), v_leak=full(3, 0.0, np.float32))
g = nir.NIRGraph(
    nodes={"input": nir.Input(np.array([C])), "0": nir.Affine(w1, np.zeros(6, np.float32)), "1": norse_lif,
           "2": nir.Affine(w2, np.zeros(3, np.float32)), "3": norse_li, "output": nir.Output(np.array([3]))},
    edges=[("input", "0"), ("0", "1"), ("1", "2"), ("2", "3"), ("3", "output")])
nir.write(path("norse-cubalif.nir"), g)
write_reference("norse-cubalif.json", [(w1, norse_lif, None), (w2, norse_li, None)], ["1", "3"], ndt, "norse")

# ----------------------------------------------------------------------------------------------------------
# 6. Every node type the reader knows, in one (non-simulatable) chain, with the expected parameters in JSON.
n = 4
every = {
    "input": nir.Input(np.array([2, 2])),
    "flat": nir.Flatten(input_type={"input": np.array([2, 2])}, start_dim=0, end_dim=-1),
    "affine": nir.Affine(np.arange(16, dtype=np.float32).reshape(4, 4) / 10, np.arange(4, dtype=np.float32)),
    "scale": nir.Scale(np.array([1.0, 2.0, 3.0, 4.0])),
    "cubalif": nir.CubaLIF(tau_syn=full(n, 2e-3), tau_mem=full(n, 3e-3), r=full(n, 1.5), v_leak=full(n, 0.1),
                           v_threshold=full(n, 1.0), v_reset=full(n, -0.5), w_in=full(n, 2.0)),
    "linear": nir.Linear(np.eye(n, dtype=np.float64)),
    "lif": nir.LIF(tau=full(n, 4e-3, np.float32), r=full(n, 1.0, np.float32), v_leak=full(n, 0.0, np.float32),
                   v_threshold=full(n, 0.5, np.float32), v_reset=full(n, 0.0, np.float32)),
    "delay": nir.Delay(full(n, 2e-3)),
    "threshold": nir.Threshold(full(n, 0.7)),
    "if": nir.IF(r=full(n, 3.0), v_threshold=full(n, 1.0), v_reset=full(n, 0.0)),
    "cubali": nir.CubaLI(tau_syn=full(n, 1e-3), tau_mem=full(n, 2e-3), r=full(n, 1.0), v_leak=full(n, 0.0), w_in=full(n, 1.0)),
    "li": nir.LI(tau=full(n, 5e-3), r=full(n, 1.0), v_leak=full(n, 0.2)),
    "output": nir.Output(np.array([n])),
}
order = list(every)
g = nir.NIRGraph(nodes=every, edges=list(zip(order[:-1], order[1:])))
nir.write(path("every-node.nir"), g)
back = nir.read(path("every-node.nir"))  # the nir package reads its own file back
expected = {}
with h5py.File(path("every-node.nir"), "r") as f:
    for name in order:
        grp = f["node/nodes"][name]
        params = {}
        for key, ds in grp.items():
            if key == "type" or isinstance(ds, h5py.Group):
                continue
            a = np.asarray(ds[()])
            params[key] = {"shape": list(a.shape), "dtype": str(a.dtype), "values": a.astype(np.float64).ravel().tolist()}
        expected[name] = {"type": grp["type"][()].decode(), "params": params}
    edges = [[a.decode(), b.decode()] for a, b in f["node/edges"][()]]
with open(path("every-node.json"), "w") as f:
    json.dump({"version": nir.version, "nodes": expected, "edges": edges}, f, indent=0, sort_keys=True)
print(f"every-node.nir: {len(back.nodes)} nodes")

# ----------------------------------------------------------------------------------------------------------
# 7. Malformed files: each must fail with an error naming the node (and parameter).
def small(lif_params=None, shape=(C,), w=None, type_check=True):
    w = weights(6, C, 1.0) if w is None else w
    lif_node = nir.LIF(**(lif_params or dict(tau=full(6, 1e-2), r=full(6, 1.0), v_leak=full(6, 0.0),
                                             v_threshold=full(6, 1.0), v_reset=full(6, 0.0))))
    n_out = lif_node.r.shape[0]
    return nir.NIRGraph(
        nodes={"input": nir.Input(np.array(shape)), "fc": nir.Linear(w), "lif": lif_node,
               "output": nir.Output(np.array([n_out]))},
        edges=[("input", "fc"), ("fc", "lif"), ("lif", "output")], type_check=type_check)

nir.write(path("bad-missing-edges.nir"), small())
with h5py.File(path("bad-missing-edges.nir"), "a") as f:
    del f["node/edges"]
nir.write(path("bad-unknown-type.nir"), small())
with h5py.File(path("bad-unknown-type.nir"), "a") as f:
    del f["node/nodes/lif/type"]
    f["node/nodes/lif"].create_dataset("type", data="Spiker", dtype=h5py.string_dtype())
nir.write(path("bad-shape-mismatch.nir"), small(w=weights(5, C, 1.0), type_check=False))
nan_params = dict(tau=np.array([1e-2, np.nan, 1e-2, 1e-2, 1e-2, 1e-2]), r=full(6, 1.0), v_leak=full(6, 0.0),
                  v_threshold=full(6, 1.0), v_reset=full(6, 0.0))
nir.write(path("bad-nan-param.nir"), small(lif_params=nan_params))
nir.write(path("bad-batch-input.nir"), small(shape=(1, C), type_check=False))
conv = nir.NIRGraph(
    nodes={"input": nir.Input(np.array([1, 4, 4])),
           "conv.0": nir.Conv2d(input_shape=(4, 4), weight=np.ones((2, 1, 3, 3), np.float32), stride=1, padding=1,
                                dilation=1, groups=1, bias=np.zeros(2, np.float32)),
           "output": nir.Output(np.array([2, 4, 4]))},
    edges=[("input", "conv.0"), ("conv.0", "output")])
nir.write(path("conv.nir"), conv)
print("malformed fixtures written")
