"""The web bench's pure parts: reading wrk's output and the shares of hello's requests/s.

No timings here: benchmarks run with `make bench`.
"""

import pytest

from bench import web

# What wrk prints with bench/web.py's Lua script: its own summary, then done()'s line.
WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:41235/prospects/
  1 threads and 20 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   312.58ms   80.11ms 600.02ms   71.20%
    Req/Sec    64.10     12.35    90.00     70.00%
  318 requests in 5.01s, 7.52MB read
  Non-2xx or 3xx responses: 2
Requests/sec:     63.47
Transfer/sec:      1.50MB
BENCH-JSON {"requests": 318, "duration_us": 5010000, "p50_us": 311250, "p99_us": 598000, \
"not_200": 2, "socket_errors": 1}
"""


def test_parse_wrk_reads_the_summary_line():
    assert web.parse_wrk(WRK_OUTPUT) == {
        "requests": 318,
        "per_second": pytest.approx(63.473, abs=0.001),
        "p50_ms": 311.25,
        "p99_ms": 598.0,
        "errors": 3,
    }


def test_parse_wrk_without_the_script_line_says_so():
    with pytest.raises(ValueError, match="no summary line"):
        web.parse_wrk(WRK_OUTPUT.split("BENCH-JSON")[0])


def test_wrk_script_prints_the_line_parse_wrk_reads():
    script = web.WRK_SCRIPT % {"cookie": '"sessionid=abc"', "mark": web.JSON_MARK}
    assert 'wrk.headers["Cookie"] = "sessionid=abc"' in script
    assert '\'BENCH-JSON {"requests": %d' in script


def test_shares_are_each_pages_requests_per_second_over_hellos():
    figures = {
        "hello": {"per_second": 1200.0, "errors": 0},
        "Today": {"per_second": 66.0, "errors": 0},
        "Prospects": {"per_second": 54.0, "errors": 1},
    }
    shared = web.with_shares(figures)
    assert [(page, f["share"], web.verdict(f)) for page, f in shared.items()] == [
        ("hello", 1.0, "PASS"),
        ("Today", 0.055, "PASS"),
        ("Prospects", 0.045, "OVER"),
    ]


def test_a_page_with_errors_misses_the_goal_whatever_its_share():
    assert web.verdict({"share": 0.5, "errors": 1}) == "OVER"


def test_best_of_rounds_keeps_the_fastest_round_and_every_error():
    rounds = [
        {"per_second": 50.0, "p50_ms": 30.0, "errors": 1},
        {"per_second": 70.0, "p50_ms": 20.0, "errors": 0},
    ]
    assert web.best_of(rounds) == {"per_second": 70.0, "p50_ms": 20.0, "errors": 1}


def test_percentile_of_samples():
    samples = [float(n) for n in range(1, 101)]
    assert (web.percentile(samples, 0.5), web.percentile(samples, 0.99)) == (51.0, 100.0)
    assert web.percentile([], 0.5) == 0.0
