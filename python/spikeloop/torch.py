"""PyTorch adapter: the forward pass runs on a SpikeLoop substrate, the backward pass is SpikeLoop's BPTT.

The in-the-loop pattern of hxtorch: a chip (here an emulated one) runs the network and records spikes and
membranes; the gradient comes from the model's equations evaluated on those recordings. ``InTheLoop`` holds
the weights as ``torch.nn.Parameter`` s (SpikeLoop's ``[inputs, neurons]`` layout, the transpose of
``nn.Linear.weight``), so any torch optimizer trains them.

```python
model = InTheLoop(sl.Network(256, 10, hidden=[246]), sl.Substrate.chip(1))
optimizer = torch.optim.Adam(model.parameters(), lr=1.5e-3)
loss = model(spikes, labels)      # runs on the chip
loss.backward()                   # BPTT on what the chip recorded
optimizer.step()
```
"""

from __future__ import annotations

import numpy as np
import torch

from .network import Network
from .substrate import Substrate


def _numpy(x) -> np.ndarray:
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


class SubstrateLoss(torch.autograd.Function):
    """``loss = SubstrateLoss.apply(network, substrate, spikes, labels, *weights)``.

    Forward: writes ``weights`` (one tensor per layer, then one per recurrent layer) into ``network``, runs the
    batch on ``substrate`` and returns SpikeLoop's batch-mean loss (without the weight L2 term). Backward:
    SpikeLoop's BPTT gradients of that loss on the recorded batch, times the incoming gradient.
    """

    @staticmethod
    def forward(ctx, network: Network, substrate: Substrate, spikes, labels, *weights):
        layers = network.layers
        recurrent_layers = [i for i, layer in enumerate(layers) if layer.recurrent]
        if len(weights) != len(layers) + len(recurrent_layers):
            raise ValueError(f"need {len(layers) + len(recurrent_layers)} weight tensors, got {len(weights)}")
        for i in range(len(layers)):
            network.set_weights(i, _numpy(weights[i]))
        for k, i in enumerate(recurrent_layers):
            network.set_weights(i, _numpy(weights[len(layers) + k]), recurrent=True)
        grads, recurrent, stats = network.gradients(_numpy(spikes), _numpy(labels), substrate)
        all_grads = grads + [recurrent[i] for i in recurrent_layers]
        ctx.grads = [torch.from_numpy(g).to(w.dtype) for g, w in zip(all_grads, weights)]
        return weights[0].new_tensor(stats.loss)

    @staticmethod
    def backward(ctx, grad_loss):
        return (None, None, None, None, *(grad_loss * g for g in ctx.grads))


class InTheLoop(torch.nn.Module):
    """A SpikeLoop network whose weights are torch parameters; calling it returns the loss run on ``substrate``."""

    def __init__(self, network: Network, substrate: Substrate | None = None):
        super().__init__()
        self.network = network
        self.substrate = substrate or Substrate.software()
        self.weights = torch.nn.ParameterList(
            torch.nn.Parameter(torch.from_numpy(network.weights(i))) for i in range(len(network.layers))
        )
        self.recurrent_weights = torch.nn.ParameterList(
            torch.nn.Parameter(torch.from_numpy(network.weights(i, recurrent=True)))
            for i, layer in enumerate(network.layers)
            if layer.recurrent
        )

    def forward(self, spikes, labels) -> torch.Tensor:
        return SubstrateLoss.apply(self.network, self.substrate, spikes, labels, *self.weights, *self.recurrent_weights)
