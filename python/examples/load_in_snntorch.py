#!/usr/bin/env python3
"""Rebuild a SpikeLoop network in snnTorch from `spikeloop export CKPT --format torch` and reproduce its test accuracy.

    spikeloop export runs/demo/best.safetensors --format torch       # -> runs/demo/best.torch.safetensors
    python python/examples/load_in_snntorch.py runs/demo/best.torch.safetensors

Everything comes from the exported file: the weights ([out, in], loaded with ``load_state_dict``), the neuron
constants, the module layout (``spikeloop.snntorch``), the input code (``spikeloop.encoder``), the readout reduction
and the class names. Images (MNIST, Fashion-MNIST) are read from the IDX files and encoded here in numpy, from the
encoder parameters alone; other datasets are encoded by the ``spikeloop`` Python package when it is importable.

The network (layout ``spikeloop-snntorch-v1``, one ``fc{k}``/``lif{k}`` pair per layer, readout last):

    I[t+1] = alpha*I[t] + fc(x[t])  (+ recurrent(S[t]))      snn.Synaptic / snn.RSynaptic (snn.Leaky: alpha = 0)
    V[t+1] = beta*V[t] + I[t+1] - threshold*S[t]             reset by subtraction ("none" for the readout)
    S[t+1] = H(V[t+1] - threshold)

SpikeLoop reads a layer's spikes from the membrane *before* a step, so layer k+1 at step t receives the spikes
lif{k} emitted at step t-1, and the readout trace at step t is the readout membrane before that step. The loop
below does exactly that; the prediction is the argmax of the reduced trace (max, sum or last over time).

With ``--backend numpy`` (or when torch/snnTorch are not installed) the same equations run in numpy as a
re-implementation of snnTorch's Synaptic/Leaky updates, so the script also checks an export without PyTorch.
It compares with the checkpoint's ``test.json`` (same run directory) when that file scored the exported
checkpoint, and exits 1 when the accuracies differ by more than ``--tolerance`` percentage points.
"""

import argparse
import gzip
import json
import os
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "I8": np.int8, "F64": np.float64, "I32": np.int32, "I64": np.int64}


def read_safetensors(path):
    """Tensors (numpy) and metadata of a safetensors file, without the safetensors package."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    body = memoryview(data)[8 + n :]
    tensors = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        tensors[name] = np.frombuffer(body[begin:end], dtype=DTYPES[e["dtype"]]).reshape(e["shape"]).copy()
    return tensors, meta


# ---- input code -------------------------------------------------------------------------------------------------

def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def locate(directory, stem):
    for name in (stem + ".gz", stem, stem.replace("-idx", ".idx") + ".gz", stem.replace("-idx", ".idx")):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"no {stem}[.gz] in {directory}")


def area_weights(n, m):
    """For each output index, the input indices and float32 weights of area averaging n -> m (INTER_AREA)."""
    scale = n / m
    out = []
    for o in range(m):
        lo, hi = o * scale, (o + 1) * scale
        taps, i = [], int(np.floor(lo))
        while i < hi and i < n:
            overlap = min(hi, i + 1) - max(lo, i)
            if overlap > 1e-9:
                taps.append((i, np.float32(overlap / scale)))
            i += 1
        out.append(taps)
    return out


def crop_and_resize(images, crop, size):
    """Crop then area-resize, accumulating in float32 in the same order as SpikeLoop's ImageOps."""
    x = images.astype(np.float32) * np.float32(1 / 255)
    if crop:
        x = x[:, crop:-crop, crop:-crop]
    _, h, w = x.shape
    wx, wy = area_weights(w, size), area_weights(h, size)
    rows = np.zeros((x.shape[0], h, size), np.float32)
    for o, taps in enumerate(wx):
        acc = np.zeros((x.shape[0], h), np.float32)
        for i, weight in taps:
            acc = acc + weight * x[:, :, i]
        rows[:, :, o] = acc
    out = np.zeros((x.shape[0], size, size), np.float32)
    for o, taps in enumerate(wy):
        acc = np.zeros((x.shape[0], size), np.float32)
        for i, weight in taps:
            acc = acc + weight * rows[:, i, :]
        out[:, o, :] = acc
    return out.reshape(x.shape[0], size * size)


