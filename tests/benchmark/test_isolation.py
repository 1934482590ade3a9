import os

import pytest

from evit_dense.benchmark.isolation import run_isolated


def put_environ_and_pid(name, queue):
    queue.put((os.environ.get(name), os.getpid()))


def die(queue):
    os._exit(3)


def test_target_runs_in_a_fresh_process_with_its_environment():
    value, pid = run_isolated(put_environ_and_pid, 'EVIT_BENCH_PROBE',
                              environ={'EVIT_BENCH_PROBE': '128'})
    assert value == '128' and pid != os.getpid()
    assert 'EVIT_BENCH_PROBE' not in os.environ


def test_a_process_dying_without_a_result_ends_the_run():
    with pytest.raises(SystemExit, match='die failed .exit code 3.'):
        run_isolated(die)
