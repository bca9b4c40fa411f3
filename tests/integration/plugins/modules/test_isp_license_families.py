# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every product family through isp_license, ansible-playbook against the sandbox, both paths.

Each new product of the catalog goes through order (four ways), rename,
auto-renewal, suspend, resume, renew (where its tariff allows), tariff change
(within its family) and delete, each change four ways where it applies.  The
family's own API functions must be the ones called: the sandbox's soft
functions do not see platform or softexternal licenses.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from license_playbook import Play

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import FAMILIES, PRODUCTS

# product, the product a tariff change goes to (same family), renewable
CASES = [
    ('vmmanager6', 'dcimanager6', True),
    ('dcimanager6', 'vmmanager6', True),
    ('cloudlinux', 'softaculous', True),
    ('softaculous', 'kernelcare', True),
    ('kernelcare', 'cloudlinux', True),
    ('ispmanager6_trial', 'ispmanager6_lite', False),
]


def identity(product, name):
    """Where the license is: platform licenses have no IP and are named by their comment."""
    args = dict(licname=name, product=product)
    if FAMILIES[PRODUCTS[product].family].ip_bound:
        args['ip'] = '198.51.100.20'
    return args


def fn(product, operation):
    return FAMILIES[PRODUCTS[product].family].functions[operation]


# The module path (a module process per task) for one product of each new family: the path does
# not depend on the product, and each case costs half a minute there.
PATHS = [(case, False) for case in CASES] + [(case, True) for case in CASES if case[0] in ('vmmanager6', 'cloudlinux')]


@pytest.mark.parametrize('case, module_path', PATHS,
                         ids=['%s-%s' % (case[0], ('controller', 'module')[on_module]) for case, on_module in PATHS])
def test_a_product_through_its_whole_life(sandbox, tmp_path, case, module_path):
    product, other, renewable = case
    sandbox.set_config(processing_seconds=0.2)
    play = Play(sandbox, tmp_path, module_path=module_path)
    play.four_ways(**identity(product, 'srv1'))
    renamed = identity(product, 'srv1')
    renamed['licname'] = 'srv1-renamed'
    moved = dict(licname='srv1-renamed', product=other)
    play.task('find for rename', register='found', module='ispsystem.billmanager.isp_license_info',
              licname='srv1', product=product)
    play.task('rename', id='{{ found.licenses[0].id }}', **renamed)
    play.task('rename again', id='{{ found.licenses[0].id }}', **renamed)
    name_only = dict(licname='srv1-renamed', product=product)
    play.task('autoprolong', autoprolong=12, **name_only)
    play.task('autoprolong again', autoprolong=12, **name_only)
    play.task('suspend', state='suspended', **name_only)
    play.task('suspend again', state='suspended', **name_only)
    play.task('resume', **name_only)
    play.task('renew', renew_within_days=400, **name_only)
    play.task('tariff refused', **moved)
    play.task('tariff check', check=True, allow_tariff_change=True, **moved)
    play.task('tariff', allow_tariff_change=True, **moved)
    play.task('tariff again', allow_tariff_change=True, **moved)
    play.task('delete check', check=True, state='absent', licname='srv1-renamed', product=other)
    play.task('delete', state='absent', licname='srv1-renamed', product=other)
    play.task('delete again', state='absent', licname='srv1-renamed', product=other)
    play.run()

    change = play.assert_four_ways(['order'], [fn(product, 'order')])
    family = PRODUCTS[product].family
    lic = change['license']
    assert (lic['family'], lic['product'], lic['licname'], lic['status']) == (family, product, 'srv1', 'active')
    assert lic['ip'] == identity(product, 'srv1').get('ip') and lic['key']
    assert change['catalog']['family'] == family
    order = play.calls('change')[[e['func'] for e in play.calls('change')].index(fn(product, 'order'))]
    if family == 'platform':
        assert order['params']['comment'] == 'srv1' and 'ip' not in order['params']
    if product == 'ispmanager6_trial':
        assert order['params']['period'] == '-100'  # a trial-only product is ordered as a trial
    # only the family's own list is read when the product names it
    assert set(play.funcs('again')) == {FAMILIES[family].functions['list'], fn(product, 'read')}

    assert play['rename']['actions'] == ['edit'] and play.writes('rename') == [fn(product, 'edit')]
    assert play['rename']['license']['licname'] == 'srv1-renamed'
    assert play.funcs('rename again') == [fn(product, 'read')]  # by id: one read, no listing
    assert play['rename again']['changed'] is False

    assert play['autoprolong']['actions'] == ['edit'] and play['autoprolong']['license']['autoprolong'] == 12
    assert [e['params'].get('autoprolong') for e in play.calls('autoprolong') if e['params'].get('sok')] == ['12']
    assert play['autoprolong again']['changed'] is False

    assert play['suspend']['actions'] == ['suspend'] and play.writes('suspend') == [fn(product, 'suspend')]
    assert play['suspend again']['changed'] is False
    assert play['resume']['actions'] == ['resume'] and play['resume']['license']['status'] == 'active'

    if renewable:
        assert play['renew']['actions'] == ['renew'] and play.writes('renew') == ['service.prolong']
        assert play['renew']['license']['expiredate'] > lic['expiredate']
    else:
        # a trial cannot be renewed: the billing refuses, in its own words, and nothing else is sent
        assert play['renew']['failed'] and 'trial' in play['renew']['msg'].lower()
        assert play.writes('renew') == ['service.prolong']

    refused = play['tariff refused']
    assert refused['failed'] and 'allow_tariff_change' in refused['msg'] and play.writes('tariff refused') == []
    assert play['tariff check']['actions'] == ['tariff'] and play.writes('tariff check') == []
    assert play['tariff']['actions'] == ['tariff'] and play.writes('tariff') == ['service.changepricelist']
    assert play['tariff']['license']['product'] == other
    assert play['tariff']['license']['pricelist'] == PRODUCTS[other].pricelist
    assert play['tariff check']['license']['pricelist'] == play['tariff']['license']['pricelist']
    assert play['tariff again']['changed'] is False and play.writes('tariff again') == []

    assert play['delete check']['actions'] == ['delete'] and play.writes('delete check') == []
    assert play['delete']['actions'] == ['delete'] and play.writes('delete') == [fn(product, 'delete')]
    assert play['delete again']['changed'] is False and play.writes('delete again') == []
