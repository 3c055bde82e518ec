"""`cnht serve --workers N`: several server processes on one database and one embedded index. A change
written by another process (here `cnht import`) is found through every worker at once, and a job or a
page served by any worker sees the same data."""

from __future__ import annotations

import csv
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

CNHT = str(Path(sys.executable).parent / "cnht")


def _port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _get(port: int, path: str) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # a new connection: any worker
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, json.loads(body) if body.startswith(b"{") else {}


def test_every_worker_sees_a_write_made_by_another_process(fresh_database_url, tmp_path):
    env = {
        **os.environ,
        "CNHT_INSTANCE_PATH": str(tmp_path / "inst"),
        "CNHT_DATABASE_URL": fresh_database_url,
    }
    env.pop("CNHT_SEARCH_BACKEND", None)
    subprocess.run([CNHT, "init-db"], env=env, check=True, capture_output=True)
    subprocess.run([CNHT, "demo", "--count", "60"], env=env, check=True, capture_output=True)
    port = _port()
    server = subprocess.Popen(
        [CNHT, "serve", "--port", str(port), "--workers", "3", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(300):
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        q = "/api/v1/search?" + urllib.parse.urlencode({"q": "Phụ tùng máy dệt Quang Trung"})
        before = {_get(port, q)[1]["total"] for _ in range(12)}  # every worker has loaded its caches
        path = tmp_path / "new.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["Mã số thuế", "Tên doanh nghiệp", "Tỉnh/thành phố", "Ngành", "Sản phẩm"])
            w.writerow(
                ["0100109106", "Công ty TNHH Phụ tùng máy dệt Quang Trung", "Nam Định", "Dệt may", "Suốt chỉ"]
            )
        subprocess.run([CNHT, "import", str(path)], env=env, check=True, capture_output=True)
        answers = [_get(port, q)[1] for _ in range(12)]
        assert all(a["items"][0]["name"] == "Công ty TNHH Phụ tùng máy dệt Quang Trung" for a in answers), (
            before
        )
        assert len({a["total"] for a in answers}) == 1  # the same answer from every worker
        assert _get(port, "/enterprises/0100109106")[0] == 200
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    text = out.decode(errors="replace")
    assert text.count("Booting worker") >= 3, text[-2000:]  # three processes really served
