"""The insights benchmark's report sets each figure beside /healthz and the previous run, and
judges the year page by its time and its query count, the CLI by its ratio to a bare set-up.

No timings here: benchmarks run with `make bench`.
"""

from bench.insights import ROWS, report


def _results(*, year_ms: float = 120.0, year_queries: int = 20, report_ms: float = 300.0):
    figure = {"median_ms": 10.0, "min_ms": 9.0, "cpu_ms": 9.5, "queries": 8}
    inprocess = {key: dict(figure) for _, key in ROWS}
    inprocess["healthz"] = {**figure, "median_ms": 2.0, "queries": 3}
    inprocess["year_page"] = {
        **figure,
        "median_ms": year_ms,
        "queries": year_queries,
        "html_bytes": 300 * 1024,
        "html_gzip_bytes": 28 * 1024,
    }
    inprocess["year_days"] = 340
    data = {
        "entries": 1_000_000, "day_totals": 51_202, "day_counters": "counted here",
        "prospects": 25_000, "appointments": 12_000, "dials": 5_220, "income": 2_323,
        "spend": 2_346, "callbacks": 365,
    }  # fmt: skip
    cli = {
        "bare_setup": {"median_ms": 250.0, "min_ms": 240.0},
        "report_week_json": {"median_ms": report_ms, "min_ms": report_ms},
    }
    return {"databases": {"sqlite": {"data": data, "inprocess": inprocess, "cli": cli}}}


def _line(lines: list[str], start: str) -> str:
    return next(line for line in lines if line.startswith(start))


def test_report_sets_figures_beside_healthz_and_the_previous_run_and_passes_within_budget():
    previous = _results(year_ms=240.0)

    lines, ok = report(_results(), previous, runs=20)

    assert ok
    year = _line(lines, "/insights/?range=year")
    assert "60.0x" in year  # 120 ms over /healthz's 2 ms
    assert "240.0 ms  0.50x" in year
    assert year.endswith("PASS")
    assert "300 kB of HTML (28 kB gzipped), 340 days" in _line(lines, "year page:")
    assert _line(lines, "mainthing report --week --json").endswith("1.20")
    assert _line(lines, "goal: within 1.5").endswith("PASS")


def test_report_fails_the_year_page_on_too_many_queries_even_when_fast():
    lines, ok = report(_results(year_ms=50.0, year_queries=26), {}, runs=20)

    assert not ok
    assert _line(lines, "/insights/?range=year").endswith("OVER")


def test_report_fails_a_report_week_slower_than_one_and_a_half_bare_set_ups():
    lines, ok = report(_results(report_ms=400.0), {}, runs=20)

    assert not ok
    assert _line(lines, "goal: within 1.5").endswith("OVER")
