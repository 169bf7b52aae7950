"""Building networks, their settings and weights, spike conversions and the errors of bad input."""

import numpy as np
import pytest

import spikeloop as sl
from conftest import make_network


def test_network_shapes_follow_the_requested_sizes():
    net = sl.Network(12, 3, hidden=[7, 5])
    assert [(layer.inputs, layer.neurons, layer.recurrent) for layer in net.layers] == [
        (12, 7, False), (7, 5, False), (5, 3, False)
    ]
    assert net.weights(0).shape == (12, 7) and net.weights(2).shape == (5, 3)
    assert repr(net) == "Network(12-7-5-3)"


def test_recurrent_network_has_square_recurrent_weights():
    net = sl.Network(12, 3, hidden=[6], recurrent=True)
    assert net.layers[0].recurrent and not net.layers[1].recurrent
    assert net.weights(0, recurrent=True).shape == (6, 6)
    with pytest.raises(ValueError, match="not recurrent"):
        net.weights(1, recurrent=True)


def test_snake_case_settings_reach_the_library():
    net = sl.Network(4, 2, tau_mem=1e-5, learning_rate=0.01, batch_size=7, seed=3)
    config = net.config
    assert (config["tau_mem"], config["learning_rate"], config["batch_size"], config["seed"]) == (1e-5, 0.01, 7, 3)
    net.configure(learning_rate=0.5)
    assert net.config["learning_rate"] == 0.5


def test_seed_makes_initial_weights_reproducible():
    a, b, c = sl.Network(8, 2, seed=5), sl.Network(8, 2, seed=5), sl.Network(8, 2, seed=6)
    np.testing.assert_array_equal(a.weights(0), b.weights(0))
    assert not np.array_equal(a.weights(0), c.weights(0))


def test_set_weights_round_trips_and_checks_shape(rng):
    net = sl.Network(5, 2, hidden=[3])
    w = rng.normal(size=(5, 3)).astype(np.float32)
    net.set_weights(0, w)
    np.testing.assert_array_equal(net.weights(0), w)
    with pytest.raises(ValueError, match=r"\(5, 3\)"):
        net.set_weights(0, w.T)
    with pytest.raises(ValueError, match="finite"):
        net.set_weights(0, np.full((5, 3), np.nan))
    with pytest.raises(IndexError):
        net.weights(4)


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"surrogate": "nope"}, "surrogate"),
        ({"hidden": []}, "hidden"),
        ({"learning_rate": -1}, "learning_rate"),
        ({"no_such_setting": 1}, "unknown setting 'no_such_setting'"),
        ({"steps": "many"}, "steps"),
    ],
)
def test_bad_settings_raise_setting_error_naming_the_setting(settings, message):
    settings.setdefault("hidden", [4])
    with pytest.raises(sl.SettingError, match=message):
        sl.Network(4, 2, **settings)


def test_bad_sizes_raise_value_error():
    with pytest.raises(ValueError, match="positive"):
        sl.Network(0, 2)


def test_dense_spikes_round_trip_through_events(rng):
    dense = (rng.random((3, 5, 4)) < 0.3).astype(np.float32)
    events = sl.Events.from_dense(dense)
    assert events.shape == (3, 5, 4) and len(events.samples) == int(dense.sum())
    np.testing.assert_array_equal(events.to_dense(), dense)


def test_dense_spikes_must_be_binary_and_three_dimensional():
    with pytest.raises(ValueError, match="0 and 1"):
        sl.Events.from_dense(np.full((1, 2, 3), 2.0))
    with pytest.raises(ValueError, match=r"\[batch, steps, channels\]"):
        sl.Events.from_dense(np.zeros((2, 3)))


def test_events_outside_the_batch_are_rejected():
    net = sl.Network(4, 2, hidden=[3])
    bad = sl.Events(np.array([0]), np.array([9]), np.array([1]), (1, 5, 4))
    with pytest.raises(ValueError, match="step 9"):
        sl.Substrate.software().run(net, bad)


def test_channel_count_must_match_the_network(small_batch):
    spikes, labels = small_batch
    net = sl.Network(spikes.shape[2] + 1, 10, hidden=[4])
    with pytest.raises(ValueError, match="channels"):
        net.evaluate(spikes, labels)


def test_labels_must_name_outputs(synthetic_test, small_batch):
    spikes, labels = small_batch
    net = make_network(synthetic_test)
    with pytest.raises(ValueError, match="label 99"):
        net.gradients(spikes, np.full(len(labels), 99))
    with pytest.raises(ValueError, match="one label per sample"):
        net.evaluate(spikes, labels[:3])


def test_substrate_specs():
    assert sl.Substrate.software().spec == "software" and not sl.Substrate.software().is_chip
    chip = sl.Substrate.chip(4, noise=0.0, decalibration=0.1)
    assert chip.spec == "chip:4" and chip.is_chip
    with pytest.raises(ValueError):
        sl.Substrate.chip(-1)
    with pytest.raises(sl.SettingError, match="substrate"):
        sl.Substrate("gpu")._for(sl.Network(4, 2, hidden=[3]))


def test_missing_dataset_files_raise_dataset_error(tmp_path):
    with pytest.raises(sl.DatasetError, match="mnist"):
        sl.load_dataset("mnist", "test", data_dir=str(tmp_path))
    with pytest.raises(ValueError, match="split"):
        sl.load_dataset("synthetic", "everything")


def test_synthetic_dataset_splits(synthetic_train, synthetic_test):
    assert len(synthetic_train) == 2000 and len(synthetic_test) == 200
    assert synthetic_train.shape[1:] == synthetic_test.shape[1:]
    assert set(np.unique(synthetic_test.labels)) <= set(range(10))
