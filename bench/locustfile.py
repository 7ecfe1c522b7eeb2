"""The users of `bench.web_load`: readers on the dashboards and lists, writers editing milestones
and importing small usage files, through the pages a person uses (login form, CSRF tokens).

Locust runs this file (`locust -f bench/locustfile.py`); `bench.web_load` writes the plan it
reads (`ROLLOUT_LOAD_PLAN`, a JSON file: accounts, the programme, the pages, each writer's
schools). Each writer has schools of its own, so two writers never edit the same milestone:
a 409 would be the product working, but it would be counted as an error here.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from datetime import date, timedelta

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["ROLLOUT_LOAD_PLAN"], encoding="utf-8").read())
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CONFIRM = re.compile(r'<form method="post" action="([^"]*/confirm)"')
VERSION = re.compile(r'name="version" type="hidden" value="(\d+)"')
STATUS = re.compile(r'<option selected value="([a-z_]+)">')
WRITER_NUMBERS = itertools.count()


def token(page: str) -> str:
    found = CSRF.search(page)
    if found is None:
        raise ValueError("no CSRF token on the page")
    return found.group(1)


class SignedIn(HttpUser):
    abstract = True
    account = ""

    def on_start(self) -> None:
        page = self.client.get("/login", name="login form").text
        with self.client.post("/login", data={"email": PLAN[self.account]["email"], "password": PLAN[self.account]["password"],
                                              "csrf_token": token(page)},
                              allow_redirects=False, name="sign in", catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")


class Reader(SignedIn):
    """A stakeholder reading the dashboards (every filter a reader uses) and the lists: a page,
    then the time to read it (`ROLLOUT_LOAD_READ_SECONDS`, "5-15" by default) before the next."""

    fixed_count = PLAN["readers"]
    account = "reader"
    wait_time = between(*PLAN["read_seconds"])

    @task(4)
    def dashboard(self) -> None:
        name, path = random.choice(PLAN["dashboard_pages"])
        self.client.get(path, name=name)

    @task(1)
    def listing(self) -> None:
        name, path = random.choice(PLAN["list_pages"])
        self.client.get(path, name=name)


class Writer(SignedIn):
    """A project manager editing the note of a milestone and importing a small usage file, on
    schools no other writer touches, with `PLAN["write_seconds"]` between two changes."""

    fixed_count = PLAN["writers"]
    account = "writer"
    wait_time = between(*PLAN["write_seconds"])

    def on_start(self) -> None:
        super().on_start()
        self.schools = PLAN["writer_schools"][next(WRITER_NUMBERS) % PLAN["writers"]]
        self.programme = PLAN["programme_id"]

    @task(3)
    def edit_milestone(self) -> None:
        uai = random.choice(self.schools)
        kind = random.choice(PLAN["hand_kinds"])
        path = f"/programmes/{self.programme}/progress/{uai}/{kind}"
        page = self.client.get(path, name="milestone form").text
        version, status = VERSION.search(page), STATUS.search(page)
        if version is None or status is None:
            return
        actual = re.search(r'name="actual_on" type="date" value="([0-9-]*)"', page)
        data = {"csrf_token": token(page), "version": version.group(1), "status": status.group(1),
                "actual_on": actual.group(1) if actual else "", "note": f"charge {random.randrange(10**6)}"}
        with self.client.post(path, data=data, allow_redirects=False, name="milestone save", catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"milestone save answered {response.status_code}")

    @task(1)
    def import_usage(self) -> None:
        """A week of one service's visits for the writer's schools: preview, then confirm."""
        monday = date.fromisoformat(PLAN["usage_week"]) - timedelta(weeks=random.randrange(20))
        lines = ["date;uai;service;profile;visits;period"]
        lines += [f"{monday.isoformat()};{uai};Messagerie;National_ENS;{random.randrange(50, 500)};week" for uai in self.schools]
        path = f"/programmes/{self.programme}/usage/import"
        form = self.client.get(path, name="usage import form").text
        preview = self.client.post(path, data={"csrf_token": token(form)}, name="usage import preview",
                                   files={"file": ("semaine.csv", "\n".join(lines).encode(), "text/csv")})
        confirm = CONFIRM.search(preview.text)
        if confirm is None:
            return  # nothing would change (the same counts drawn again)
        with self.client.post(confirm.group(1), data={"csrf_token": token(preview.text)}, allow_redirects=False,
                              name="usage import confirm", catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"import confirm answered {response.status_code}")
