# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The modules against every shape the real API may answer in: paged lists, a status column,
localized dates (sandbox settings), through ansible-playbook, both paths.

A list the collection cannot prove complete must never make a license look missing: that is
how a duplicate order happens.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

import pytest

from license_playbook import Play

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import PRODUCTS

PRO = PRODUCTS['ispmanager6_pro'].pricelist
SHAPES = {
    'paged': dict(page_size=2),
    'status column': dict(status_column=True),
    'english dates': dict(localized_dates='english'),
    'dotted dates': dict(localized_dates='dotted'),
    'all at once': dict(page_size=3, status_column=True, localized_dates='english'),
}


def in_days(days):
    return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


@pytest.mark.parametrize('module_path', [False, True], ids=['controller', 'module'])
@pytest.mark.parametrize('shape', sorted(SHAPES))
def test_every_module_reads_the_whole_account_in_this_shape(sandbox, tmp_path, shape, module_path):
    for n in range(7):  # more than two pages of any page size above
        sandbox.add_license(licname='web%d' % n, ip='198.51.100.%d' % (80 + n), pricelist=PRO,
                            status=3 if n == 6 else 2, expiredate=in_days(10 * n + 1))
    sandbox.set_shapes(**SHAPES[shape])
    play = Play(sandbox, tmp_path, module_path=module_path)
    play.task('all', module='ispsystem.billmanager.isp_license_info')
    play.task('expiring', module='ispsystem.billmanager.isp_license_info', expiring_within_days=25)
    play.task('last one, no change', licname='web6', state='suspended')
    play.four_ways(licname='web7', ip='198.51.100.99', product='ispmanager6_pro')
    play.run()
    everything = play['all']['licenses']
    assert [lic['licname'] for lic in everything] == ['web%d' % n for n in range(7)], everything
    assert [lic['status'] for lic in everything] == ['active'] * 6 + ['suspended']
    assert [lic['expiredate'] for lic in everything] == [in_days(10 * n + 1) for n in range(7)]
    assert not play['all'].get('warnings')
    assert [lic['licname'] for lic in play['expiring']['licenses']] == ['web0', 'web1', 'web2']
    # the last license sits on the last page: found, so nothing is sent
    assert play['last one, no change']['changed'] is False
    play.assert_four_ways(['order'], ['soft.order.param'])
    if 'page_size' in SHAPES[shape]:
        pages = [entry for entry in play.calls('all') if entry['func'] == 'soft']
        assert len(pages) == -(-7 // SHAPES[shape]['page_size'])  # every page, no more


def test_a_date_the_collection_cannot_read_is_returned_with_a_warning(sandbox, tmp_path):
    lic = sandbox.add_license(licname='odd', ip='198.51.100.90', pricelist=PRO, status=2)
    sandbox.patch_license(lic['id'], expiredate='someday')
    play = Play(sandbox, tmp_path)
    play.task('all', module='ispsystem.billmanager.isp_license_info')
    play.task('expiring', module='ispsystem.billmanager.isp_license_info', expiring_within_days=30)
    play.run()
    [record] = play['all']['licenses']
    assert record['licname'] == 'odd' and record['expiredate'] is None
    assert any('cannot read' in w for w in play['all']['warnings'])
    assert play['expiring']['licenses'] == []
    assert any('could not be judged' in w for w in play['expiring']['warnings'])
