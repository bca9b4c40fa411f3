# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""isp_license: bad input fails before any API call; billing refusals fail in the billing's words."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from license_playbook import Play

LITE = 55227

# task name -> (options, words the message must hold)
BEFORE_ANY_CALL = {
    'invalid IPv4': (dict(ip='192.0.2.300', product='ispmanager6_lite'),
                     ["ip: '192.0.2.300' is not a valid IPv4 or IPv6 address"]),
    'invalid IPv6': (dict(ip='2001:db8::g1', product='ispmanager6_lite'),
                     ["ip: '2001:db8::g1' is not a valid"]),
    'IPv6 with a zone id': (dict(ip='fe80::1%eth0', product='ispmanager6_lite'),
                            ["ip: 'fe80::1%eth0' has a zone id", 'give the address alone']),
    'product and pricelist together': (dict(ip='192.0.2.1', product='ispmanager6_lite', pricelist=LITE),
                                       ['mutually exclusive', 'product', 'pricelist']),
    'period 3': (dict(ip='192.0.2.1', product='ispmanager6_lite', period=3), ['period', '1, 12']),
    'autoprolong 6': (dict(ip='192.0.2.1', product='ispmanager6_lite', autoprolong=6), ['autoprolong']),
    'nodes -1': (dict(ip='192.0.2.1', product='ispmanager_business', nodes=-1), ['nodes: -1 is negative']),
    'nodes on billmanager': (dict(ip='192.0.2.1', product='billmanager', nodes=2),
                             ["nodes: product 'billmanager' has no node addon"]),
    'nodes on a raw pricelist': (dict(ip='192.0.2.1', pricelist=999, nodes=2), ['addons']),
    'negative addon amount': (dict(ip='192.0.2.1', pricelist=999, addons={'1000': -1}), ['negative']),
    'no identity': (dict(product='ispmanager6_lite'), ['one of the following is required', 'licname']),
    'unknown state': (dict(ip='192.0.2.1', state='stopped'), ['state']),
    'empty licname': (dict(licname='', ip='192.0.2.1', product='ispmanager6_lite'), ['licname']),
    'negative renew_within_days': (dict(ip='192.0.2.1', renew_within_days=-1), ['renew_within_days']),
}

# task name -> (options, words the message must hold): these need the list to know the license is missing
AFTER_THE_LIST = {
    'order without ip': (dict(licname='fresh', product='ispmanager6_lite'),
                         ["no license matches licname='fresh'", 'give ip and product or pricelist']),
    'order without tariff': (dict(ip='192.0.2.5'), ["no license matches ip='192.0.2.5'", 'product']),
    'suspend a missing license': (dict(licname='fresh', state='suspended'),
                                  ["no license matches licname='fresh'", 'state=suspended']),
    'a missing id': (dict(id=4242, ip='192.0.2.5', product='ispmanager6_lite'), ['no license has id=4242']),
    'another tariff on the license': (dict(licname='present', product='billmanager'),
                                      ['pricelist 55227', 'charges the difference', 'allow_tariff_change']),
}

# The calls of the AFTER_THE_LIST tasks: a task with id reads that license with its family's .edit,
# no listing; with a product only its family's list is read, without one every family's.
CALLS = {
    'order without ip': ['soft'],
    'order without tariff': ['soft', 'platform', 'softexternal'],
    'suspend a missing license': ['soft', 'platform', 'softexternal'],
    'a missing id': ['soft.edit'],  # its product is soft: that family's read only
    'another tariff on the license': ['soft', 'soft.edit'],
}


def run_bad_inputs(sandbox, tmp_path, names, module_path=False, check_too=True):
    sandbox.add_license(licname='present', ip='192.0.2.4', pricelist=LITE)
    play = Play(sandbox, tmp_path, module_path=module_path)
    before = [name for name in names if name in BEFORE_ANY_CALL]
    after = [name for name in names if name in AFTER_THE_LIST]
    for name in before:
        play.task(name, **BEFORE_ANY_CALL[name][0])
        if check_too:
            play.task(name + ', check mode', check=True, **BEFORE_ANY_CALL[name][0])
    for name in after:
        play.task(name, **AFTER_THE_LIST[name][0])
    play.run()
    for name in before:
        for task in (name, name + ', check mode') if check_too else (name,):
            result = play[task]
            assert result.get('failed') and not result.get('changed'), (task, result)
            for word in BEFORE_ANY_CALL[name][1]:
                assert word in result['msg'], (task, word, result['msg'])
            assert play.calls(task) == [], (task, play.funcs(task))
    for name in after:
        result = play[name]
        assert result.get('failed') and result['changed'] is False, (name, result)
        for word in AFTER_THE_LIST[name][1]:
            assert word in result['msg'], (name, word, result['msg'])
        assert play.writes(name) == [], (name, play.funcs(name))
        assert play.funcs(name) == CALLS[name], (name, play.funcs(name))
    assert len(sandbox.licenses()) == 1