def latency_code(pixels, enc):
    """Dense spikes [T, B, C]: a pixel x > threshold_in spikes once, at step k with x in (bound[k+1], bound[k]]."""
    tau, thr, dt, steps = enc["tau_in"], enc["threshold_in"], enc["dt"], enc["steps"]
    shift = tau * np.log(1 / (1 - thr)) if enc.get("shift_to_earliest", True) else 0.0
    bounds = []
    for k in range(steps + 1):
        t = shift + k * dt
        bounds.append(np.float32(np.inf) if t <= 0 else np.float32(thr / (1 - np.exp(-t / tau))))
    bounds = np.array(bounds, np.float32)
    spikes = np.zeros((steps, pixels.shape[0], pixels.shape[1]), np.float32)
    live = (pixels > np.float32(thr)) & (pixels > bounds[steps])
    # the largest k with x <= bounds[k]: bounds fall with k
    k = (pixels[None, :, :] <= bounds[:steps, None, None]).sum(axis=0) - 1
    b, c = np.nonzero(live)
    spikes[k[b, c], b, c] = 1
    return spikes


def image_test_set(enc, data_dir):
    name = enc["dataset"]
    env = "SPIKELOOP_MNIST_DIR" if name == "mnist" else "SPIKELOOP_FASHION_MNIST_DIR"
    directory = data_dir or os.environ.get(env) or ("/usr/share/datasets/fashion-mnist" if name == "fashion-mnist" else None)
    if directory is None:
        sys.exit(f"{name}: pass --data-dir (a folder with the IDX files) or set ${env}")
    images = read_idx(locate(directory, "t10k-images-idx3-ubyte"))
    labels = read_idx(locate(directory, "t10k-labels-idx1-ubyte")).astype(np.int64)
    return latency_code(crop_and_resize(images, enc["crop"], enc["image_size"]), enc), labels


def spikeloop_test_set(config):
    """The test split encoded by the spikeloop package (synthetic and SHD-format data)."""
    import spikeloop as sl

    keys = ("data_dir", "steps", "dt", "seed", "test_samples", "shd_time_scale", "shd_channel_offset", "shd_channel_stride")
    settings = {k: config[k] for k in keys if config.get(k) is not None}
    test = sl.load_dataset(config["dataset"], "test", **settings)
    e = test.events
    # Counts, not 0/1: binned SHD spikes can fall twice into one step and channel, and SpikeLoop adds a weight row
    # per event.
    x = np.zeros((e.shape[1], e.shape[0], e.shape[2]), np.float32)
    np.add.at(x, (e.steps, e.samples, e.channels), 1)
    return x, np.asarray(test.labels)


# ---- the network ------------------------------------------------------------------------------------------------

