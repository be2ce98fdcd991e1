"""``datacollect cleanup [--dry-run]``: run the retention cleanup now, with progress and counts.
``datacollect after-restore``: once after restoring a backup, before the servers start."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from application.restore import MarkRestored
from application.retention import TARGETS, Cleanup
from domain.timestamps import format_instant


def add_parser(commands: Any) -> None:
    cleanup = commands.add_parser(
        "cleanup",
        help="delete what the retention settings say is old enough (events are never deleted)",
        description="Run the retention cleanup now (the server also runs it every "
        "RETENTION_INTERVAL). Only one cleanup runs at a time across all servers.",
    )
    cleanup.add_argument("--dry-run", action="store_true", help="only count what would be deleted")


def add_restore_parser(commands: Any) -> None:
    commands.add_parser(
        "after-restore",
        help="run once after restoring a backup, before starting the servers",
        description="Record every tenant's restored feed head, so that cursors devices got "
        "before the restore resume from it and no device skips the events pushed from now on.",
    )


def run_after_restore(mark: MarkRestored, out: TextIO) -> int:
    feeds = mark()
    for feed in feeds:
        out.write(
            f"  {feed.tenant_id}: feed head {feed.head:,}; older cursors resume at most from "
            f"there (restore epoch {feed.epoch})\n"
        )
    out.write(f"{len(feeds)} tenant feeds marked as restored; start the servers now\n")
    return 0


class _Progress:
    """Live counts on a terminal (one line rewritten), one line per finished target otherwise."""

    def __init__(self, out: TextIO, verb: str) -> None:
        self._out, self._verb = out, verb
        self._live = out.isatty()

    def __call__(self, target: str, rows: int, finished: bool) -> None:
        line = f"  {target:<18} {rows:>10,} {self._verb}"
        if self._live:
            self._out.write("\r" + line + ("\n" if finished else ""))
            self._out.flush()
        elif finished:
            self._out.write(line + "\n")


def run_cleanup(args: argparse.Namespace, cleanup: Cleanup, out: TextIO) -> int:
    verb = "would be deleted" if args.dry_run else "deleted"
    out.write(
        "retention cleanup" + (" (dry run: nothing is deleted)" if args.dry_run else "") + "\n"
    )
    result = cleanup(dry_run=args.dry_run, progress=_Progress(out, verb))
    if not result.ran:
        out.write("another process is running the cleanup right now; nothing was done\n")
        return 1
    kept = [t.name for t in TARGETS if t.name not in result.cutoffs]
    for target, cutoff in result.cutoffs.items():
        out.write(f"  {target:<18} older than {format_instant(cutoff)}\n")
    if kept:
        out.write(f"  kept forever (age 0 or not stored here): {', '.join(kept)}\n")
    total = sum(result.counts.values())
    out.write(
        f"{total:,} rows {verb}" + (f" (run {result.run_id})" if result.run_id else "") + "\n"
    )
    return 0
