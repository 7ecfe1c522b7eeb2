"""The cost of the dashboards' cache key: `rollout.cache.data_version`, read at every dashboard
request, against an audit trail of `--events` rows on PostgreSQL.

    python -m bench.data_version --postgres URL [--events N] [--runs N]

The demo's reference data (no history) is loaded into a scratch database on the server URL names,
then N audit events are written in the demo's district, one in ten a sign-in (a security event,
no district), as years of edits and sign-ins leave them. Prints the query's median time through
SQLAlchemy (a round trip included) and PostgreSQL's plan for it.
"""

from __future__ import annotations

import argparse
import statistics
import time

import sqlalchemy as sa
from sqlmodel import Session

from bench.scratch import scratch_postgres
from rollout.cache import data_version
from rollout.cli import DEMO_DATASET, load_dataset_committed
from rollout.db import make_engine, upgrade
from rollout.models import Programme

EVENTS = sa.text("""
    INSERT INTO auditevent (at, actor, channel, district_id, entity, entity_id, action, changes)
    SELECT now(), 'bench', 'form', CASE WHEN g % 10 = 0 THEN NULL ELSE :district END, 'milestone', g::text,
           CASE WHEN g % 10 = 0 THEN 'sign_in' ELSE 'update' END, '{}'
    FROM generate_series(1, :events) AS g
""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, help="a server URL whose user may create databases")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    arguments = parser.parse_args()
    with scratch_postgres(arguments.postgres) as url:
        engine = make_engine(url)
        upgrade(engine)
        programme_id = load_dataset_committed(engine, DEMO_DATASET, with_history=False).id
        with Session(engine) as session:
            programme = session.get(Programme, programme_id)
            session.execute(EVENTS, {"district": programme.district_id, "events": arguments.events})
            session.commit()
            session.execute(sa.text("ANALYZE auditevent"))
            times = []
            for _ in range(arguments.runs):
                start = time.perf_counter()
                data_version(session, programme)
                times.append(time.perf_counter() - start)
            print(f"{arguments.events} audit events: data_version median {statistics.median(times) * 1000:.2f} ms")
            changes = sa.text("EXPLAIN ANALYZE SELECT max(id) FROM auditevent WHERE district_id = :district "
                              "AND action IN ('create', 'update', 'delete')")
            for (line,) in session.execute(changes, {"district": programme.district_id}):
                print(line)
        engine.dispose()


if __name__ == "__main__":
    main()
