# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a converge costs, and what a shared listing may never hide, through ansible-playbook.

The tasks of one run share the account listing on the controller; only which
license a task means comes from it, the state always from a fresh read, and
an order always from a fresh listing.  Two runs at once never send the same
write twice (the per-license lock).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import threading

import pytest

from license_playbook import Play

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import PRODUCTS

PRO = PRODUCTS['ispmanager6_pro'].pricelist
HOSTS = 6


def in_days(days):
    return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


def seed(sandbox, count=HOSTS):
    return [sandbox.add_license(licname='host%d' % n, ip='198.51.100.%d' % (40 + n), pricelist=PRO, status=2,
                                expiredate=in_days(200)) for n in range(count)]


def patch(sandbox, lic_id, **fields):
    """A task that changes a license behind the run's back, through the sandbox's control API."""
    return dict(url='%s/sandbox/licenses/%s' % (sandbox.base, lic_id), method='PATCH', body_format='json',
                body=fields)


def test_a_no_change_run_lists_once_and_reads_each_license(sandbox, tmp_path):
    licenses = seed(sandbox)
    play = Play(sandbox, tmp_path)
    for n in range(HOSTS):
        play.task('host%d' % n, licname='host%d' % n, ip='198.51.100.%d' % (40 + n), product='ispmanager6_pro')
    play.task('by id', id=licenses[0]['id'])
    play.run()
    for n in range(HOSTS):
        assert play['host%d' % n]['changed'] is False, play['host%d' % n]
    # the first task lists the family of the product; every other one reads its license only
    assert play.funcs('host0') == ['soft', 'soft.edit']
    for n in range(1, HOSTS):
        assert play.funcs('host%d' % n) == ['soft.edit']
    assert play.funcs('by id') == ['soft.edit']


def test_listing_max_age_0_lists_for_every_task(sandbox, tmp_path):
    seed(sandbox, 2)
    play = Play(sandbox, tmp_path)
    for n in range(2):
        play.task('host%d' % n, licname='host%d' % n, product='ispmanager6_pro', listing_max_age=0)
    play.run()
    assert play.funcs('host0') == play.funcs('host1') == ['soft', 'soft.edit']


def test_a_license_changed_behind_the_runs_back_is_still_handled_right(sandbox, tmp_path):
    lics = seed(sandbox, 4)
    play = Play(sandbox, tmp_path)
    play.task('list once', licname='host0', product='ispmanager6_pro')
    play.task('move 1', module='ansible.builtin.uri', **patch(sandbox, lics[1]['id'], ip='198.51.100.99'))
    play.task('suspend 2', module='ansible.builtin.uri', **patch(sandbox, lics[2]['id'], status=3))
    play.task('delete 3', module='ansible.builtin.uri', **patch(sandbox, lics[3]['id'], status=4))
    play.task('host1', licname='host1', ip='198.51.100.41', product='ispmanager6_pro')
    play.task('host2', licname='host2', product='ispmanager6_pro')
    play.task('host3', licname='host3', ip='198.51.100.43', product='ispmanager6_pro')
    play.run()
    assert play.funcs('list once') == ['soft', 'soft.edit']
    # moved: the fresh read shows the new IP, and the license is moved back
    assert play['host1']['actions'] == ['edit'] and play['host1']['license']['ip'] == '198.51.100.41'
    # suspended: the fresh read shows it, and it is resumed
    assert play['host2']['actions'] == ['resume'] and play['host2']['license']['status'] == 'active'
    # deleted: the shared listing still names it; the read says deleted, a fresh listing agrees: ordered anew
    assert play['host3']['actions'] == ['order'] and play['host3']['license']['id'] != lics[3]['id']
    assert play.funcs('host3')[:4] == ['soft.edit', 'soft', 'soft.checkip', 'soft.order.param']


def test_an_order_never_trusts_the_shared_listing(sandbox, tmp_path):
    seed(sandbox, 1)
    play = Play(sandbox, tmp_path)
    play.task('list once', licname='host0', product='ispmanager6_pro')
    play.task('created elsewhere', module='ansible.builtin.uri', url='%s/sandbox/licenses' % sandbox.base,
              method='POST', body_format='json', status_code=[200, 201],
              body=dict(licname='late', ip='198.51.100.60', pricelist=PRO, status=2))
    play.task('late', licname='late', ip='198.51.100.60', product='ispmanager6_pro')
    play.run()
    # the shared listing had no 'late'; before ordering, a fresh listing finds it: no order
    assert play['late']['changed'] is False and play['late']['actions'] == []
    assert play.writes('late') == [] and play.funcs('late') == ['soft', 'soft.edit']


def _concurrently(plays):
    threads = [threading.Thread(target=play.run) for play in plays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not any(thread.is_alive() for thread in threads)


@pytest.mark.parametrize('what', ['renewal', 'order'])
def test_two_runs_at_once_send_one_write(sandbox, tmp_path, what):
    if what == 'renewal':
        sandbox.add_license(licname='shared', ip='198.51.100.70', pricelist=PRO, status=2, expiredate=in_days(5))
        args = dict(licname='shared', product='ispmanager6_pro', renew_within_days=10)
        # both runs read the license inside the same second: without the lock both would renew
        sandbox.add_delay('soft.edit', seconds=1.5, times=2)
        write = 'service.prolong'
    else:
        args = dict(licname='shared', ip='198.51.100.71', product='ispmanager6_pro')
        sandbox.add_delay('soft', seconds=1.5, times=2)
        write = 'soft.order.param'
    plays = []
    for name in ('a', 'b'):
        (tmp_path / name).mkdir()
        plays.append(Play(sandbox, tmp_path / name).task('ensure', **args))
    _concurrently(plays)
    sent = [entry for entry in sandbox.log() if entry['func'] == write]
    assert len(sent) == 1, sent
    results = [play['ensure'] for play in plays]
    assert not any(r.get('failed') for r in results), results
    assert sorted(r['changed'] for r in results) == [False, True]


def test_two_tasks_of_one_run_moving_one_license_are_told(sandbox, tmp_path):
    sandbox.add_license(licname='twin', ip='198.51.100.75', pricelist=PRO, status=2)
    play = Play(sandbox, tmp_path)
    play.task('host a', licname='twin', ip='198.51.100.76', product='ispmanager6_pro')
    play.task('host b', licname='twin', ip='198.51.100.77', product='ispmanager6_pro')
    play.run()
    assert play['host a']['actions'] == ['edit'] and not play['host a'].get('warnings')
    assert play['host b']['actions'] == ['edit']
    assert any('by another task of this run' in w for w in play['host b']['warnings']), play['host b']
