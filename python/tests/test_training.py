"""Training on numpy spikes (software and in the loop on a chip), evaluation and progress reporting."""

import numpy as np
import pytest

import spikeloop as sl
from conftest import make_network


def test_training_learns_the_synthetic_task(synthetic_train, synthetic_test):
    net = make_network(synthetic_train, batch_size=50)
    before = net.evaluate(synthetic_test).accuracy
    history = net.train(synthetic_train, epochs=2, progress=False)
    after = net.evaluate(synthetic_test)
    assert len(history) == 2 and history[0].samples == len(synthetic_train)
    assert before < 0.5 and after.accuracy > 0.9, (before, after)
    assert history[1].loss < history[0].loss


def test_training_in_the_loop_on_a_chip_learns(synthetic_train, synthetic_test):
    chip = sl.Substrate.chip(2, calibrated=False)
    net = make_network(synthetic_train, batch_size=50)
    before = net.evaluate(synthetic_test, substrate=chip).accuracy
    history = net.train(synthetic_train, substrate=chip, epochs=2, progress=False)
    after = net.evaluate(synthetic_test, substrate=chip)
    assert before < 0.5 and after.accuracy > 0.9, (before, after)
    assert history[0].substrate_seconds > 0 and after.energy_joules > 0


def test_evaluation_predicts_every_sample(synthetic_test):
    net = make_network(synthetic_test)
    result = net.evaluate(synthetic_test)
    assert result.samples == len(synthetic_test) and result.predictions.shape == (len(synthetic_test),)
    assert result.accuracy == pytest.approx(np.mean(result.predictions == synthetic_test.labels))


def test_training_is_reproducible_for_a_seed(synthetic_train):
    subset = sl.Dataset(synthetic_train.events, synthetic_train.labels)
    a, b = make_network(subset, seed=4, threads=1), make_network(subset, seed=4, threads=1)
    a.train(subset, progress=False)
    b.train(subset, progress=False)
    np.testing.assert_array_equal(a.weights(0), b.weights(0))


def test_progress_is_reported_per_batch_and_can_stop(synthetic_train):
    net = make_network(synthetic_train, batch_size=100)
    seen = []

    def progress(p):
        seen.append(p)
        return p["batch"] == 2

    stats = net.train(synthetic_train, progress=progress)[0]
    assert [p["batch"] for p in seen] == [1, 2] and seen[0]["batch_count"] == 20 and seen[0]["epoch"] == 1
    assert stats.samples == 200 and seen[0]["validation_accuracy"] is None


def test_an_exception_in_progress_stops_training_and_propagates(synthetic_train):
    net = make_network(synthetic_train)

    def progress(p):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        net.train(synthetic_train, progress=progress)


def test_train_dataset_writes_a_run_like_the_cli(tmp_path):
    epochs = []
    net, result = sl.train_dataset(
        "synthetic", tmp_path / "run", progress=epochs.append, epochs=2, hidden=[16], init_scale=3.0, train_samples=1000,
        validation_samples=100, test_samples=100, batch_size=50,
    )
    assert [e["epoch"] for e in epochs] == [1, 2] and epochs[-1]["validation_accuracy"] is not None
    assert result["test_accuracy"] > 0.5 and result["epochs"] == 2
    assert (tmp_path / "run" / "best.safetensors").exists() and (tmp_path / "run" / "config.json").exists()
    assert net.layer_sizes == [16, 10]


def test_numpy_training_equals_the_cli_code_path(tmp_path):
    # The same settings and seed through numpy arrays and through `train_dataset` (TrainingRun, what
    # `spikeloop train` runs) give bit-identical weights after an epoch.
    settings = dict(hidden=[16], init_scale=3.0, train_samples=400, validation_samples=100, test_samples=100,
                    batch_size=50, seed=9, threads=1)
    cli_net, _ = sl.train_dataset("synthetic", tmp_path / "run", progress=False, epochs=1, **settings)
    train = sl.load_dataset("synthetic", "train", **settings)
    net = sl.Network(train.shape[2], 10, **settings)
    net.train(train, progress=False)
    for layer in range(2):
        np.testing.assert_array_equal(net.weights(layer), cli_net.weights(layer))
