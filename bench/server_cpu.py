"""CPU time used by a PostgreSQL server running on this machine, for the import benchmarks.

    .venv/bin/python bench/server_cpu.py      # prints seconds, or nothing if not measurable

The benchmarks' importer and a local server share the machine's cores, so the server's CPU is
part of what an import costs. Found from this connection's backend: its parent is the
postmaster, whose /proc entry holds the CPU of its live processes and of those it has reaped.
Counts everything the server does meanwhile (autovacuum, other databases): use a server of
its own. Prints nothing for SQLite or a server on another machine.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def _fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # after "pid (name) "


def _cpu(pid: int, *, reaped: bool) -> float:
    fields = _fields(pid)  # fields[0] is the state: /proc/PID/stat's third field
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if reaped:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime: children waited for
    return ticks / _TICKS


def server_cpu(database_url: str) -> float | None:
    """Seconds of CPU the server has used so far, or None if it is not on this machine."""
    if not database_url.startswith("postgres"):
        return None
    import psycopg

    try:
        with psycopg.connect(database_url) as conn:
            backend = conn.execute("SELECT pg_backend_pid()").fetchone()
            assert backend is not None
            postmaster = int(_fields(backend[0])[1])  # the backend's parent
            total = _cpu(postmaster, reaped=True)
            children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text()
            for child in children.split():
                # One that ended meanwhile is counted in the postmaster's reaped children.
                with contextlib.suppress(FileNotFoundError):
                    total += _cpu(int(child), reaped=True)
            return total
    except (OSError, psycopg.Error):
        return None


if __name__ == "__main__":
    seconds = server_cpu(os.environ.get("DATABASE_URL", ""))
    if seconds is not None:
        print(f"{seconds:.2f}")
