# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""isp_license through ansible-playbook against the sandbox: each change four ways.

Every case runs in ONE playbook: the task in check mode, the change, the same
task again (idempotent: no write reaches the sandbox), and check mode after
the change.  ``Play`` slices the sandbox's request log per task.

License IPs are from the documentation ranges (RFC 5737, RFC 3849): they are
only strings in the billing system, nothing connects to them.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

import pytest

from license_playbook import Play

from ansible_collections.ispsystem.billmanager.plugins.module_utils._record import add_months

LITE = 55227  # ispmanager6_lite


def in_days(days):
    return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


@pytest.mark.parametrize('module_path', [False, True], ids=['controller', 'module'])
def test_order_returns_the_key_after_waiting(sandbox, tmp_path, module_path):
    sandbox.set_config(processing_seconds=0.3)
    play = Play(sandbox, tmp_path, module_path=module_path)
    play.four_ways(ip='192.0.2.10', product='ispmanager6_lite', autoprolong=1).run()
    change = play.assert_four_ways(['order'], ['soft.order.param'])

    [lic] = sandbox.licenses()
    assert change['license'] == dict(
        id=lic['id'], licname='192.0.2.10', ip='192.0.2.10', pricelist=LITE, product='ispmanager6_lite',
        status='active', expiredate=add_months(datetime.date.today(), 1).isoformat(), autoprolong=1,
        key=lic['lickey'], family='soft', addons={}, parked=False)
    assert len(lic['lickey']) == 32
    assert change['catalog']['product'] == 'ispmanager6_lite' and change['catalog']['pricelist'] == LITE
    assert change['catalog']['family'] == 'soft'
    checkip, order = play.calls('change')[1:3]
    assert checkip['func'] == 'soft.checkip' and checkip['params']['ip'] == '192.0.2.10'
    assert checkip['params']['pricelist'] == str(LITE)
    assert order['func'] == 'soft.order.param'
    assert order['params']['skipbasket'] == 'on' and order['params']['licname'] == '192.0.2.10'
    assert order['params']['autoprolong'] == '1'
    # the soft list (product given: that family only), the IP check, the order, then soft.edit
    # reads until the key is there
    assert play.funcs('change')[:3] == ['soft', 'soft.checkip', 'soft.order.param']
    assert set(play.funcs('change')[3:]) == {'soft.edit'}
    # no change: the list and one read (the run's shared listing predates the order: listed afresh)
    assert play.funcs('again') == ['soft', 'soft.edit']
    # the controller path shares the run's listing (which now shows the license): one read; a module
    # process knows no run, so it lists
    assert play.funcs('check again') == (['soft', 'soft.edit'] if module_path else ['soft.edit'])
    # check mode asks the IP check too (read-only), nothing more
    assert play.funcs('check') == ['soft', 'soft.checkip']
    assert play['check']['license']['id'] is None
    # diff: nothing before, the license after, its key masked
    assert change['diff']['before'] == {}
    assert change['diff']['after'] == dict(change['license'], key='********')
    assert lic['lickey'] not in str(change['diff'])
    assert play['again']['license'] == change['license']


def test_order_with_nodes_sends_the_node_addon(sandbox, tmp_path):
    play = Play(sandbox, tmp_path).four_ways(ip='192.0.2.11', licname='biz1', product='ispmanager_business',
                                             nodes=3, period=12)
    play.run()
    change = play.assert_four_ways(['order'], ['soft.order.param'])
    [order] = [entry for entry in play.calls('change') if entry['func'] == 'soft.order.param']
    assert order['params']['addon_4602'] == '3'
    assert order['params']['period'] == '12' and order['params']['pricelist'] == '4601'
    [lic] = sandbox.licenses()
    assert lic['addons'] == {'4602': 3} and lic['licname'] == 'biz1'
    assert change['license']['expiredate'] == add_months(datetime.date.today(), 12).isoformat()


