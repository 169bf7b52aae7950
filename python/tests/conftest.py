"""Shared fixtures: small encoded splits of the built-in synthetic task (no files needed).

Run against an installed package (`pip install ./python`), or a built library with
`SPIKELOOP_LIBRARY=.build/debug/libSpikeLoopC.so PYTHONPATH=python pytest python/tests` (what `make test` does).
"""

import numpy as np
import pytest

import spikeloop as sl


@pytest.fixture(scope="session")
def synthetic_train():
    data = sl.load_dataset("synthetic", "train", train_samples=2000)
    return data


@pytest.fixture(scope="session")
def synthetic_test():
    return sl.load_dataset("synthetic", "test", test_samples=200)


@pytest.fixture
def small_batch(synthetic_test):
    """Eight test samples as a dense [8, T, C] array and their labels."""
    return synthetic_test.events.to_dense()[:8], synthetic_test.labels[:8].copy()


def make_network(data, **settings):
    settings.setdefault("hidden", [32])
    settings.setdefault("init_scale", 3.0)  # the paper's 0.7 leaves small hidden layers silent on this task
    return sl.Network(data.shape[2], int(data.labels.max()) + 1, **settings)


@pytest.fixture
def rng():
    return np.random.default_rng(7)
