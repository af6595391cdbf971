"""`pb loadtest` itself: a small run against a real gevent server must count every phone."""

from __future__ import annotations

from pb.loadtest import main, report


def test_a_small_load_test_joins_scores_and_sees_every_tally() -> None:
    figures = main(None, None, None, participants=12, window=1.0, connect_rate=50.0,
                   record=False)
    assert figures["joined"] == 12 and figures["votes_acked"] == 12
    assert figures["errors"] == {}
    assert figures["seen_never"] == 0  # every phone saw a tally holding every vote
    assert figures["rss_held_mib"] > 0  # the server was sampled
    assert figures["client_lag_p99"] >= 0  # and the load generator's own event loop
    assert "vote ack p50 / p95 / p99" in report(figures)