def test_order_with_spaces_around_licname_stays_idempotent(sandbox, tmp_path):
    """The billing system stores the name trimmed; the module must compare it trimmed too."""
    play = Play(sandbox, tmp_path).four_ways(ip='192.0.2.15', licname=' web15 ', product='ispmanager6_lite')
    play.run()
    change = play.assert_four_ways(['order'], ['soft.order.param'])
    assert change['license']['licname'] == 'web15' == sandbox.licenses()[0]['licname']


def test_order_without_waiting_returns_before_the_key(sandbox, tmp_path):
    sandbox.set_config(processing_seconds=30)
    play = Play(sandbox, tmp_path).task('order', ip='192.0.2.12', product='dnsmanager', wait=False)
    play.run()
    result = play['order']
    assert result['changed'] is True and result['license']['status'] == 'processing'
    assert result['license']['key'] is None
    assert play.funcs('order') == ['soft', 'soft.checkip', 'soft.order.param', 'soft.edit']


def test_order_that_outlasts_wait_timeout_fails_but_reports_the_order(sandbox, tmp_path):
    sandbox.set_config(processing_seconds=60)
    play = Play(sandbox, tmp_path)
    play.task('order', ip='192.0.2.14', product='dnsmanager', wait_timeout=1)
    play.task('again, without waiting', ip='192.0.2.14', product='dnsmanager', wait=False)
    play.run()
    result = play['order']
    assert result.get('failed') and 'wait_timeout=1' in result['msg'], result
    assert result['changed'] is True and result['actions'] == ['order']
    [lic] = sandbox.licenses()
    assert result['license']['id'] == lic['id'] and result['license']['status'] == 'processing'
    assert play.writes('order') == ['soft.order.param']
    again = play['again, without waiting']
    assert again['changed'] is False and again['license']['id'] == lic['id']
    assert play.writes('again, without waiting') == []


def test_change_ip_by_id(sandbox, tmp_path):
    lic = sandbox.add_license(licname='web1', ip='192.0.2.20', pricelist=LITE)
    play = Play(sandbox, tmp_path).four_ways(id=lic['id'], ip='192.0.2.21')
    play.run()
    change = play.assert_four_ways(['edit'], ['soft.edit'])
    edit = [entry for entry in play.calls('change') if entry['params'].get('sok') == 'ok']
    assert edit[0]['params']['ip'] == '192.0.2.21' and edit[0]['params']['licname'] == 'web1'
    assert sandbox.license(lic['id'])['ip'] == '192.0.2.21'
    assert change['diff']['before']['ip'] == '192.0.2.20'
    assert change['diff']['after']['ip'] == '192.0.2.21'
    assert change['license']['key'] == lic['lickey']
    # by id: no listing; the read, the edit, the read after it
    assert play.funcs('change') == ['soft.edit', 'soft.edit', 'soft.edit']


def test_change_ipv6_address_is_compared_in_canonical_form(sandbox, tmp_path):
    lic = sandbox.add_license(licname='v6', ip='2001:db8::1', pricelist=LITE)
    play = Play(sandbox, tmp_path)
    play.task('same address, other spelling', id=lic['id'], ip='2001:DB8:0:0::1')
    play.task('new address', id=lic['id'], ip='2001:db8::2')
    play.run()
    assert play['same address, other spelling']['changed'] is False
    assert play.writes('same address, other spelling') == []
    assert play['new address']['actions'] == ['edit']
    assert sandbox.license(lic['id'])['ip'] == '2001:db8::2'


def test_rename_by_id(sandbox, tmp_path):
    lic = sandbox.add_license(licname='old-name', ip='192.0.2.30', pricelist=LITE)
    play = Play(sandbox, tmp_path).four_ways(id=lic['id'], licname='new-name')
    play.run()
    change = play.assert_four_ways(['edit'], ['soft.edit'])
    assert sandbox.license(lic['id'])['licname'] == 'new-name'
    assert change['diff']['before']['licname'] == 'old-name'
    assert change['diff']['after']['licname'] == 'new-name'


def test_move_found_by_licname(sandbox, tmp_path):
    """licname finds the license, ip is then its desired IP."""
    lic = sandbox.add_license(licname='mover', ip='192.0.2.31', pricelist=LITE)
    play = Play(sandbox, tmp_path).four_ways(licname='mover', ip='192.0.2.32', product='ispmanager6_lite')
    play.run()
    play.assert_four_ways(['edit'], ['soft.edit'])
    assert sandbox.license(lic['id'])['ip'] == '192.0.2.32'
    assert len(sandbox.licenses()) == 1