def test_bad_input_fails_before_any_api_call(sandbox, tmp_path):
    run_bad_inputs(sandbox, tmp_path, sorted(BEFORE_ANY_CALL) + sorted(AFTER_THE_LIST))


def test_bad_input_fails_before_any_api_call_in_the_module(sandbox, tmp_path):
    """The module validates with AnsibleModule, the controller path with ArgumentSpecValidator."""
    run_bad_inputs(sandbox, tmp_path, ['invalid IPv4', 'product and pricelist together', 'period 3',
                                       'no identity', 'nodes on billmanager', 'order without tariff'],
                   module_path=True, check_too=False)


@pytest.mark.parametrize('module_path', [False, True], ids=['controller', 'module'])
def test_billing_refusals_fail_with_the_billing_message(sandbox, tmp_path, module_path):
    taken = sandbox.add_license(licname='first', ip='192.0.2.30', pricelist=LITE)
    other = sandbox.add_license(licname='other', ip='192.0.2.33', pricelist=LITE)
    play = Play(sandbox, tmp_path, module_path=module_path)
    play.task('the IP holds that product', licname='second', ip='192.0.2.30', product='ispmanager6_lite')
    play.task('unknown tariff', ip='192.0.2.31', pricelist=999)
    play.task('move onto an IP that holds that product', id=other['id'], ip='192.0.2.30')
    play.run()
    sandbox.set_config(balances={sandbox.username: 5})
    poor = Play(sandbox, tmp_path, module_path=module_path)
    poor.task('balance too low', ip='192.0.2.32', product='ispmanager6_lite')
    poor.task('renewal with too low a balance', licname='first', renew_within_days=400)
    poor.run()

    # An order is asked about first (soft.checkip, read-only): where the IP check refuses, nothing is
    # ordered and the message says so; the other refusals come from the write itself.
    refusals = (
        (play, 'the IP holds that product', 'soft.checkip', 'exists',
         'A license of this type for IP 192.0.2.30 already exists'),
        (play, 'unknown tariff', 'soft.checkip', 'value', 'Tariff plan 999 not found'),
        (play, 'move onto an IP that holds that product', 'soft.edit', 'exists',
         'A license of this type for IP 192.0.2.30 already exists'),
        (poor, 'balance too low', 'soft.order.param', 'balance', 'Insufficient funds'),
        (poor, 'renewal with too low a balance', 'service.prolong', 'balance', 'Insufficient funds'),
    )
    for run, name, func, err_type, message in refusals:
        result = run[name]
        assert result.get('failed') and result['changed'] is False, (name, result)
        assert message in result['msg'], (name, result['msg'])
        error = result['api_error']
        assert error['function'] == func and error['type'] == err_type and error['kind'] == 'billing', error
        assert error['ambiguous'] is False
        if func == 'soft.checkip':
            ip = '192.0.2.30' if name == 'the IP holds that product' else '192.0.2.31'
            assert result['msg'].startswith('%s cannot take a license of ' % ip), (name, result['msg'])
            assert result['msg'].endswith('Nothing was ordered'), (name, result['msg'])
            assert run.writes(name) == [], (name, run.funcs(name))
            assert run.funcs(name)[-1] == 'soft.checkip', (name, run.funcs(name))
        else:
            assert func in result['msg'], (name, result['msg'])
            assert run.writes(name) == [func], (name, run.funcs(name))
    expected = [(taken['id'], '192.0.2.30'), (other['id'], '192.0.2.33')]
    assert [(lic['id'], lic['ip']) for lic in sandbox.licenses()] == expected
    assert sandbox.license(taken['id'])['expiredate'] == taken['expiredate']
    assert sandbox.config()['users'][sandbox.username]['balance'] == 5
