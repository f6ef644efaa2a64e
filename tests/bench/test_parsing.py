"""What the harness reads: wrk's report line, /proc's VmRSS, the login form, page paths."""

import json

import pytest

from bench import client, load, pages, server


def _wrk_output(**overrides):
    raw = {
        "duration_us": 10_000_000,
        "requests": 2500,
        "bytes": 2500 * 20_480,
        "connect_errors": 0,
        "read_errors": 1,
        "write_errors": 0,
        "status_errors": 2,
        "timeouts": 3,
        "p50_us": 4_500,
        "p95_us": 12_250,
        "p99_us": 30_000,
        "max_us": 81_000,
        "mean_us": 6000.5,
    } | overrides
    return "Running 10s test @ http://x\n  2 threads and 16 connections\nWRK_JSON " + json.dumps(
        raw
    )


def test_wrk_report_becomes_figures():
    result = load.parse_report("http://x/", _wrk_output())
    assert result.rps == pytest.approx(250.0)
    assert result.p50_ms == pytest.approx(4.5)
    assert result.p95_ms == pytest.approx(12.25)
    assert result.errors == 6 and result.timeouts == 3 and result.status_errors == 2
    assert result.bytes_per_response == pytest.approx(20_480)
    assert result.as_dict()["rps"] == pytest.approx(250.0)


def test_wrk_report_with_no_completed_request_has_no_latency():
    result = load.parse_report(
        "http://x/", _wrk_output(requests=0, bytes=0, p50_us=-1, p95_us=-1, p99_us=-1, max_us=-1)
    )
    assert result.rps == 0.0
    assert result.p95_ms is None and result.bytes_per_response is None


def test_wrk_output_without_the_report_line_is_an_error():
    with pytest.raises(RuntimeError, match="no report"):
        load.parse_report("http://x/", "unable to connect to 127.0.0.1:1 Connection refused")


def test_vmrss_is_read_in_mebibytes():
    status = "Name:\tgunicorn\nVmPeak:\t  400000 kB\nVmRSS:\t  153600 kB\nThreads:\t1\n"
    assert server.parse_vmrss_mb(status) == pytest.approx(150.0)
    assert server.parse_vmrss_mb("Name:\tkthreadd\n") is None


def test_csrf_token_is_found_whatever_the_attribute_order():
    assert client.csrf_token(b'<input id="csrf_token" name="csrf_token" value="abc.def">') == (
        "abc.def"
    )
    assert client.csrf_token(b'<input type="hidden" value="xyz" name="csrf_token">') == "xyz"
    with pytest.raises(RuntimeError):
        client.csrf_token(b"<form></form>")


def test_page_paths_are_filled_from_the_ids_or_skipped():
    assert pages.placeholders("/sessions/{session_id}") == ["session_id"]
    assert pages.resolve("/sessions/{session_id}", {"session_id": 42}) == "/sessions/42"
    assert pages.resolve("/sessions/{session_id}", {"session_id": None}) is None
    assert pages.resolve("/admin/jobs", {}) == "/admin/jobs"


def test_every_page_names_a_known_role_and_placeholder():
    assert len({p.name for p in pages.PAGES}) == len(pages.PAGES)
    for page in pages.PAGES:
        assert page.role in pages.ROLES
        assert set(pages.placeholders(page.path)) <= set(pages.IDS)