def test_rename_found_by_ip_needs_the_id(sandbox, tmp_path):
    """licname comes before ip in finding the license: a new name with the old IP is a new
    license to order, and the billing system refuses a second one of a tariff on one IP."""
    lic = sandbox.add_license(licname='192.0.2.33', ip='192.0.2.33', pricelist=LITE)
    play = Play(sandbox, tmp_path)
    play.task('rename by ip', ip='192.0.2.33', licname='web33', product='ispmanager6_lite')
    play.task('find by ip', ip='192.0.2.33', product='ispmanager6_lite', register='found')
    play.task('rename by the id found', id='{{ found.license.id }}', licname='web33')
    play.run()
    refused = play['rename by ip']
    assert refused['failed'] and 'already exists' in refused['msg']
    assert 'cannot take a license of' in refused['msg'] and 'Nothing was ordered' in refused['msg']
    assert refused['changed'] is False
    # the IP check refuses it before any order is sent
    assert play.funcs('rename by ip') == ['soft', 'soft.checkip']
    assert play['rename by the id found']['actions'] == ['edit']
    assert [(x['id'], x['licname']) for x in sandbox.licenses()] == [(lic['id'], 'web33')]


def test_several_changes_in_one_task(sandbox, tmp_path):
    end = in_days(3)
    lic = sandbox.add_license(licname='many', ip='192.0.2.35', pricelist=LITE, status=3, expiredate=end)
    play = Play(sandbox, tmp_path).four_ways(id=lic['id'], licname='many2', ip='192.0.2.36', renew_within_days=5)
    play.run()
    change = play.assert_four_ways(['edit', 'resume', 'renew'], ['soft.edit', 'soft.resume', 'service.prolong'])
    after = sandbox.license(lic['id'])
    assert (after['licname'], after['ip'], after['status']) == ('many2', '192.0.2.36', 2)
    assert after['expiredate'] == change['license']['expiredate']


def test_move_and_suspend_in_one_task(sandbox, tmp_path):
    lic = sandbox.add_license(licname='ms', ip='192.0.2.37', pricelist=LITE)
    play = Play(sandbox, tmp_path).four_ways(id=lic['id'], ip='192.0.2.38', state='suspended')
    play.run()
    play.assert_four_ways(['edit', 'suspend'], ['soft.edit', 'soft.suspend'])
    after = sandbox.license(lic['id'])
    assert (after['ip'], after['status']) == ('192.0.2.38', 3)


def test_suspend(sandbox, tmp_path):
    lic = sandbox.add_license(licname='sus', ip='192.0.2.40', pricelist=LITE)
    play = Play(sandbox, tmp_path)
    play.four_ways(licname='sus', state='suspended').run()
    change = play.assert_four_ways(['suspend'], ['soft.suspend'])
    assert sandbox.license(lic['id'])['status'] == 3
    assert change['license']['status'] == 'suspended' and change['license']['key'] == lic['lickey']
    # no product given: every family's list (check mode listed first, the run shares that listing);
    # the suspend is decided on a fresh read: the read, the write, the read after it
    assert play.funcs('check') == ['soft', 'platform', 'softexternal', 'soft.edit']
    assert play.funcs('change') == ['soft.edit', 'soft.suspend', 'soft.edit']
    assert play.funcs('again') == ['soft.edit']
    assert change['diff']['before']['status'] == 'active'
    assert change['diff']['after']['status'] == 'suspended'


def test_resume_a_suspended_license_with_state_present(sandbox, tmp_path):
    lic = sandbox.add_license(licname='res', ip='192.0.2.41', pricelist=LITE, status=3)
    play = Play(sandbox, tmp_path).four_ways(licname='res')
    play.run()
    change = play.assert_four_ways(['resume'], ['soft.resume'])
    assert sandbox.license(lic['id'])['status'] == 2
    assert change['license']['status'] == 'active'
    assert play.funcs('check') == ['soft', 'platform', 'softexternal', 'soft.edit']
    assert play.funcs('change') == ['soft.edit', 'soft.resume', 'soft.edit']  # the run's listing, a fresh read


