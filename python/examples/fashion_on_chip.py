"""Fashion-MNIST 16×16 trained in the loop on an emulated analog chip, from Python — notebook style.

    pip install ./python
    python python/examples/fashion_on_chip.py [EPOCHS] [TRAIN_SAMPLES]

Each `# %%` cell runs on its own in Jupyter or VS Code. The data come from the Debian package
dataset-fashion-mnist (/usr/share/datasets/fashion-mnist; `make demo-deps` installs it) or $SPIKELOOP_FASHION_DIR.
Cell 2 trains through numpy arrays (the Python API); cell 4 runs the same settings through `train_dataset`, the
code path of `spikeloop train`, so it scores what `spikeloop train --dataset fashion-mnist --substrate chip:1
--epochs N --train-samples M` scores for the same seed.
"""

# %% 1. Data: latency-coded 16×16 images as spike events (256 channels, 20 steps of 1.7 µs chip time)
import os
import sys
import tempfile

import numpy as np

import spikeloop as sl

EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
TRAIN_SAMPLES = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
settings = dict(
    data_dir=os.environ.get("SPIKELOOP_FASHION_DIR"), train_samples=TRAIN_SAMPLES, validation_samples=2000,
    test_samples=2000,
)
train = sl.load_dataset("fashion-mnist", "train", **settings)
test = sl.load_dataset("fashion-mnist", "test", **settings)
print(f"{len(train)} training and {len(test)} test images, spikes {train.shape}, "
      f"{len(train.events.samples) / len(train):.1f} input spikes per image")

# %% 2. The paper's 256-246-10 network, trained in the loop on emulated chip instance 1
chip = sl.Substrate.chip(1)  # fixed-pattern mismatch from seed 1, calibrated to the network's time constants
net = sl.Network(256, 10, hidden=[246], dataset="fashion-mnist", seed=1)
for epoch in range(EPOCHS):
    stats = net.train(train, substrate=chip, progress=False)[0]
    score = net.evaluate(test, substrate=chip)
    print(f"epoch {epoch + 1}: loss {stats.loss:.3f}, train {100 * stats.accuracy:.2f} %, "
          f"test on chip:1 {100 * score.accuracy:.2f} %, {score.hidden_spikes_per_sample:.1f} hidden spikes per image")

# %% 3. What the chip recorded for one image, and the same image in software
image = sl.Events.from_dense(test.events.to_dense()[:1])
on_chip = chip.run(net, image)
in_software = sl.Substrate.software().run(net, image)
readout_chip, readout_sw = on_chip.readout.membranes[0], in_software.readout.membranes[0]
print(f"label {test.labels[0]}: chip predicts {readout_chip.max(axis=0).argmax()}, "
      f"software predicts {readout_sw.max(axis=0).argmax()}; readout traces differ by "
      f"{np.abs(readout_chip - readout_sw).mean():.3f} (threshold units) on average")
print(f"hidden spikes: chip {int(on_chip.hidden[0].spikes.sum())}, software {int(in_software.hidden[0].spikes.sum())}; "
      f"chip time {1e6 * on_chip.substrate_seconds:.1f} µs, energy {1e6 * on_chip.energy_joules:.2f} µJ")
other = net.evaluate(test, substrate=sl.Substrate.chip(2))
print(f"the same weights on chip:2, which the network never saw: {100 * other.accuracy:.2f} %")

# %% 4. The CLI's code path: the run directory, checkpoints and report of `spikeloop train`
run_dir = os.path.join(tempfile.mkdtemp(), "fashion-on-chip")
trained, result = sl.train_dataset(
    "fashion-mnist", run_dir, substrate="chip:1", epochs=EPOCHS, seed=1, **settings)
print(f"train_dataset: test accuracy {100 * result['test_accuracy']:.2f} % on chip:1; run directory {run_dir}")
trained.save(os.path.join(run_dir, "from-python.safetensors"))
