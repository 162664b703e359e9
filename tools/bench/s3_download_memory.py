"""How much memory a download from the S3 store takes in the worker: a 5 MB blob sent by
send_blob (whole, and a range near its end) while tracemalloc watches, against an S3 endpoint
that runs in another process (moto's server, from the test extra), so only the worker's own
allocations count.

    python -m tools.bench.s3_download_memory
"""
import os
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request

SIZE = 5 * 1024 * 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_moto(port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("moto's server did not start")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def send(app, sha: str, headers: dict) -> tuple[int, int, float, float]:
    """(status, bytes sent, tracemalloc peak MB, RSS growth MB) of one download."""
    from flask import request

    from portal.storage import send_blob

    with app.test_request_context(headers=headers):
        rss_before = rss_mb()
        tracemalloc.start()
        response = send_blob(sha, mimetype="application/pdf", etag=sha, max_age=0,
                             as_attachment=True, download_name="deck.pdf")
        sent = sum(len(chunk) for chunk in response.get_app_iter(request.environ))  # as a WSGI server would
        response.close()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return response.status_code, sent, peak / 2**20, rss_mb() - rss_before


def main() -> None:
    port = free_port()
    server = start_moto(port)
    try:
        os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
                          PORTAL_SECRET_KEY="bench", PORTAL_STORAGE_URL="s3://bench/files",
                          PORTAL_S3_ENDPOINT_URL=f"http://127.0.0.1:{port}")
        from portal import create_app
        from portal.storage import blob_store, read

        with tempfile.TemporaryDirectory() as data_dir:
            app = create_app({"DATA_DIR": data_dir, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{data_dir}/p.db"})
            store = blob_store(app)
            store.client.create_bucket(Bucket="bench")
            sha = store.put(os.urandom(SIZE))
            send(app, sha, {})  # warm up: the client's connection pool, werkzeug's imports
            print(f"{'download of a 5 MB blob from S3':40} {'status':>6} {'sent':>10} "
                  f"{'peak (tracemalloc)':>19} {'RSS growth':>11}")
            for name, headers in (("whole", {}), ("range: its last 1 MB", {"Range": f"bytes={SIZE - 2**20}-"})):
                status, sent, peak, rss = send(app, sha, headers)
                print(f"{name:40} {status:>6} {sent:>10} {peak:>16.2f} MB {rss:>8.2f} MB")
            tracemalloc.start()
            read(store, sha)
            print(f"{'(control: the blob read into memory)':40} {'':>6} {SIZE:>10} "
                  f"{tracemalloc.get_traced_memory()[1] / 2**20:>16.2f} MB")
            tracemalloc.stop()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
