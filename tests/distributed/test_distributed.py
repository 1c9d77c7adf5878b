"""Data-parallel training under mpiexec: N ranks with shards of each global batch train the
same weights as one process with the whole batches; a rank that fails stops all of them; the
`neuronet train --distributed` run folder is written once, resumes on another number of ranks
and survives a killed rank."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from data_parallel_run import reference
from safetensors.numpy import load_file

import neuronet
from neuronet import distributed as dist
from neuronet.cli.run import WEIGHTS, build_from_config, read_config
from neuronet.data import DataLoader, TensorDataset
from neuronet.train import load_checkpoint
from neuronet.train.checkpoint import MANIFEST

BIN = Path(sys.executable).parent
RUN = Path(__file__).with_name("data_parallel_run.py")
# one BLAS thread per rank: 3 ranks share 2 cores
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def mpiexec(n, *command, timeout=120, env=ENV):
    started = time.monotonic()
    done = subprocess.run([str(BIN / "mpiexec"), "-n", str(n), *command], env=env,
                          capture_output=True, text=True, timeout=timeout)
    return done, time.monotonic() - started


def run_ranks(tmp_path, n, *options, timeout=120):
    done, _ = mpiexec(n, sys.executable, str(RUN), str(tmp_path), *options, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return [dict(np.load(tmp_path / f"rank{r}.npz")) for r in range(n)]


def largest_difference(a, b):
    """max |a - b| / max |b| over the tensors of two states."""
    assert a.keys() == b.keys()
    return max(float(np.max(np.abs(a[k] - b[k])) / np.max(np.abs(b[k]))) for k in b)


@pytest.mark.parametrize("ranks, optimizer, dtype, tolerance", [
    (1, "sgd", "float64", 1e-13),
    (2, "sgd", "float64", 1e-13),
    (3, "sgd", "float64", 1e-13),
    (2, "adam", "float32", 1e-5),
    (3, "adam", "float32", 1e-5),
])
def test_ranks_train_the_weights_of_one_process(tmp_path, ranks, optimizer, dtype, tolerance):
    # 7 steps of global batches of 50 (the fifth has 30 samples: shares of 10 or 17/17/16)
    expected = reference(7, optimizer, dtype)
    for r, state in enumerate(run_ranks(tmp_path, ranks, "--optimizer", optimizer,
                                        "--dtype", dtype, "--steps", "7")):
        difference = largest_difference(state, expected)
        assert difference < tolerance, f"rank {r} of {ranks}: {difference:.3g} from one process"


def test_batch_norm_ranks_agree_but_normalize_per_shard(tmp_path):
    states = run_ranks(tmp_path, 2, "--batchnorm", "--steps", "3")
    assert all(np.array_equal(states[0][k], states[1][k]) for k in states[0])
    # as documented: each shard is normalized by its own statistics, unlike one process
    assert largest_difference(states[0], reference(3, batchnorm=True)) > 1e-6


@pytest.mark.parametrize("fail, message", [
    ("exit", None),  # mpiexec sees a rank end without MPI_Finalize and stops the others
    ("hang", "rank 0 of 2 waited 3 s for the other ranks in the gradient allreduce"),
    ("raise", "rank 1 of 2: error: rank 1 was told to fail at step 2; stopping all ranks"),
])
def test_a_failing_rank_stops_all_of_them(tmp_path, fail, message):
    done, seconds = mpiexec(2, sys.executable, str(RUN), str(tmp_path), "--fail", fail,
                            "--timeout", "3", timeout=90)
    assert done.returncode != 0
    assert seconds < 60, f"the ranks took {seconds:.0f} s to stop"
    if message is not None:
        assert message in " ".join(done.stderr.split())
    assert not list(tmp_path.glob("rank*.npz"))


def test_sampler_shards_each_global_batch_disjointly():
    # global batches of 7, 7, 7 and 3 samples
    loader = DataLoader(TensorDataset(np.arange(24.0).reshape(24, 1), np.arange(24)),
                        batch_size=7, shuffle=True, generator=5)
    one = [targets for _, targets in loader]
    loader.generator = np.random.default_rng(5)
    shards = [dist.DistributedSampler(loader, rank=r, world_size=3) for r in range(3)]
    per_rank = []
    for sampler in shards:
        loader.generator = np.random.default_rng(5)
        per_rank.append([(targets, sampler.weight) for _, targets in sampler])
    for b, batch in enumerate(one):
        parts = [per_rank[r][b][0] for r in range(3)]
        assert np.array_equal(np.concatenate(parts), batch)
        assert sum(per_rank[r][b][1] for r in range(3)) == pytest.approx(1.0)
        assert [len(p) for p in parts] == [len(a) for a in np.array_split(batch, 3)]


def test_sampler_rejects_batches_smaller_than_the_world():
    loader = DataLoader(TensorDataset(np.zeros((9, 1)), np.zeros(9)), batch_size=4)
    with pytest.raises(ValueError, match="global batch of 1 samples cannot give each of 2 "
                                         "ranks a sample"):
        dist.DistributedSampler(loader, rank=0, world_size=2)
    with pytest.raises(ValueError, match="rank must be in 0..1, got 2"):
        dist.DistributedSampler(loader, rank=2, world_size=2)


def test_init_checks_its_timeout():
    with pytest.raises(ValueError, match="timeout must be > 0 seconds, got 0"):
        dist.init(timeout=0)


def train_command(folder, *options, resume=False):
    where = ["--resume", str(folder)] if resume else [
        "--model", "mlp", "--dataset", "digits", "--out", str(folder)]
    return [str(BIN / "neuronet"), "train", *where, "--no-progress", *options]


def one_process(*command):
    done = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def test_train_command_on_ranks_equals_one_process_and_resumes_on_three(tmp_path):
    ranks, alone = tmp_path / "ranks", tmp_path / "alone"
    done, _ = mpiexec(2, *train_command(ranks, "--epochs", "1", "--distributed"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("training mlp on digits on 2 ranks") == 1  # rank 0 alone prints
    one_process(*train_command(alone, "--epochs", "1"))
    assert largest_difference(load_file(ranks / WEIGHTS), load_file(alone / WEIGHTS)) < 1e-5

    done, _ = mpiexec(3, *train_command(ranks, "--epochs", "2", "--distributed", resume=True))
    assert done.returncode == 0, done.stderr
    one_process(*train_command(alone, "--epochs", "2", resume=True))
    assert largest_difference(load_file(ranks / WEIGHTS), load_file(alone / WEIGHTS)) < 1e-5
    assert json.loads((ranks / "metrics.json").read_text())["ranks"] == 3
    lines = (ranks / "history.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["1", "2"]  # written once per epoch
    # each epoch's training loss and accuracy are those of all ranks' shards together
    ours, theirs = history(ranks), history(alone)
    for column in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(ours[column], theirs[column], rtol=1e-5, err_msg=column)


def history(folder):
    """{column: float64 values per epoch} of a run folder's history.csv."""
    header, *rows = (folder / "history.csv").read_text().splitlines()
    values = np.array([row.split(",") for row in rows], np.float64)
    return dict(zip(header.split(","), values.T))


