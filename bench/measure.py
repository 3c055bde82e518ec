"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

import os
import subprocess


def run_measured(cmd: list[str], env: dict) -> tuple[int, str, str, int]:
    """Run a command; (exit code, stdout, stderr, peak RSS in KB of that process, from wait4)."""
    import tempfile as _tf

    with _tf.TemporaryFile("w+") as out, _tf.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, text=True)
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read(), err.read(), usage.ru_maxrss
