# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The retry policy: what is tried again, how often, after which pauses (time.sleep patched)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.ispsystem.billmanager.plugins.module_utils import _retry
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import BillmanagerError


@pytest.fixture
def slept(monkeypatch):
    """time.sleep replaced: the pauses the policy asks for, in order."""
    pauses = []
    monkeypatch.setattr(_retry.time, 'sleep', pauses.append)
    return pauses


def error(kind, status=None, cut_short=False, never_sent=False):
    exc = BillmanagerError('soft', kind, 'failed', status=status)
    exc.cut_short, exc.never_sent = cut_short, never_sent
    return exc


def script(*outcomes):
    """A send() that raises or returns each outcome in turn; counts its calls."""
    outcomes = list(outcomes)
    calls = []

    def send():
        calls.append(1)
        outcome = outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome
    return send, calls


@pytest.mark.parametrize('failure, transient', [
    (error('connection'), True), (error('timeout'), True), (error('http', 502), True), (error('http', 503), True),
    (error('format', cut_short=True), True),
    (error('http', 404), False), (error('http', 403), False), (error('format'), False), (error('tls'), False),
    (error('auth'), False), (error('billing'), False),
])
def test_which_failures_are_transient(failure, transient):
    assert _retry.transient(failure) is transient
    assert failure.retryable is transient  # the error's own property asks the policy


def test_a_read_is_tried_again_after_pauses_until_it_succeeds(slept):
    send, calls = script(error('connection'), error('timeout'), error('http', 503), {'elem': []})
    assert _retry.with_retries(send, write=False, retries=3) == {'elem': []}
    assert len(calls) == 4 and len(slept) == 3


def test_the_tries_stop_at_retries_and_the_error_says_how_many(slept):
    clock = iter([100.0, 107.5]).__next__
    send, calls = script(*[error('http', 503)] * 3)
    with pytest.raises(BillmanagerError) as info:
        _retry.with_retries(send, write=False, retries=2, clock=clock)
    assert len(calls) == 3 and len(slept) == 2
    assert info.value.attempts == 3 and info.value.elapsed == 7.5


@pytest.mark.parametrize('failure', [error('http', 404), error('billing'), error('auth'), error('tls'), error('format')])
def test_an_answer_that_says_no_is_final_at_once(slept, failure):
    send, calls = script(failure)
    with pytest.raises(BillmanagerError) as info:
        _retry.with_retries(send, write=False, retries=3)
    assert len(calls) == 1 and slept == [] and info.value.attempts == 1


@pytest.mark.parametrize('failure, ambiguous', [
    (error('timeout'), True), (error('connection'), True), (error('http', 502), True),
    (error('format', cut_short=True), True), (error('format'), True),
    (error('connection', never_sent=True), False), (error('timeout', never_sent=True), False),
    (error('http', 400), False), (error('http', 404), False), (error('tls'), False), (error('billing'), False),
    (error('auth'), False),
])
def test_a_write_is_sent_once_and_flagged_when_it_may_have_happened(slept, failure, ambiguous):
    send, calls = script(failure, {})
    with pytest.raises(BillmanagerError) as info:
        _retry.with_retries(send, write=True, retries=3)
    assert len(calls) == 1 and slept == []
    assert info.value.ambiguous is ambiguous and info.value.attempts == 1


def test_retries_zero_means_one_try(slept):
    send, calls = script(error('connection'))
    with pytest.raises(BillmanagerError):
        _retry.with_retries(send, write=False, retries=0)
    assert len(calls) == 1 and slept == []


@pytest.mark.parametrize('retries', [0, 1, 3, 8])
def test_pauses_are_full_jitter_above_a_floor(retries):
    bounds = [min(_retry.PAUSE_CAP, _retry.PAUSE_BASE * 2 ** n) for n in range(retries)]
    seen = [_retry.pauses(retries) for dummy in range(300)]
    for pauses in seen:
        assert len(pauses) == retries
        # the bound itself too on ansible-core 2.16, whose helper draws with randint (inclusive)
        assert all(_retry.PAUSE_FLOOR <= pause <= _retry.PAUSE_FLOOR + bound for pause, bound in zip(pauses, bounds))
    if retries:
        # jitter: parallel tasks do not retry in lockstep; and the pauses grow
        assert len(set(pauses[0] for pauses in seen)) > 1
        assert max(pauses[-1] for pauses in seen) >= _retry.PAUSE_FLOOR + bounds[-1] - 1


def test_the_pauses_come_from_ansibles_backoff_helper(monkeypatch, slept):
    asked = []

    def backoff(retries, delay_base, delay_threshold):
        asked.append((retries, delay_base, delay_threshold))
        return iter([1, 3])
    monkeypatch.setattr(_retry, 'generate_jittered_backoff', backoff)
    send, calls = script(error('connection'), error('connection'), 'ok')
    assert _retry.with_retries(send, write=False, retries=2) == 'ok'
    assert asked == [(2, _retry.PAUSE_BASE, _retry.PAUSE_CAP)]
    assert slept == [1.5, 3.5]


def test_an_injected_sleep_replaces_time_sleep(slept):
    mine = []
    send, calls = script(error('connection'), 'ok')
    assert _retry.with_retries(send, write=False, retries=1, sleep=mine.append) == 'ok'
    assert len(mine) == 1 and slept == []