def rank_process(tag, rank):
    """The pid of the process started with NEURONET_TEST_TAG=tag and MPI rank `rank`."""
    for proc in Path("/proc").iterdir():
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue
        if f"NEURONET_TEST_TAG={tag}".encode() in environ and \
                f"PMI_RANK={rank}".encode() in environ:
            return int(proc.name)
    return None


def test_a_killed_rank_stops_training_and_leaves_a_checkpoint_to_resume(tmp_path):
    folder, tag = tmp_path / "run", f"killed-{os.getpid()}"
    manifest = folder / "checkpoint" / "last" / MANIFEST
    process = subprocess.Popen(
        [str(BIN / "mpiexec"), "-n", "2",
         *train_command(folder, "--epochs", "400", "--distributed", "--mpi-timeout", "5")],
        env={**ENV, "NEURONET_TEST_TAG": tag}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not manifest.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert manifest.exists(), "no checkpoint within 60 s"
        os.kill(rank_process(tag, 1), signal.SIGKILL)
        status = process.wait(timeout=60)
    finally:
        process.kill()
        process.communicate()
    assert status != 0
    config = read_config(folder)
    model = build_from_config(config)
    epoch = load_checkpoint(folder / "checkpoint" / "last", model)["epoch"]
    assert 1 <= epoch < 400
    neuronet.manual_seed(0)
    one_process(*train_command(folder, "--epochs", str(epoch + 1), resume=True))
    assert len((folder / "history.csv").read_text().splitlines()) == epoch + 2
