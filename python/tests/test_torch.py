"""The PyTorch adapter: torch's autograd gets SpikeLoop's own BPTT gradients (skipped without torch)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import spikeloop as sl  # noqa: E402
from spikeloop.torch import InTheLoop, SubstrateLoss  # noqa: E402
from conftest import make_network  # noqa: E402


@pytest.mark.parametrize("substrate", [sl.Substrate.software(), sl.Substrate.chip(3, calibrated=False, noise=0.0)], ids=str)
def test_adapter_gradients_equal_spikeloop_bptt(synthetic_test, small_batch, substrate):
    # The chip runs without temporal noise here, so that two runs of the same batch record the same values.
    spikes, labels = small_batch
    net = make_network(synthetic_test, hidden=[10], recurrent=True)
    model = InTheLoop(net, substrate)
    loss = model(torch.from_numpy(spikes), torch.from_numpy(labels))
    loss.backward()
    weights, recurrent, stats = net.gradients(spikes, labels, substrate)
    assert loss.item() == pytest.approx(stats.loss, rel=1e-6)
    for parameter, expected in zip(list(model.weights) + list(model.recurrent_weights), weights + recurrent[:1]):
        np.testing.assert_array_equal(parameter.grad.numpy(), expected)


def test_incoming_gradient_scales_the_weight_gradients(synthetic_test, small_batch):
    spikes, labels = small_batch
    net = make_network(synthetic_test)
    w = [torch.from_numpy(net.weights(i)).requires_grad_() for i in range(2)]
    loss = SubstrateLoss.apply(net, sl.Substrate.software(), spikes, labels, *w)
    (3 * loss).backward()
    np.testing.assert_allclose(w[1].grad.numpy(), 3 * net.gradients(spikes, labels)[0][1], rtol=1e-6)


def test_a_torch_optimizer_trains_in_the_loop(synthetic_train, synthetic_test):
    net = make_network(synthetic_train)
    model = InTheLoop(net, sl.Substrate.chip(2, calibrated=False))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    dense, labels = synthetic_train.events.to_dense(), synthetic_train.labels
    before = net.evaluate(synthetic_test, substrate=model.substrate).accuracy
    for start in range(0, len(labels), 50):
        optimizer.zero_grad()
        model(dense[start:start + 50], labels[start:start + 50]).backward()
        optimizer.step()
    for i, parameter in enumerate(model.weights):
        net.set_weights(i, parameter.detach().numpy())
    after = net.evaluate(synthetic_test, substrate=model.substrate).accuracy
    assert after > max(0.6, before + 0.3), (before, after)
