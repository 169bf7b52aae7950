"""What a substrate records: shapes, consistency with evaluation, software vs chip."""

import numpy as np

import spikeloop as sl
from conftest import make_network


def test_observation_has_every_layer_as_batch_steps_neurons(synthetic_test, small_batch):
    spikes, _ = small_batch
    net = make_network(synthetic_test, hidden=[9, 5])
    obs = sl.Substrate.software().run(net, spikes)
    b, t, _ = spikes.shape
    assert [layer.spikes.shape for layer in obs.layers] == [(b, t, 9), (b, t, 5), (b, t, 10)]
    assert all(layer.membranes.shape == layer.spikes.shape for layer in obs.layers)
    assert not obs.readout.spikes.any(), "the readout never spikes"
    assert set(np.unique(obs.hidden[0].spikes)) <= {0.0, 1.0}
    assert obs.substrate_seconds == 0 and obs.energy_joules == 0


def test_hidden_spikes_are_membrane_threshold_crossings(synthetic_train, synthetic_test, small_batch):
    spikes, _ = small_batch
    net = make_network(synthetic_train)
    net.train(synthetic_train, progress=False)
    hidden = sl.Substrate.software().run(net, spikes).hidden[0]
    assert hidden.spikes.sum() > 0
    np.testing.assert_array_equal(hidden.spikes, (hidden.membranes > 1.0).astype(np.float32))


def test_predictions_are_the_argmax_of_the_readout_maximum(synthetic_train, synthetic_test):
    net = make_network(synthetic_train)
    net.train(synthetic_train, progress=False)
    dense = synthetic_test.events.to_dense()[:40]
    obs = sl.Substrate.software().run(net, dense)
    result = net.evaluate(dense, synthetic_test.labels[:40])
    np.testing.assert_array_equal(result.predictions, obs.readout.membranes.max(axis=1).argmax(axis=1))


def test_runs_are_reproducible_and_chips_differ_from_software(synthetic_test, small_batch):
    spikes, _ = small_batch
    net = make_network(synthetic_test)
    software = sl.Substrate.software().run(net, spikes)
    again = sl.Substrate.software().run(net, sl.Events.from_dense(spikes))
    np.testing.assert_array_equal(software.readout.membranes, again.readout.membranes)
    chip = sl.Substrate.chip(1, calibrated=False).run(net, spikes)
    assert chip.substrate_seconds > 0 and chip.energy_joules > 0
    assert not np.allclose(chip.readout.membranes, software.readout.membranes, atol=1e-3)