def test_renew_inside_the_window(sandbox, tmp_path):
    end = in_days(10)
    lic = sandbox.add_license(licname='renew', ip='192.0.2.50', pricelist=LITE, expiredate=end)
    play = Play(sandbox, tmp_path).four_ways(licname='renew', renew_within_days=20)
    play.run()
    change = play.assert_four_ways(['renew'], ['service.prolong'])
    moved = add_months(datetime.date.fromisoformat(end), 1).isoformat()
    assert sandbox.license(lic['id'])['expiredate'] == moved
    assert change['license']['expiredate'] == moved
    assert play['check']['license']['expiredate'] == moved
    # the run's listing (from check mode), a fresh read, the renewal, the read after it
    assert play.funcs('change') == ['soft.edit', 'service.prolong', 'soft.edit']
    [prolong] = play.calls('change')[1:2]
    assert prolong['params']['period'] == '1' and prolong['params']['elid'] == str(lic['id'])
    assert change['diff']['before']['expiredate'] == end and change['diff']['after']['expiredate'] == moved


def test_renew_outside_the_window_sends_nothing(sandbox, tmp_path):
    end = in_days(60)
    lic = sandbox.add_license(licname='later', ip='192.0.2.51', pricelist=LITE, expiredate=end)
    play = Play(sandbox, tmp_path)
    play.task('outside', licname='later', renew_within_days=20)
    play.task('outside, check mode', licname='later', renew_within_days=20, check=True)
    play.run()
    # every family's list, then the run's shared listing: one read each
    calls = {'outside': ['soft', 'platform', 'softexternal', 'soft.edit'], 'outside, check mode': ['soft.edit']}
    for name in ('outside', 'outside, check mode'):
        assert play[name]['changed'] is False and play[name]['actions'] == []
        assert play.funcs(name) == calls[name], name
    assert sandbox.license(lic['id'])['expiredate'] == end


def test_renew_a_suspended_license_resumes_and_renews(sandbox, tmp_path):
    lic = sandbox.add_license(licname='lapsed', ip='192.0.2.52', pricelist=LITE, status=3, expiredate=in_days(-2))
    play = Play(sandbox, tmp_path).four_ways(licname='lapsed', renew_within_days=7)
    play.run()
    play.assert_four_ways(['resume', 'renew'], ['soft.resume', 'service.prolong'])
    after = sandbox.license(lic['id'])
    assert after['status'] == 2
    assert after['expiredate'] == add_months(datetime.date.fromisoformat(in_days(-2)), 1).isoformat()


def test_regenerate_key_always_changes(sandbox, tmp_path):
    lic = sandbox.add_license(licname='keyed', ip='192.0.2.60', pricelist=LITE)
    play = Play(sandbox, tmp_path).four_ways(licname='keyed', regenerate_key=True)
    play.run()
    keys = [lic['lickey']]
    for name in ('change', 'again'):
        result = play[name]
        assert result['changed'] is True and result['actions'] == ['newkey'], result
        assert play.writes(name) == ['soft.edit']
        keys.append(result['license']['key'])
        # the diff never shows a key, only that there is one
        assert result['diff']['before']['key'] == result['diff']['after']['key'] == '********'
        assert keys[-2] not in str(result['diff']) and keys[-1] not in str(result['diff'])
    assert len(set(keys)) == 3 and sandbox.license(lic['id'])['lickey'] == keys[-1]
    for name in ('check', 'check again'):
        assert play[name]['changed'] is True and play[name]['actions'] == ['newkey']
        assert play.writes(name) == []
        assert play.licenses(name) == play.licenses_before(name)
    newkey = [entry for entry in play.calls('change') if entry['params'].get('sok') == 'ok']
    assert newkey[0]['params']['clicked_button'] == 'newkey'


