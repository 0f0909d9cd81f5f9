"""The call queue benchmark's report sets each figure beside /healthz of the same run.

No timings here: benchmarks run with `make bench`.
"""

from bench.call_queue import report


def test_report_gives_each_figure_as_a_ratio_of_healthz_and_judges_the_budget():
    figure = {"median_ms": 0.0, "min_ms": 0.0, "queries": 0}
    results = {
        "sqlite": {
            "prospects": 25_000,
            "healthz": {**figure, "median_ms": 2.0, "min_ms": 1.5, "queries": 3},
            "next_card": {**figure, "median_ms": 12.0, "min_ms": 10.0, "queries": 9},
            "outcome_then_next": {**figure, "median_ms": 40.0, "min_ms": 30.0, "queries": 29},
        }
    }

    lines = report(results, runs=30)

    assert "Call queue on sqlite: 25,000 prospects, median of 30" in lines[0]
    card = next(line for line in lines if line.startswith("next card"))
    assert "6.0x" in card
    assert card.endswith("PASS")
    assert any("/call/ page" in line and "no such page" in line for line in lines)
    over = report({"pg": {**results["sqlite"], "next_card": {**figure, "median_ms": 31.0}}}, 5)
    assert next(line for line in over if line.startswith("next card")).endswith("OVER")
