"""Trials on a Dask cluster (`pip install neuronet[cluster]`): dask.distributed runs them,
the search keeps its seeds, its records and its JSON-lines file.

    random_search(train_and_score, space, 40, cluster="local", workers=2)  # a LocalCluster
    random_search(train_and_score, space, 40, cluster="dask://10.0.0.5:8786")

"local" starts a LocalCluster of `workers` processes of one thread each (closed after the
search); "dask://HOST:PORT" (or "tcp://HOST:PORT") connects to a running scheduler, started
e.g. with `dask scheduler` and `dask worker HOST:PORT --nthreads 1` on each machine. Every
worker needs neuronet and the datasets the trials read. Dask sends the trial function to
the workers with cloudpickle: connect only to schedulers and workers you trust.

At most as many trials as the cluster has worker threads are submitted at once, so a trial
starts when it is submitted and `timeout` counts its running time: a trial that runs longer
is cancelled, the worker running it restarted (which stops it) and the trial recorded as
failed. A trial whose worker dies is run again elsewhere by Dask (up to its
`distributed.scheduler.allowed-failures`, default 3) and recorded as failed after that.
"""

import contextlib
import time

from neuronet.optional import import_optional

_POLL_SECONDS = 0.05


def _dask():
    return import_optional("distributed", "neuronet.search on a cluster",
                           "pip install neuronet[cluster]")


def scheduler_address(cluster):
    """The tcp:// address of "dask://HOST:PORT" or "tcp://HOST:PORT"; ValueError otherwise."""
    for scheme in ("dask://", "tcp://"):
        if cluster.startswith(scheme) and ":" in cluster[len(scheme):]:
            return "tcp://" + cluster[len(scheme):]
    raise ValueError(f"search: cluster must be 'local' or 'dask://HOST:PORT', got {cluster!r}")


@contextlib.contextmanager
def connected(cluster, workers):
    """A dask Client for `cluster` (see the module docstring; None yields None) for the
    length of the block."""
    if cluster is None:
        yield None
        return
    if not isinstance(cluster, str):
        raise TypeError(f"search: cluster must be 'local', 'dask://HOST:PORT' or None, got "
                        f"{cluster!r}")
    address = None if cluster == "local" else scheduler_address(cluster)
    dask = _dask()
    with contextlib.ExitStack() as stack:
        if address is None:
            local = stack.enter_context(dask.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address=":0"))
            client = stack.enter_context(dask.Client(local))
        else:
            try:
                client = stack.enter_context(dask.Client(address, timeout="10s"))
            except OSError as e:
                raise ValueError(f"search: cannot reach the Dask scheduler at {address} "
                                 f"({e})") from None
        yield client


def run_on_cluster(client, run_one, tasks, timeout, finish):
    """Run `tasks` ([(index, args of run_one)]) on the cluster's workers; `finish(index,
    outcome)` is called for each as it ends (as in the runner's worker processes)."""
    dask = _dask()
    slots = max(1, sum(client.nthreads().values()))
    queue, running = list(tasks), {}  # future -> (index, submission time)
    while queue or running:
        while queue and len(running) < slots:
            index, args = queue.pop(0)
            future = client.submit(run_one, *args, pure=False)
            running[future] = (index, time.monotonic())
        finished = False
        for future, (index, start) in list(running.items()):
            if future.done():
                del running[future]
                finish(index, _outcome(future, time.monotonic() - start, dask))
                finished = True
            elif timeout is not None and time.monotonic() - start > timeout:
                del running[future]
                _stop(client, future)
                finish(index, {"status": "failed", "scores": {}, "time": timeout,
                               "error": f"trial stopped after the {timeout} s timeout"})
                finished = True
        if not finished:
            time.sleep(_POLL_SECONDS)


def _outcome(future, seconds, dask):
    """The record fields of a finished future: run_one's own, or a failure (its worker died
    more often than the scheduler allows, or the task was cancelled)."""
    if future.status == "finished":
        return future.result()
    if future.status == "cancelled":
        message = "the task was cancelled on the cluster"
    else:
        error = future.exception()
        message = f"{type(error).__name__}: {error}"
        if isinstance(error, dask.KilledWorker):
            message = f"the workers running it died ({message})"
    return {"status": "failed", "scores": {}, "time": seconds, "error": message}


def _stop(client, future):
    """Cancel `future` and restart the worker running it: a worker thread cannot be
    interrupted, so only a new worker process stops the trial."""
    key = future.key
    busy = [worker for worker, keys in client.processing().items() if key in keys]
    future.cancel()
    if busy:
        client.restart_workers(busy, raise_for_error=False)