def test_delete(sandbox, tmp_path):
    lic = sandbox.add_license(licname='gone', ip='192.0.2.70', pricelist=LITE)
    play = Play(sandbox, tmp_path).four_ways(ip='192.0.2.70', product='ispmanager6_lite', state='absent')
    play.run()
    change = play.assert_four_ways(['delete'], ['soft.delete'])
    assert sandbox.license(lic['id'])['status'] == 4
    assert change['license']['id'] == lic['id'] and change['license']['status'] == 'deleted'
    # the delete is decided on a fresh read of the license (found in the run's listing of check mode)
    assert play.funcs('check') == ['soft', 'soft.edit']
    assert play.funcs('change') == ['soft.edit', 'soft.delete']
    # the shared listing still shows it: the read says deleted, so the list is read afresh
    assert play.funcs('again') == ['soft.edit', 'soft']
    assert play.funcs('check again') == ['soft']
    assert play['again']['license'] is None
    assert change['diff']['before']['status'] == 'active'


def test_delete_a_missing_license_changes_nothing(sandbox, tmp_path):
    sandbox.add_license(licname='other', ip='192.0.2.71', pricelist=LITE)
    play = Play(sandbox, tmp_path)
    play.task('absent', licname='never-was', state='absent')
    play.task('absent, check mode', licname='never-was', state='absent', check=True)
    play.task('absent by ip and other tariff', ip='192.0.2.71', product='billmanager', state='absent')
    play.run()
    # by licname alone every family may hold it: each family's list; with a product only its family's
    lists = {'absent': ['soft', 'platform', 'softexternal'],
             'absent, check mode': ['soft', 'platform', 'softexternal'],
             'absent by ip and other tariff': ['soft']}
    for name in play.names:
        assert play[name]['changed'] is False and play[name]['actions'] == [], play[name]
        assert play.funcs(name) == lists[name], name
        assert play[name]['license'] is None
    assert [x['status'] for x in sandbox.licenses()] == [2]


def test_identity_by_id_licname_and_ip(sandbox, tmp_path):
    alpha = sandbox.add_license(licname='alpha', ip='192.0.2.80', pricelist=LITE)
    beta = sandbox.add_license(licname='beta', ip='192.0.2.81', pricelist=LITE)
    gamma = sandbox.add_license(licname='gamma', ip='192.0.2.81', pricelist=5577)
    v6 = sandbox.add_license(licname='v6', ip='2001:db8::80', pricelist=LITE)
    sandbox.add_license(licname='alpha', ip='192.0.2.82', pricelist=LITE, status=4)  # deleted: never matches
    play = Play(sandbox, tmp_path)
    play.task('by id', id=gamma['id'])
    play.task('by licname', licname='alpha')
    play.task('by ip', ip='192.0.2.80')
    play.task('by ip and product', ip='192.0.2.81', product='billmanager')
    play.task('by ip and pricelist', ip='192.0.2.81', pricelist=LITE)
    play.task('by ipv6 in another spelling', ip='2001:DB8:0::80')
    play.task('by IPv4-mapped IPv6', ip='::ffff:192.0.2.80')  # is the IPv4 address
    play.task('id wins over licname', id=beta['id'], licname='beta')
    play.run()
    expected = {'by id': gamma, 'by licname': alpha, 'by ip': alpha, 'by ip and product': gamma,
                'by ip and pricelist': beta, 'by ipv6 in another spelling': v6, 'id wins over licname': beta,
                'by IPv4-mapped IPv6': alpha}
    # an id: one read, no listing.  The first task without a product lists every family, the first
    # with one its family's list only; the later ones share the run's listing of that set of families
    # (a raw pricelist names no family: the listing of every family): one read each.
    calls = dict((name, ['soft.edit']) for name in expected)
    calls['by licname'] = ['soft', 'platform', 'softexternal', 'soft.edit']
    calls['by ip and product'] = ['soft', 'soft.edit']
    for name, lic in expected.items():
        result = play[name]
        assert not result.get('failed') and result['changed'] is False, (name, result)
        assert result['license']['id'] == lic['id'] and result['license']['key'] == lic['lickey'], name
        assert play.funcs(name) == calls[name], name
    assert play['by id']['license']['product'] == 'billmanager'


