# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What tasks on one controller share: the run's listing in shards, locks, unresolved orders."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import time

import pytest

from ansible_collections.ispsystem.billmanager.plugins.module_utils import _run_state

PARAMS = dict(api_url='https://billing.example.com/billmgr', api_username='reseller', listing_max_age=60)


@pytest.fixture
def state(tmp_path, monkeypatch):
    folder = tmp_path / 'state'
    monkeypatch.setenv('BILLMANAGER_STATE_DIR', str(folder))
    return folder


def record(ident, licname, ip):
    return dict(id=ident, licname=licname, ip=ip, key=None)


def test_a_task_reads_the_shard_of_its_name_or_ip_only(state):
    shared = _run_state.SharedListing(PARAMS, 'run-1', ('soft',))
    records = [record(n, 'host%d' % n, '10.0.%d.%d' % (n // 250, n % 250)) for n in range(2000)]
    shared.put(records, 3)
    by_name, unreadable = shared.get('n:host7')
    assert unreadable == 3 and 7 in [r['id'] for r in by_name] and len(by_name) < 200
    by_ip = shared.get('i:10.0.0.9')[0]
    assert 9 in [r['id'] for r in by_ip] and len(by_ip) < 200
    # another run, or another account, never sees this listing
    assert _run_state.SharedListing(PARAMS, 'run-2', ('soft',)).get('n:host7') is None
    assert _run_state.SharedListing(dict(PARAMS, api_username='other'), 'run-1', ('soft',)).get('n:host7') is None
    assert oct(os.stat(str(state)).st_mode & 0o777) == '0o700'


@pytest.mark.parametrize('ip, key', [
    ('10.0.0.9', 'i:10.0.0.9'),
    ('255.255.255.255', 'i:255.255.255.255'),
    ('0:0::1', 'i:::1'),  # IPv6 as ipaddress writes it
    ('2001:DB8::1', 'i:2001:db8::1'),
    ('10.0.0.9\n', 'i:10.0.0.9\n'),
    ('256.0.0.1', 'i:256.0.0.1'),
])
def test_a_record_is_keyed_by_its_ip_written_one_way(ip, key):
    assert _run_state.listing_keys(record(1, None, ip)) == [key]


def test_a_listing_older_than_listing_max_age_is_not_used(state):
    now = [1000.0]
    shared = _run_state.SharedListing(dict(PARAMS, listing_max_age=5), 'run-1', ('soft',), clock=lambda: now[0])
    shared.put([record(1, 'a', '10.0.0.1')], 0)
    assert shared.get('n:a') is not None
    now[0] += 6
    assert shared.get('n:a') is None


def test_no_run_id_or_max_age_0_shares_nothing(state):
    assert not _run_state.SharedListing(PARAMS, None, ('soft',)).enabled
    assert not _run_state.SharedListing(dict(PARAMS, listing_max_age=0), 'run-1', ('soft',)).enabled


def test_a_folder_open_to_others_is_not_used(tmp_path, monkeypatch):
    folder = tmp_path / 'open'
    folder.mkdir(mode=0o777)
    os.chmod(str(folder), 0o777)
    monkeypatch.setenv('BILLMANAGER_STATE_DIR', str(folder))
    assert _run_state.state_dir() is None


def test_a_license_lock_is_exclusive_and_old_lock_files_are_removed(state):
    first = _run_state.license_lock(PARAMS, 'soft licname=web1')
    second = _run_state.FileLock(os.path.basename(first.path)[len('lock-'):], timeout=0.2)
    assert first.acquire() and not second.acquire()
    first.release()
    assert second.acquire()
    second.release()
    old = time.time() - 2 * _run_state.STALE_SECONDS
    os.utime(first.path, (old, old))
    _run_state.SharedListing(PARAMS, 'run-1', ('soft',)).put([], 0)  # the writer cleans up
    assert not os.path.exists(first.path)


def test_pending_orders_expire(state):
    now = [1000.0]
    pending = _run_state.PendingOrders(PARAMS, clock=lambda: now[0])
    pending.add('soft licname=web1', [1, 2])
    assert pending.find('soft licname=web1')['known_ids'] == [1, 2]
    now[0] += _run_state.PENDING_HOURS * 3600 + 1
    assert pending.find('soft licname=web1') is None
