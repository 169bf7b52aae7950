"""Checkpoints saved from Python: weights, settings and optimizer state survive a round trip."""

import numpy as np
import pytest

import spikeloop as sl
from conftest import make_network


def test_checkpoint_round_trip(tmp_path, synthetic_train, synthetic_test):
    net = make_network(synthetic_train, hidden=[12], recurrent=True, learning_rate=0.002)
    net.train(synthetic_train, progress=False)
    path = tmp_path / "net.safetensors"
    net.save(path)
    loaded = sl.Network.load(path)
    for layer in range(2):
        np.testing.assert_array_equal(loaded.weights(layer), net.weights(layer))
    np.testing.assert_array_equal(loaded.weights(0, recurrent=True), net.weights(0, recurrent=True))
    assert loaded.config == net.config
    a, b = net.evaluate(synthetic_test), loaded.evaluate(synthetic_test)
    np.testing.assert_array_equal(a.predictions, b.predictions)


def test_training_continues_identically_after_a_round_trip(tmp_path, synthetic_train):
    net = make_network(synthetic_train, threads=1)
    net.train(synthetic_train, progress=False)
    net.save(tmp_path / "a.safetensors")
    resumed = sl.Network.load(tmp_path / "a.safetensors")
    net.train(synthetic_train, progress=False)
    resumed.train(synthetic_train, progress=False)
    np.testing.assert_array_equal(resumed.weights(1), net.weights(1))


def test_a_file_that_is_not_a_checkpoint_raises_checkpoint_error(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
    with pytest.raises(sl.CheckpointError, match="bad.safetensors"):
        sl.Network.load(bad)
    with pytest.raises(sl.CheckpointError):
        sl.Network(4, 2, hidden=[3]).save(tmp_path / "no" / "such" / "dir" / "x.safetensors")
