from __future__ import annotations

from bot.throttling import TokenBuckets


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_rate() -> None:
    time = FakeTime()
    buckets = TokenBuckets(rate=2.0, burst=3, now=time)
    assert [buckets.take(1) for _ in range(4)] == [True, True, True, False]
    assert buckets.take(2)  # users do not share a bucket
    time.now += 0.5  # one token back at 2 per second
    assert buckets.take(1)
    assert not buckets.take(1)
    time.now += 10
    assert [buckets.take(1) for _ in range(4)] == [True, True, True, False]  # capped at burst


def test_one_warning_per_run_of_refusals() -> None:
    time = FakeTime()
    buckets = TokenBuckets(rate=1.0, burst=1, now=time)
    assert buckets.take(7)
    assert not buckets.take(7)
    assert buckets.first_refusal(7)
    assert not buckets.take(7)
    assert not buckets.first_refusal(7)
    time.now += 1
    assert buckets.take(7)
    assert not buckets.take(7)
    assert buckets.first_refusal(7)  # a new run warns again


def test_idle_users_are_forgotten() -> None:
    time = FakeTime()
    buckets = TokenBuckets(rate=1.0, burst=2, now=time)
    buckets.take(1)
    buckets.take(2)
    buckets.take(2)
    time.now += 1.5  # user 1 is full again; user 2 is not yet
    buckets.forget_idle()
    assert set(buckets._buckets) == {2}
