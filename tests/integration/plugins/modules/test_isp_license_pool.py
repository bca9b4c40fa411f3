# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The license pool through ansible-playbook against the sandbox: park, reuse, order only when empty."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import threading

import pytest

from license_playbook import Play

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import PRODUCTS
from ansible_collections.ispsystem.billmanager.plugins.module_utils._record import PARKING_IP, PARKING_NAME

PRO = PRODUCTS['ispmanager6_pro'].pricelist
LITE = PRODUCTS['ispmanager6_lite'].pricelist


def in_days(days):
    return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


def park(sandbox, pricelist=PRO, days=100, status=3):
    return sandbox.add_license(licname=PARKING_NAME, ip=PARKING_IP, pricelist=pricelist, status=status,
                               expiredate=in_days(days))


def orders(play, name):
    return [f for f in play.writes(name) if f.endswith('.order.param')]


@pytest.mark.parametrize('module_path', [False, True], ids=['controller', 'module'])
def test_park_by_licname_four_ways(sandbox, tmp_path, module_path):
    lic = sandbox.add_license(licname='old-host', ip='198.51.100.30', pricelist=PRO, status=2, expiredate=in_days(200))
    play = Play(sandbox, tmp_path, module_path=module_path)
    play.four_ways(licname='old-host', state='parked')
    play.task('parked only by id', id=lic['id'], state='parked')
    play.run()
    change = play.assert_four_ways(['suspend', 'park'], ['soft.suspend', 'soft.edit'])
    assert (change['license']['ip'], change['license']['licname']) == (PARKING_IP, PARKING_NAME)
    assert change['license']['parked'] is True and change['license']['status'] == 'suspended'
    assert change['license']['expiredate'] == in_days(200)  # the paid time is kept
    # once parked, the licname no longer names it: "again" finds nothing, and parks nothing
    assert play['again']['license'] is None
    assert play['parked only by id']['changed'] is False and play['parked only by id']['license']['parked']


def test_state_parked_refuses_a_platform_product_before_any_call(sandbox, tmp_path):
    play = Play(sandbox, tmp_path)
    play.task('platform', licname='cluster', product='vmmanager6', state='parked')
    play.task('reuse with id', id=5, reuse_parked=True)
    play.task('reuse absent', licname='x', reuse_parked=True, state='absent')
    play.run()
    assert 'state: parked does not apply' in play['platform']['msg']
    assert 'does not go with id' in play['reuse with id']['msg']
    assert 'goes with state=present only' in play['reuse absent']['msg']
    for name in ('platform', 'reuse with id', 'reuse absent'):
        assert play[name]['failed'] and play.funcs(name) == []


@pytest.mark.parametrize('module_path', [False, True], ids=['controller', 'module'])
def test_reuse_into_a_new_host_sends_no_order_and_prefers_the_most_paid_time(sandbox, tmp_path, module_path):
    short = park(sandbox, days=20)
    long_ = park(sandbox, days=300)
    park(sandbox, pricelist=LITE, days=900)  # another tariff: never taken for PRO
    play = Play(sandbox, tmp_path, module_path=module_path)
    play.four_ways(licname='new-host', ip='198.51.100.31', product='ispmanager6_pro', reuse_parked=True)
    play.run()
    change = play.assert_four_ways(['reuse', 'resume'], ['soft.edit', 'soft.resume'])
    assert change['license']['id'] == long_['id'] == play['check']['license']['id']  # check mode predicts it
    assert orders(play, 'change') == [] and change['license']['status'] == 'active'
    assert (change['license']['ip'], change['license']['licname']) == ('198.51.100.31', 'new-host')
    assert change['license']['expiredate'] == in_days(300)
    assert [lic['ip'] for lic in sandbox.licenses() if lic['id'] == short['id']] == [PARKING_IP]


def test_reuse_of_a_lapsed_license_renews_it(sandbox, tmp_path):
    lapsed = park(sandbox, days=-3)
    play = Play(sandbox, tmp_path)
    play.four_ways(licname='new-host', ip='198.51.100.32', product='ispmanager6_pro', reuse_parked=True, period=12)
    play.run()
    change = play.assert_four_ways(['reuse', 'resume', 'renew'], ['soft.edit', 'soft.resume', 'service.prolong'])
    assert change['license']['id'] == lapsed['id'] and change['license']['expiredate'] > in_days(300)


def test_an_empty_pool_orders(sandbox, tmp_path):
    play = Play(sandbox, tmp_path)
    play.four_ways(licname='new-host', ip='198.51.100.33', product='ispmanager6_pro', reuse_parked=True)
    play.run()
    play.assert_four_ways(['order'], ['soft.order.param'])


def test_two_concurrent_reuses_take_two_different_licenses(sandbox, tmp_path):
    first, second = park(sandbox, days=100), park(sandbox, days=50)
    sandbox.add_delay('soft.edit', seconds=1.0, times=2)  # both runs read their pick at the same time
    plays = [Play(sandbox, tmp_path / name) for name in ('a', 'b')]
    for play, (name, ip) in zip(plays, (('host-a', '198.51.100.34'), ('host-b', '198.51.100.35'))):
        (tmp_path / name.split('-')[1]).mkdir()
        play.task('reuse', licname=name, ip=ip, product='ispmanager6_pro', reuse_parked=True)
    threads = [threading.Thread(target=play.run) for play in plays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    taken = sorted(play['reuse']['license']['id'] for play in plays)
    assert not any(play['reuse'].get('failed') for play in plays), [play['reuse'] for play in plays]
    assert taken == sorted([first['id'], second['id']])
    assert not any(orders(play, 'reuse') for play in plays)
