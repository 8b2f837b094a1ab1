"""Which registered workers of this machine are dead: their process is gone, or its pid is
now this process's own (a restarted container); never a worker running in this process."""

from __future__ import annotations

import os

from ocpihub.outbox.liveness import dead_workers, machine_id, pid_alive


def test_dead_workers() -> None:
    """Gone pids and this process's pid under another worker id are dead; running ones not."""
    rows = [("gone", 4242), ("alive", 17), ("me", 100), ("predecessor", 100)]
    dead = dead_workers(rows, my_pid=100, running={"me"}, alive=lambda pid: pid == 17)

    assert dead == ["gone", "predecessor"]


def test_pid_alive_and_machine() -> None:
    """This process is alive; pid 0 and negative pids never are; the machine id is stable."""
    assert pid_alive(os.getpid())
    assert not pid_alive(0)
    assert not pid_alive(-5)
    assert machine_id() == machine_id()
    assert len(machine_id()) <= 200
