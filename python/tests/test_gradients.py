"""BPTT gradients from Python: shapes, determinism, and the readout's against central finite differences."""

import numpy as np

import spikeloop as sl
from conftest import make_network


def loss(net, spikes, labels):
    return net.gradients(spikes, labels)[2].loss


def partly_trained(data, **settings):
    """A network after two minibatches: hidden neurons fire, and the loss is far from saturated."""
    net = make_network(data, batch_size=50, **settings)
    net.train(data, progress=lambda p: p["batch"] == 2)
    return net


def test_readout_gradient_matches_central_differences(synthetic_train, small_batch):
    # The readout is a non-spiking leaky integrator: its weights' gradient is exact (no surrogate), so
    # the loss's central difference is the reference. Hidden spikes do not depend on readout weights.
    spikes, labels = small_batch
    net = partly_trained(synthetic_train, hidden=[16], hidden_l2=0, readout_l2=0, burst=0)
    grads, _, _ = net.gradients(spikes, labels)
    assert np.abs(grads[1]).max() > 1e-3
    readout = net.weights(1)
    eps = 1e-3
    for index in np.argsort(-np.abs(grads[1]), axis=None)[:5]:
        i, j = np.unravel_index(index, readout.shape)
        shifted = []
        for sign in (1, -1):
            w = readout.copy()
            w[i, j] += sign * eps
            net.set_weights(1, w)
            shifted.append(loss(net, spikes, labels))
        net.set_weights(1, readout)
        numeric = (shifted[0] - shifted[1]) / (2 * eps)
        assert abs(numeric - grads[1][i, j]) <= 0.05 * abs(grads[1][i, j]) + 1e-5, (i, j, numeric, grads[1][i, j])


def test_gradients_are_deterministic_and_shaped_like_weights(synthetic_test, small_batch):
    spikes, labels = small_batch
    net = make_network(synthetic_test, hidden=[6], recurrent=True)
    first, recurrent, stats = net.gradients(spikes, labels)
    again, recurrent_again, _ = net.gradients(spikes, labels)
    assert [g.shape for g in first] == [net.weights(0).shape, net.weights(1).shape]
    assert recurrent[0].shape == (6, 6) and recurrent[1] is None
    for a, b in zip(first + recurrent[:1], again + recurrent_again[:1]):
        np.testing.assert_array_equal(a, b)
    assert stats.samples == len(labels) and np.isfinite(stats.loss)


def test_chip_gradients_come_from_what_the_chip_recorded(synthetic_train, small_batch):
    spikes, labels = small_batch
    net = partly_trained(synthetic_train)
    software = net.gradients(spikes, labels)[0]
    assert np.abs(software[1]).max() > 1e-3
    chip = net.gradients(spikes, labels, sl.Substrate.chip(5, calibrated=False))[0]
    assert chip[1].shape == software[1].shape
    assert not np.allclose(chip[1], software[1])
