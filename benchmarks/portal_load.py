"""Load benchmark of the portal: N departments upload at the same moment to ``workbook-tools serve``.

Starts the production server (waitress) on loopback with SQLite and, when Debian's PostgreSQL is installed,
with a PostgreSQL server started in a temporary folder; creates a round with N departments through the
bureau's own pages (import of a department list), signs every department in, then sends ``--waves`` waves of
N simultaneous uploads (each a distinct workbook). Reports throughput and p50/p95/max latency of an upload
(request sent → redirect to its findings page received, validation included) and checks that every upload is
stored (one version per upload on the board, every file on disk under its sha256). Not a test: it measures
and prints; ``--json`` writes the figures. Traffic goes to 127.0.0.1 only, bounded by N × waves requests.

    .venv/bin/python benchmarks/portal_load.py --concurrency 20 --waves 5
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_P95_S = 0.5
ADMIN = ("admin", "bench-admin-2026")


class Browser:
    """A minimal HTTP client keeping cookies and sending Django's CSRF token, like a browser would."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            h["Referer"] = f"http://127.0.0.1:{self.port}{path}"
            h["Origin"] = f"http://127.0.0.1:{self.port}"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=h)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if attempt:
                    raise
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                for k, morsel in SimpleCookie(value).items():
                    self.cookies[k] = morsel.value
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def get(self, path: str) -> bytes:
        status, _, data = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        return data

    def token(self, path: str) -> str:
        page = self.get(path).decode()
        m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not m:
            raise RuntimeError(f"no CSRF token on {path}")
        return m.group(1)

    def post(self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]] | None = None,
             token_from: str | None = None) -> tuple[int, dict[str, str], bytes]:
        fields = dict(fields, csrfmiddlewaretoken=self.token(token_from or path))
        boundary = uuid.uuid4().hex
        parts: list[bytes] = []
        for k, v in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
        for k, (name, data) in (files or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"\r\n'
                         f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def login(self, username: str, password: str) -> None:
        status, headers, _ = self.post("/login/", {"username": username, "password": password})
        if status != 302:
            raise RuntimeError(f"login {username}: {status}")


def workbooks(n: int, waves: int, folder: Path) -> list[list[Path]]:
    """A distinct valid workbook per upload (staff numbers differ), so every upload is a new file."""
    from tests.factory import filled_workbook

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for w in range(waves):
        out.append([filled_workbook(folder / f"w{w}_d{i}.xlsx", staff_actual=100 + w * n + i) for i in range(n)])
    return out


def run(backend: str, database: str | None, files: list[list[Path]], threads: int, tmp: Path,
        validation_workers: int | None = None) -> dict[str, object]:
    from tests.portal.helpers import departments_csv
    from tests.portal.services import portal_server

    data = Path(tempfile.mkdtemp(prefix=f"data-{backend}-", dir=tmp))
    n, waves = len(files[0]), len(files)
    env = {} if validation_workers is None else {"WBT_PORTAL_VALIDATION_WORKERS": str(validation_workers)}
    with portal_server(data, database, ADMIN, "--threads", str(threads), env=env) as port:
        admin = Browser(port)
        admin.login(*ADMIN)
        status, headers, _ = admin.post("/bureau/", {"title": "负载测试", "year": "2023", "deadline": "2099-01-01T00:00"})
        board = headers["location"]
        csv = departments_csv(tmp / f"departments-{backend}.csv", [f"负载测试单位{i:03d}" for i in range(1, n)])
        status, _, page = admin.post(board + "import/", {}, {"departments": ("departments.csv", csv.read_bytes())},
                                     token_from=board)
        accounts = re.findall(r'<td class="username">([^<]+)</td>\s*<td class="password"><code>([^<]+)</code>',
                              page.decode())
        assert len(accounts) == n, f"{len(accounts)} accounts"
        people = []
        for user, password in accounts:
            b = Browser(port)
            b.login(user, password)
            b.token("/department/")
            people.append(b)
        latencies: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()
        started = time.perf_counter()
        for wave in files:
            barrier = threading.Barrier(n)

            def send(b: Browser, path: Path, barrier: threading.Barrier = barrier) -> None:
                data_ = path.read_bytes()
                token = b.token("/department/")
                boundary = uuid.uuid4().hex
                body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
                        f'--{boundary}\r\nContent-Disposition: form-data; name="workbook"; filename="{path.name}"\r\n'
                        f"Content-Type: application/octet-stream\r\n\r\n").encode() + data_ + \
                    f"\r\n--{boundary}--\r\n".encode()
                barrier.wait()
                t0 = time.perf_counter()
                status, headers, _ = b.request("POST", "/department/", body,
                                               {"Content-Type": f"multipart/form-data; boundary={boundary}"})
                dt = time.perf_counter() - t0
                with lock:
                    if status == 302 and "/submission/" in headers.get("location", ""):
                        latencies.append(dt)
                    else:
                        failures.append(f"{path.name}: {status}")

            ts = [threading.Thread(target=send, args=(b, p)) for b, p in zip(people, wave, strict=True)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
        elapsed = time.perf_counter() - started
        page = admin.get(board).decode()
        versions = [int(v) for v in re.findall(r'<td class="num">(\d+)</td>\s*</tr>', page)]
        stored = sum(1 for p in (data / "blobs").rglob("*.xlsx"))
        expected = {hashlib.sha256(p.read_bytes()).hexdigest() for wave in files for p in wave}
        on_disk = {p.stem for p in (data / "blobs").rglob("*.xlsx")}
    lat = sorted(latencies)
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) >= 2 else lat * 99
    return {
        "backend": backend, "concurrency": n, "waves": waves, "uploads": n * waves, "ok": len(lat),
        "failures": failures, "seconds": round(elapsed, 2), "throughput_per_s": round(len(lat) / elapsed, 1),
        "p50_s": round(statistics.median(lat), 3), "p95_s": round(q[94], 3), "max_s": round(lat[-1], 3),
        "listed_versions": sum(versions), "every_department_has_all_versions": versions == [waves] * n,
        "blobs_on_disk": stored, "every_upload_stored": expected <= on_disk,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--waves", type=int, default=5)
    ap.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--validation-workers", type=int, help="validation processes (default: the server's, 0 = in the request thread)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="wbt-portal-bench-") as tmp:
        files = workbooks(args.concurrency, args.waves, Path(tmp) / "files")
        if args.backend in ("sqlite", "both"):
            results.append(run("sqlite", None, files, args.threads, Path(tmp), args.validation_workers))
        if args.backend in ("postgresql", "both"):
            from tests.portal.services import pg_bin, postgres_server

            if pg_bin() is None:
                print("PostgreSQL not installed: skipped (Debian package postgresql)")
            else:
                with postgres_server() as pg:
                    url = pg.create_database("portal_bench")
                    results.append(run("postgresql", url, files, args.threads, Path(tmp), args.validation_workers))
    print(f"{'backend':<11} {'uploads':>7} {'ok':>4} {'s':>6} {'per s':>6} {'p50 s':>6} {'p95 s':>6} {'max s':>6}  stored")
    for r in results:
        verdict = "ok" if r["every_upload_stored"] and r["every_department_has_all_versions"] and not r["failures"] else "LOST"
        print(f"{r['backend']:<11} {r['uploads']:>7} {r['ok']:>4} {r['seconds']:>6} {r['throughput_per_s']:>6} "
              f"{r['p50_s']:>6} {r['p95_s']:>6} {r['max_s']:>6}  {verdict} ({r['listed_versions']} listed, "
              f"{r['blobs_on_disk']} files)  target p95 < {TARGET_P95_S} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
