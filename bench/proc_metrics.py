"""Process figures from /proc (psutil is not installed): RSS of a gunicorn master and its
workers, and CPU seconds of the workers, of their PostgreSQL backends and of this process."""

from __future__ import annotations

import os
import time
from pathlib import Path

import psycopg


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _local_ports(pids: list[int]) -> set[int]:
    inodes = set()
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def server_rss_mib(master_pid: int) -> tuple[float, int]:
    """Resident memory of the gunicorn master plus its workers (from /proc; no psutil)."""
    pids = [master_pid, *_children(master_pid)]
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024, len(pids) - 1


class CpuMeter:
    """CPU seconds spent by the server workers, by their PostgreSQL backends and by us."""

    def __init__(self, master_pid: int, url: str) -> None:
        self._master, self._url = master_pid, url

    def _backends(self) -> list[int]:
        """The PostgreSQL backends serving our workers: matched by the workers' TCP ports."""
        ports = _local_ports(_children(self._master))
        with psycopg.connect(self._url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE client_port = ANY(%s)", (sorted(ports),)
            ).fetchall()
        return [r[0] for r in rows]

    def sample(self) -> dict[str, dict[int, float]]:
        return {
            "server": {p: _cpu_s(p) for p in [self._master, *_children(self._master)]},
            "postgres": {p: _cpu_s(p) for p in self._backends()},
            "client": {0: time.process_time()},
        }

    @staticmethod
    def spent(before: dict, after: dict) -> dict[str, float]:
        return {
            part: sum(v - before[part].get(p, 0.0) for p, v in after[part].items())
            for part in after
        }


def postgres_cpu_s(url: str, pids: list[int] | None = None) -> float:
    """CPU seconds of the PostgreSQL backends serving ``pids`` (default: this process)."""
    ports = _local_ports(pids or [os.getpid()])
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE client_port = ANY(%s)", (sorted(ports),)
        ).fetchall()
    return sum(_cpu_s(pid) for (pid,) in rows)
