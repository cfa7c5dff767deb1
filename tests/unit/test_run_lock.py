import contextlib
import fcntl
import subprocess
import sys
import threading

import pytest

from fixtures.coordination.run_directory import RunLock

BLOCKED = 0.3      # how long a lock that must wait is watched not to be granted
GRANTED = 5        # how long a lock that must be granted may take


class Holder:
    """Takes a lock in a thread and holds it until released."""

    def __init__(self, lock_cm):
        self.entered = threading.Event()
        self._release = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(lock_cm,), daemon=True)
        self._thread.start()

    def _run(self, cm):
        with cm:
            self.entered.set()
            self._release.wait(GRANTED * 2)

    def release(self):
        self._release.set()
        self._thread.join(GRANTED)
        assert not self._thread.is_alive()


@pytest.fixture
def lock(tmp_path):
    return RunLock(tmp_path / "locks")


@pytest.fixture
def holders():
    started = []

    def start(cm):
        h = Holder(cm)
        started.append(h)
        return h

    yield start
    for h in started:
        h.release()


def test_shared_holders_do_not_exclude_each_other(lock, holders):
    a = holders(lock.shared())
    assert a.entered.wait(GRANTED)
    b = holders(lock.shared())
    assert b.entered.wait(GRANTED)


def test_exclusive_excludes_shared(lock, holders):
    with lock.exclusive():
        s = holders(lock.shared())
        assert not s.entered.wait(BLOCKED)
    assert s.entered.wait(GRANTED)


@pytest.mark.parametrize("first", ["shared", "exclusive"])
def test_exclusive_waits_for_the_holder_before_it(lock, holders, first):
    a = holders(getattr(lock, first)())
    assert a.entered.wait(GRANTED)
    x = holders(lock.exclusive())
    assert not x.entered.wait(BLOCKED)
    a.release()
    assert x.entered.wait(GRANTED)


def test_a_waiting_exclusive_holder_is_not_starved_by_new_shared_ones(lock, holders):
    first = holders(lock.shared())
    assert first.entered.wait(GRANTED)
    x = holders(lock.exclusive())
    assert not x.entered.wait(BLOCKED)
    late = holders(lock.shared())
    assert not late.entered.wait(BLOCKED)
    first.release()
    assert x.entered.wait(GRANTED)
    assert not late.entered.wait(BLOCKED)
    x.release()
    assert late.entered.wait(GRANTED)


TRY_SHARED = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
try:
    fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    print("granted")
except BlockingIOError:
    print("blocked")
"""


def try_shared_in_another_process(path) -> str:
    return subprocess.run([sys.executable, "-c", TRY_SHARED, str(path)], capture_output=True, text=True,
                          timeout=GRANTED, check=True).stdout.strip()


def test_exclusive_excludes_shared_across_processes(tmp_path):
    lock = RunLock(tmp_path)
    with lock.exclusive():
        assert try_shared_in_another_process(tmp_path / "rw.lock") == "blocked"
    assert try_shared_in_another_process(tmp_path / "rw.lock") == "granted"
    with lock.shared():
        assert try_shared_in_another_process(tmp_path / "rw.lock") == "granted"


def test_locks_are_released_when_the_body_raises(lock):
    with contextlib.suppress(RuntimeError), lock.exclusive():
        raise RuntimeError("test failed")
    with lock.shared():
        pass
    fd = open(lock._rw, "a")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        fd.close()


def test_directory_is_created(tmp_path):
    RunLock(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()