def build_snntorch(layout, tensors):
    import snntorch as snn
    import torch
    from torch import nn

    class SpikeLoopNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.specs = layout["layers"]
            for k, s in enumerate(self.specs, 1):
                setattr(self, f"fc{k}", nn.Linear(s["in_features"], s["out_features"], bias=False))
                kind = s["module"].split(".")[-1]
                kwargs = dict(beta=s["beta"], threshold=s["threshold"], reset_mechanism=s["reset_mechanism"])
                if "Synaptic" in kind:
                    kwargs["alpha"] = s["alpha"]
                if s["recurrent"]:
                    kwargs.update(all_to_all=True, linear_features=s["out_features"])
                setattr(self, f"lif{k}", getattr(snn, kind)(**kwargs))

        def step(self, k, current, state):
            """One step of lif{k} with explicit state: (spikes, new state)."""
            lif, s = getattr(self, f"lif{k}"), self.specs[k - 1]
            # state = (spk, [syn,] mem); snn.R* modules take the previous spikes too, and all return (spk, [syn,] mem)
            out = lif(current, *state) if s["recurrent"] else lif(current, *state[1:])
            return out[0], tuple(out)

        def forward(self, x):
            """x: [T, B, C] spikes -> readout trace [T, B, classes] and hidden spikes per sample."""
            steps, batch = x.shape[0], x.shape[1]
            zeros = lambda n: torch.zeros(batch, n)
            states, visible = [], []
            for s in self.specs:
                n = s["out_features"]
                states.append((zeros(n), zeros(n), zeros(n)) if "Synaptic" in s["module"] else (zeros(n), zeros(n)))
                visible.append(zeros(n))
            trace, hidden_spikes = [], torch.zeros(batch)
            readout_before = zeros(self.specs[-1]["out_features"])
            for t in range(steps):
                trace.append(readout_before)
                inp, emitted = x[t], []
                for k in range(1, len(self.specs)):
                    hidden_spikes += visible[k - 1].sum(dim=1)
                    spk, states[k - 1] = self.step(k, getattr(self, f"fc{k}")(inp), states[k - 1])
                    emitted.append(spk)
                    inp = visible[k - 1]  # the next layer sees the spikes of the step before
                L = len(self.specs)
                _, states[L - 1] = self.step(L, getattr(self, f"fc{L}")(inp), states[L - 1])
                readout_before = states[L - 1][-1]
                visible[: L - 1] = emitted
            return torch.stack(trace), hidden_spikes

    net = SpikeLoopNet()
    state = {k: torch.from_numpy(v.astype(np.float32)) for k, v in tensors.items() if not k.startswith("chip.")}
    result = net.load_state_dict(state, strict=False)
    # Only snnTorch-internal buffers a given version may add are allowed to be missing; every exported tensor loads.
    assert not result.unexpected_keys, f"tensors snnTorch did not take: {result.unexpected_keys}"
    weights_missing = [k for k in result.missing_keys if k.endswith("weight")]
    assert not weights_missing, f"weights not in the export: {weights_missing}"

    def run(x):
        with torch.no_grad():
            trace, spikes = net(torch.from_numpy(x))
        return trace.numpy(), spikes.numpy()

    return run


