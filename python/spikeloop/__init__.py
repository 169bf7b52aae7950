"""SpikeLoop from Python: train spiking networks in software or in the loop on an emulated analog chip.

```python
import spikeloop as sl

train = sl.load_dataset("synthetic", "train")
net = sl.Network(train.shape[2], 2, hidden=[64])
chip = sl.Substrate.chip(3)
net.train(train, substrate=chip, epochs=5)
print(net.evaluate(sl.load_dataset("synthetic", "test"), substrate=chip).accuracy)
```

Spikes are numpy arrays: dense ``[batch, steps, channels]`` 0/1, or ``Events``. ``spikeloop.torch`` holds the
PyTorch adapter (when torch is installed).
"""

from ._native import CheckpointError, DatasetError, DivergedError, SettingError, SpikeLoopError
from .network import Evaluation, Layer, Network, Statistics, train_dataset
from .spikes import Dataset, Events, load_dataset
from .substrate import LayerObservation, Observation, Substrate

__version__ = "0.1.0"

__all__ = [
    "CheckpointError",
    "Dataset",
    "DatasetError",
    "DivergedError",
    "Evaluation",
    "Events",
    "Layer",
    "LayerObservation",
    "Network",
    "Observation",
    "SettingError",
    "SpikeLoopError",
    "Statistics",
    "Substrate",
    "load_dataset",
    "train_dataset",
]
