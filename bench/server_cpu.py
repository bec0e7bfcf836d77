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


def _is_postgres(pid: int) -> bool:
    return Path(f"/proc/{pid}/comm").read_text().startswith("postgres")


def _started_at(pid: int) -> float:
    """When the process started, in seconds since the epoch."""
    ticks = int(_fields(pid)[19])  # starttime: clock ticks after boot
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("btime "):
            return int(line.split()[1]) + ticks / _TICKS
    raise OSError("no boot time in /proc/stat")


def server_cpu(database_url: str) -> float | None:
    """Seconds of CPU the server has used so far, or None if it is not on this machine."""
    if not database_url.startswith("postgres"):
        return None
    import psycopg

    try:
        with psycopg.connect(database_url) as conn:
            row = conn.execute(
                "SELECT pg_backend_pid(), extract(epoch FROM pg_postmaster_start_time())"
            ).fetchone()
            assert row is not None
            backend, started = int(row[0]), float(row[1])
            postmaster = int(_fields(backend)[1])  # the backend's parent
            # The pid is the server's: on another machine or in a container, a process here
            # may have it. Trust it only if it is a postgres process started when the server was.
            if not (_is_postgres(backend) and _is_postgres(postmaster)):
                return None
            if abs(_started_at(postmaster) - started) > 2:
                return None
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