def build_numpy(layout, tensors):
    """snnTorch's Synaptic/Leaky updates (reset_delay=True, Heaviside firing) in numpy."""
    specs = layout["layers"]
    fc = [tensors[f"fc{k}.weight"] for k in range(1, len(specs) + 1)]
    rec = [tensors.get(f"lif{k}.recurrent.weight") for k in range(1, len(specs) + 1)]

    def lif_step(s, w_rec, current, syn, mem, spk):
        alpha, beta, thr = np.float32(s["alpha"]), np.float32(s["beta"]), np.float32(s["threshold"])
        reset = (mem - thr > 0).astype(np.float32) if s["reset_mechanism"] == "subtract" else 0
        if w_rec is not None:
            current = current + spk @ w_rec.T
        syn = alpha * syn + current
        mem = beta * mem + syn - reset * thr
        return (mem - thr > 0).astype(np.float32), syn, mem

    def run(x):
        steps, batch = x.shape[0], x.shape[1]
        state = [[np.zeros((batch, s["out_features"]), np.float32) for _ in range(3)] for s in specs]  # spk, syn, mem
        visible = [np.zeros((batch, s["out_features"]), np.float32) for s in specs]
        trace, hidden = [], np.zeros(batch)
        readout_before = np.zeros((batch, specs[-1]["out_features"]), np.float32)
        for t in range(steps):
            trace.append(readout_before)
            inp, emitted = x[t], []
            for k, s in enumerate(specs):
                if k < len(specs) - 1:
                    hidden += visible[k].sum(axis=1)
                spk, syn, mem = lif_step(s, rec[k], inp @ fc[k].T, state[k][1], state[k][2], state[k][0])
                state[k] = [spk, syn, mem]
                emitted.append(spk)
                inp = visible[k]
            readout_before = state[-1][2]
            visible = emitted
        return np.stack(trace), hidden

    return run


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("export", help="file written by `spikeloop export CKPT --format torch`")
    p.add_argument("--data-dir", help="folder with the dataset's IDX files (default: as spikeloop finds them)")
    p.add_argument("--backend", choices=["snntorch", "numpy"], default=None, help="default: snntorch when importable")
    p.add_argument("--limit", type=int, help="use only the first N test samples")
    p.add_argument("--batch-size", type=int, default=1000)
    p.add_argument("--tolerance", type=float, default=0.1, help="allowed accuracy difference, percentage points")
    p.add_argument("--test-json", help="the run's test.json (default: next to the exported checkpoint)")
    args = p.parse_args()

    tensors, meta = read_safetensors(args.export)
    if meta.get("spikeloop.weight_layout") != "out_in":
        sys.exit(f"{args.export}: not a torch export (spikeloop.weight_layout is {meta.get('spikeloop.weight_layout')!r})")
    layout = json.loads(meta["spikeloop.snntorch"])
    encoder = json.loads(meta["spikeloop.encoder"])
    readout = json.loads(meta["spikeloop.readout"])
    classes = json.loads(meta["spikeloop.classes"])["names"]
    config = json.loads(meta["spikeloop.config"])
    config = {"".join("_" + c.lower() if c.isupper() else c for c in k): v for k, v in config.items()}  # snake case

    if encoder["kind"] == "latency":
        x, labels = image_test_set(encoder, args.data_dir)
    else:
        x, labels = spikeloop_test_set(config)
    if args.limit:
        x, labels = x[:, : args.limit], labels[: args.limit]

    backend = args.backend
    if backend is None:
        try:
            import snntorch  # noqa: F401
            import torch  # noqa: F401

            backend = "snntorch"
        except ImportError:
            backend = "numpy"
    run = build_snntorch(layout, tensors) if backend == "snntorch" else build_numpy(layout, tensors)

    correct, spikes = 0, 0.0
    for b in range(0, x.shape[1], args.batch_size):
        trace, hidden = run(np.ascontiguousarray(x[:, b : b + args.batch_size]))
        reduced = {"max": trace.max(axis=0), "sum": trace.sum(axis=0), "last": trace[-1]}[readout["reduction"]]
        correct += int((reduced.argmax(axis=1) == labels[b : b + args.batch_size]).sum())
        spikes += float(hidden.sum())
    n = len(labels)
    accuracy = 100 * correct / n
    print(f"{backend}: {layout['layout']}, {len(layout['layers'])} layers, {encoder['kind']} code, classes {classes[:3]}…")
    print(f"{backend}: test accuracy {accuracy:.2f} % on {n} samples, hidden spikes/sample {spikes / n:.2f}")

    test_json = args.test_json
    source = meta.get("spikeloop.source_checkpoint")
    if test_json is None and source:
        test_json = os.path.join(os.path.dirname(source), "test.json")
    if test_json and os.path.exists(test_json) and not args.limit:
        record = json.load(open(test_json))
        if source and record.get("checkpoint") not in (None, os.path.basename(source)):
            print(f"{test_json} scored {record['checkpoint']}, not the exported {os.path.basename(source)}: not compared")
            return 0
        expected = 100 * record["accuracy"]
        diff = accuracy - expected
        print(f"spikeloop: test accuracy {expected:.2f} %, hidden spikes/sample {record['hidden_spikes_per_sample']:.2f}"
              f" ({test_json}); difference {diff:+.2f} pp")
        if record.get("substrate", "software") != "software":
            print("note: that figure was measured on an emulated chip; snnTorch runs the ideal software model")
        elif abs(diff) > args.tolerance:
            print(f"FAIL: more than {args.tolerance} pp apart")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
