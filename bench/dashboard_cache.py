"""What the dashboards' cache saves: each dashboard page computed (cache emptied first) against
the same page cached, on the demo (weekly usage) in a SQLite file, in one process.

    python -m bench.dashboard_cache [--runs N]

A stakeholder signed in through the login form opens each page; the time is the app's whole
answer through Flask's test client (routing, the data version's query, the figures or their
cached JSON, the template), without a network. Medians of `--runs` pairs are printed.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

import dashboards.views as views
from rollout.app import create_app
from rollout.cli import DEMO_DATASET, load_dataset_committed, reset_demo_accounts
from rollout.db import get_engine, make_engine, upgrade

READER = "partenaire@demo.rollout.invalid"
PAGES = ("", "/equity", "/leadership", "/trainers", "/training")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'rollout.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        programme = load_dataset_committed(engine, DEMO_DATASET)
        passwords = reset_demo_accounts(engine)
        engine.dispose()
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URL": url}, instance_path=folder)
        client = app.test_client()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text).group(1)
        signed_in = client.post("/login", data={"email": READER, "password": passwords[READER], "csrf_token": token})
        assert signed_in.status_code == 302, signed_in.text
        print(f"{'page':<40} {'computed':>10} {'cached':>10}")
        for page in PAGES:
            path = f"/programmes/{programme.id}/dashboard{page}"
            computed, cached = [], []
            for _ in range(runs):
                with app.app_context():
                    views.shared_cache.store.clear()
                computed.append(_timed(client, path))
                cached.append(_timed(client, path))
            print(f"{path:<40} {statistics.median(computed) * 1000:>8.0f} ms {statistics.median(cached) * 1000:>8.0f} ms")
        get_engine(app).dispose()


def _timed(client, path: str) -> float:
    start = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (path, response.status_code)
    return elapsed


if __name__ == "__main__":
    main()
