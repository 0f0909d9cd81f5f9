"""Call queue benchmark (`python -m bench.call_queue`).

Workload: the prospects benchmark's user (bench/prospects.py): 25,000 prospects in a funnel's
stages, a third of them new, follow-ups spread over two months around today, eight lead
sources. Measures in-process, median and fastest of repeated runs, beside `/healthz` through
the same test client in the same run (the ratio says how many health checks one card costs):

- the next card (`calls.queries.next_card`: the queue's order and the card's facts), the
  server's share of what a phone waits for between two calls (budget 30 ms);
- the queue page `/call/` through the test client (the whole middleware stack and template);
- an outcome and the card after it, as the "No answer" button does it (`record_outcome`, then
  `next_card`), on a session that grows by one dial each run;

with the query count of each, which must not grow with the number of prospects
(tests/calls count them for 60 against 600).

Every database is created fresh under MAINTHING_DATA_DIR: SQLite always, and PostgreSQL when a
URL is given (`--postgres URL` or MAINTHING_BENCH_POSTGRES_URL).
"""

from __future__ import annotations

import json
import statistics
import sys

from bench import common

BUDGETS = {"next_card": 30.0}


def _timed(func, runs: int) -> dict:
    samples = common.samples_ms(func, runs=runs, warmup=2)
    return {"median_ms": statistics.median(samples), "min_ms": min(samples)}


def measure(database_url: str, *, runs: int) -> dict:
    common.setup_server(database_url)
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from bench.prospects import make_workload
    from mainthing.calls import queries, services
    from mainthing.prospects.models import Prospect

    work = make_workload("calls-bench@mainthing.local")
    user = work["user"]
    client = Client()
    client.force_login(user)
    now = timezone.now()

    def get(path: str):
        def fetch():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return fetch

    def next_card():
        card = queries.next_card(user, now=now)
        assert card is not None
        return card

    def outcome_then_next():
        card = next_card()
        services.record_outcome(user, card.item.prospect, "no-answer", now=now)
        return next_card()

    results = {
        "prospects": Prospect.objects.filter(user=user).count(),
        "healthz": {
            **_timed(get("/healthz"), runs),
            "queries": common.queries_run(get("/healthz")),
        },
        "next_card": {**_timed(next_card, runs), "queries": common.queries_run(next_card)},
    }
    try:
        page = reverse("calls:queue")
    except NoReverseMatch:
        page = None
    if page:
        results["queue_page"] = {
            **_timed(get(page), runs),
            "queries": common.queries_run(get(page)),
        }
    results["outcome_then_next"] = {
        **_timed(outcome_then_next, runs),
        "queries": common.queries_run(outcome_then_next),
    }
    return results


ROWS = (
    ("/healthz (baseline, same client)", "healthz"),
    ("next card (queue order + card facts)", "next_card"),
    ("/call/ page (whole request)", "queue_page"),
    ("outcome (no answer) + next card", "outcome_then_next"),
)


def report(results: dict, runs: int) -> list[str]:
    """The printed table: each figure beside /healthz of the same run, as a ratio."""
    lines = []
    for db, figures in results.items():
        base = figures["healthz"]["median_ms"]
        lines.append(f"\nCall queue on {db}: {figures['prospects']:,} prospects, median of {runs}")
        lines.append(
            f"{'measure':40} {'median':>9} {'fastest':>9} {'queries':>7} {'x healthz':>9} "
            f"{'budget':>8}  verdict"
        )
        for label, key in ROWS:
            if key not in figures:
                lines.append(f"{label:40} (no such page in this build)")
                continue
            figure = figures[key]
            budget = BUDGETS.get(key)
            verdict = common.verdict(figure["median_ms"], budget) if budget else ""
            limit = f"{budget:.0f} ms" if budget else ""
            ratio = figure["median_ms"] / base if base else float("nan")
            lines.append(
                f"{label:40} {figure['median_ms']:>6.1f} ms {figure['min_ms']:>6.1f} ms "
                f"{figure['queries']:>7} {ratio:>8.1f}x {limit:>8}  {verdict}"
            )
    return lines


def main() -> int:
    args = common.database_arguments(__doc__, runs_help="repetitions (default 30)").parse_args()
    results = common.measure_on_databases(
        args, module="bench.call_queue", name="call-queue", measure=measure
    )
    if results is None:
        return 0
    print("\n".join(report(results, args.runs)))
    (common.data_dir() / "call-queue-results.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