def test_ambiguous_identity_fails_listing_the_ids(sandbox, tmp_path):
    one = sandbox.add_license(licname='twin', ip='192.0.2.90', pricelist=LITE)
    two = sandbox.add_license(licname='twin', ip='192.0.2.91', pricelist=LITE)
    lite = sandbox.add_license(licname='a', ip='192.0.2.92', pricelist=LITE)
    bill = sandbox.add_license(licname='b', ip='192.0.2.92', pricelist=5577)
    play = Play(sandbox, tmp_path)
    play.task('same licname', licname='twin', state='absent')
    play.task('same ip, no tariff given', ip='192.0.2.92')
    play.task('same licname, check mode', licname='twin', check=True)
    play.run()
    for name, ids in (('same licname', [one['id'], two['id']]),
                      ('same ip, no tariff given', [lite['id'], bill['id']]),
                      ('same licname, check mode', [one['id'], two['id']])):
        result = play[name]
        assert result['failed'] and result['changed'] is False, result
        assert result['ids'] == ids
        assert 'ids %s, %s' % tuple(ids) in result['msg'], result['msg']
        # every family's list first, then the run's shared listing: no call
        assert play.funcs(name) == (['soft', 'platform', 'softexternal'] if name == 'same licname' else []), name
    assert [x['status'] for x in sandbox.licenses()] == [2, 2, 2, 2]


def test_diff_only_in_diff_mode(sandbox, tmp_path):
    lic = sandbox.add_license(licname='nodiff', ip='192.0.2.95', pricelist=LITE)
    play = Play(sandbox, tmp_path)
    play.task('without diff', id=lic['id'], licname='nodiff2', diff=False)
    play.task('with diff', id=lic['id'], licname='nodiff3', diff=True)
    play.run()
    assert 'diff' not in play['without diff']
    diff = play['with diff']['diff']
    assert diff['before']['licname'] == 'nodiff2' and diff['after']['licname'] == 'nodiff3'
    assert set(diff['before']) == set(diff['after']) == {
        'id', 'licname', 'ip', 'pricelist', 'product', 'status', 'expiredate', 'autoprolong', 'key',
        'family', 'addons', 'parked'}
    assert diff['before']['key'] == diff['after']['key'] == '********'
    assert lic['lickey'] not in str(diff)
    assert (diff['after']['family'], diff['after']['addons'], diff['after']['parked']) == ('soft', {}, False)


def test_diff_with_the_default_callback(sandbox, tmp_path):
    """What a person sees with --diff: the changed field, before and after."""
    from playbook_runner import run_playbook
    lic = sandbox.add_license(licname='shown', ip='192.0.2.96', pricelist=LITE)
    play = [{'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'name': 'move', 'ispsystem.billmanager.isp_license': {'id': lic['id'], 'ip': '192.0.2.97'}}]}]
    run = run_playbook(play, tmp_path, sandbox=sandbox, diff=True, callback='default')
    assert run.rc == 0, run
    assert '-    "ip": "192.0.2.96"' in run.stdout and '+    "ip": "192.0.2.97"' in run.stdout, run.stdout


def test_order_into_the_cart_does_not_wait(sandbox, tmp_path):
    balance = sandbox.config()['users'][sandbox.username]['balance']
    play = Play(sandbox, tmp_path).four_ways(ip='192.0.2.13', product='ispmanager6_lite', skipbasket=False,
                                             autoprolong=0)
    play.run()
    change = play.assert_four_ways(['order'], ['soft.order.param'])
    assert change['license']['status'] == 'ordered' and change['license']['key'] is None
    assert any('awaiting payment' in w for w in change['warnings']), change['warnings']
    [order] = [entry for entry in play.calls('change') if entry['func'] == 'soft.order.param']
    assert 'skipbasket' not in order['params'] and order['params']['autoprolong'] == 'null'
    assert play.funcs('change') == ['soft', 'soft.checkip', 'soft.order.param', 'soft.edit']
    assert sandbox.licenses()[0]['status'] == 1
    assert sandbox.config()['users'][sandbox.username]['balance'] == balance
