# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The desired-state engine of isp_license, against a BILLmanager in memory."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import PRODUCTS
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import LicenseError
from ansible_collections.ispsystem.billmanager.plugins.module_utils._engine import LicenseReconciler

from ansible_collections.ispsystem.billmanager.tests.unit.plugins.module_utils.fakes import TODAY, FakeBillmanager, FakeClock, lost_answer, refusal

DEFAULTS = dict(state='present', id=None, licname=None, ip=None, product=None, pricelist=None, nodes=None,
                addons=None, period=1, autoprolong=None, skipbasket=True, renew_within_days=None,
                regenerate_key=False, wait=True, wait_timeout=300)
ACTIONS = ('order', 'edit', 'resume', 'suspend', 'renew', 'newkey', 'delete')
COMPARED = ('licname', 'ip', 'pricelist', 'product', 'status', 'expiredate', 'autoprolong')


def run(fake, check_mode=False, clock=None, **options):
    clock = clock or FakeClock()
    return LicenseReconciler(fake, dict(DEFAULTS, **options), check_mode=check_mode, today=TODAY,
                             sleep=clock.sleep, clock=clock.now).run()


def failure(fake, **options):
    with pytest.raises(LicenseError) as info:
        run(fake, **options)
    return info.value


ONE = [dict(id=7, ip='10.0.0.1', licname='web', pricelist=3541, expiredate='2026-03-15')]
SUSPENDED = [dict(ONE[0], status='3')]

# (licenses, options, actions): each case is run for real and in check mode
SCENARIOS = [
    ([], dict(ip='10.0.0.9', product='ispmanager_lite'), ['order']),
    ([], dict(ip='10.0.0.9', product='ispmanager_business', nodes=2, period=12, autoprolong=12), ['order']),
    ([], dict(ip='10.0.0.9', pricelist=9001, licname='raw', addons={'77': 1}, autoprolong=0), ['order']),
    ([], dict(ip='10.0.0.9', product='ispmanager_lite', skipbasket=False), ['order']),
    ([], dict(ip='10.0.0.9', product='ispmanager_lite', wait=False), ['order']),
    (ONE, dict(ip='10.0.0.1', product='ispmanager_lite'), []),
    (ONE, dict(licname='web', ip='10.0.0.2'), ['edit']),
    (ONE, dict(id=7, licname='www'), ['edit']),
    (SUSPENDED, dict(ip='10.0.0.1'), ['resume']),
    (SUSPENDED, dict(id=7, licname='www', renew_within_days=30, period=12), ['edit', 'resume', 'renew']),
    (ONE, dict(ip='10.0.0.1', renew_within_days=5), ['renew']),
    (ONE, dict(ip='10.0.0.1', renew_within_days=4), []),
    (SUSPENDED, dict(ip='10.0.0.1', renew_within_days=5), ['resume', 'renew']),
    ([dict(ONE[0], status='1')], dict(ip='10.0.0.1', renew_within_days=30, wait=False), []),
    (ONE, dict(ip='10.0.0.1', regenerate_key=True), ['newkey']),
    (ONE, dict(licname='web', state='suspended'), ['suspend']),
    (ONE, dict(id=7, ip='10.0.0.3', state='suspended'), ['edit', 'suspend']),
    (SUSPENDED, dict(licname='web', state='suspended'), []),
    (ONE, dict(ip='10.0.0.1', state='absent'), ['delete']),
    ([dict(ONE[0], status='4')], dict(ip='10.0.0.1', state='absent'), []),
    ([], dict(licname='nothing', state='absent'), []),
]


@pytest.mark.parametrize('names_only', [False, True])
@pytest.mark.parametrize('licenses, options, actions', SCENARIOS)
def test_check_mode_predicts_the_real_run(licenses, options, actions, names_only):
    checked, real = FakeBillmanager(licenses, names_only=names_only), FakeBillmanager(licenses, names_only=names_only)
    predicted = run(checked, check_mode=True, **options)
    done = run(real, **options)
    assert checked.writes() == []
    assert done['actions'] == predicted['actions'] == actions
    assert done['changed'] == predicted['changed'] == bool(actions)
    assert len(done['warnings']) == len(predicted['warnings'])
    assert (predicted['license'] is None) == (done['license'] is None)
    for key in COMPARED if done['license'] else ():
        assert predicted['license'][key] == done['license'][key], key
    assert [f for f, dummy in real.writes()] == [f for f, dummy in real.writes() if f != 'soft.checkip']
    assert len(real.writes()) == len(actions)
    # the same task again changes nothing, in check mode or for real
    if 'newkey' not in actions:
        assert run(real, check_mode=True, **options)['changed'] is False
        again = run(real, **options)
        assert again['changed'] is False and again['actions'] == []


def test_order_sends_the_fields_once_and_waits_for_the_key():
    fake, clock = FakeBillmanager(processing_reads=3), FakeClock()
    result = run(fake, clock=clock, ip='10.0.0.9', product='ispmanager_business', nodes=2, autoprolong=0)
    assert fake.writes() == [('soft.order.param', dict(
        pricelist=4601, period=1, ip='10.0.0.9', licname='10.0.0.9', clicked_button='finish', sok='ok',
        skipbasket='on', autoprolong='null', addon_4602=2))]
    record = result['license']
    assert (record['id'], record['status'], record['key']) == (100, 'active', 'KEY-0001')
    assert clock.sleeps == [0.25, 0.5, 1.0]  # three reads still processing, then active
    assert result['diff'] == {'before': {}, 'after': dict(record, key='********')}  # never the key in a diff


def test_check_mode_order_predicts_a_record_without_id():
    record = run(FakeBillmanager(), check_mode=True, ip='10.0.0.9', product='ispmanager6_lite', period=12)['license']
    assert record == dict(id=None, licname='10.0.0.9', ip='10.0.0.9', pricelist=55227, product='ispmanager6_lite',
                          status='active', expiredate='2027-03-10', autoprolong=None, key=None,
                          family='soft', addons={}, parked=False)


def test_order_into_the_cart_warns_and_does_not_wait():
    fake, clock = FakeBillmanager(), FakeClock()
    result = run(fake, clock=clock, ip='10.0.0.9', product='ispmanager_lite', skipbasket=False)
    assert 'skipbasket' not in fake.writes()[0][1]
    assert result['license']['status'] == 'ordered' and clock.sleeps == []
    assert 'awaiting payment' in result['warnings'][0]


def test_edit_sends_both_fields_and_the_new_key_is_returned():
    fake = FakeBillmanager(ONE)
    result = run(fake, id=7, ip='10.0.0.2', regenerate_key=True)
    assert fake.writes() == [('soft.edit', dict(elid=7, licname='web', ip='10.0.0.2', sok='ok')),
                             ('soft.edit', dict(elid=7, clicked_button='newkey', sok='ok'))]
    assert result['license']['key'] == 'KEY-0002' and result['diff']['before']['key'] == '********'


def test_renew_sends_the_period():
    fake = FakeBillmanager(ONE)
    result = run(fake, ip='10.0.0.1', renew_within_days=10, period=12)
    assert fake.writes() == [('service.prolong', dict(elid=7, period=12, sok='ok'))]
    assert result['license']['expiredate'] == '2027-03-15'


def test_absent_does_not_read_the_key():
    fake = FakeBillmanager(ONE)
    result = run(fake, licname='web', state='absent')
    # a delete is decided on a fresh read, like every write; no product: every family is listed
    assert fake.funcs() == ['soft', 'platform', 'softexternal', 'soft.edit', 'soft.delete']
    assert result['license']['status'] == 'deleted'


# -- failures --------------------------------------------------------------------------

@pytest.mark.parametrize('licenses, options, msg', [
    ([], dict(licname='web', state='suspended'), "no license matches licname='web'; state=suspended"),
    ([], dict(id=7), 'no license has id=7; a license with a chosen id cannot be ordered'),
    ([], dict(licname='web', product='ispmanager_lite'), "no license matches licname='web'; to order one"),
    ([], dict(ip='10.0.0.1'), "no license matches ip='10.0.0.1'; to order one, give ip and product"),
    (ONE, dict(id=7, product='ispmanager_business'), 'license 7 has pricelist 3541 (ispmanager_lite), not 4601'),
    ([dict(ONE[0], pricelist=9001)], dict(licname='web', pricelist=3541),
     'license 7 has pricelist 9001 (not in the catalog), not 3541'),
])
def test_plans_that_fail_send_no_write(licenses, options, msg):
    fake = FakeBillmanager(licenses)
    error = failure(fake, **options)
    assert error.msg.startswith(msg), error.msg
    assert fake.writes() == []


@pytest.mark.parametrize('options, msg', [
    (dict(ip='10.0.0.256', product='ispmanager_lite'), "ip: '10.0.0.256' is not a valid"),
    (dict(id=-1), 'id: -1 is negative'),
    (dict(ip='10.0.0.1', pricelist=-5), 'pricelist: -5 is negative'),
    (dict(ip='10.0.0.1', product='ispmanager_business', nodes=-1), 'nodes: -1 is negative'),
    (dict(ip='10.0.0.1', product='dnsmanager', nodes=1), "nodes: product 'dnsmanager' has no node addon"),
    (dict(ip='10.0.0.1', pricelist=9001, nodes=1), 'nodes: pricelist 9001 is not in the catalog'),
    (dict(ip='10.0.0.1', addons={'x': 1}), "addons: key 'x'"),
    (dict(licname='', ip='10.0.0.1'), "licname: '' is empty"),
    (dict(ip='10.0.0.1', renew_within_days=-1), 'renew_within_days: -1 is negative'),
    (dict(ip='10.0.0.1', wait_timeout=-1), 'wait_timeout: -1 is negative'),
])
def test_bad_input_fails_before_any_call(options, msg):
    fake = FakeBillmanager(ONE)
    assert failure(fake, **options).msg.startswith(msg)
    assert fake.calls == []


def test_a_refused_order_fails_unchanged_with_the_api_error():
    fake = FakeBillmanager([dict(ip='10.0.0.9', pricelist=3541, status='4')])
    fake.fail('soft.order.param', refusal('soft.order.param', 'Not enough money', 'balance'))
    error = failure(fake, ip='10.0.0.9', product='ispmanager_lite')
    assert 'Not enough money' in error.msg
    assert error.result['changed'] is False and error.result['actions'] == []
    assert error.result['api_error']['type'] == 'balance'


@pytest.mark.parametrize('names_only', [False, True])
def test_lost_order_answer_adopts_exactly_the_license_it_created(names_only):
    licenses = [dict(id=1, ip='10.0.0.9', pricelist=4601), dict(id=2, ip='10.0.0.9', pricelist=3541, status='4')]
    fake = FakeBillmanager(licenses, names_only=names_only)
    fake.fail('soft.order.param', lost_answer('soft.order.param'), after=True)
    result = run(fake, ip='10.0.0.9', product='ispmanager_lite')
    assert fake.funcs().count('soft.order.param') == 1
    assert result['changed'] is True and result['actions'] == ['order']
    assert result['license']['id'] == 100 and result['license']['key']
    assert result['warnings'] == ['the answer to soft.order.param was lost (no answer within 30 s); adopted '
                                  'license 100, which that order created']


def test_lost_order_answer_with_nothing_created_says_the_outcome_is_unknown_and_blocks_a_new_order():
    fake, clock = FakeBillmanager(), FakeClock()
    fake.fail('soft.order.param', lost_answer('soft.order.param'))
    with pytest.raises(LicenseError) as info:
        run(fake, clock=clock, ip='10.0.0.9', product='ispmanager_lite', wait_timeout=60)
    error = info.value
    # never "not ordered": the billing may still be processing it
    assert 'outcome of the order is unknown' in error.msg and 'Nothing was sent again' in error.msg
    assert 'no license was ordered' not in error.msg and error.result['outcome'] == 'unknown'
    assert fake.funcs().count('soft.order.param') == 1
    looks = fake.funcs()[fake.funcs().index('soft.order.param') + 1:]
    assert len(looks) > 3 and set(looks) == {'soft'} and sum(clock.sleeps) <= 60
    assert error.result['changed'] is False and error.result['api_error']['ambiguous'] is True
    # the next run does not order again while that order may still land
    again = failure(fake, ip='10.0.0.9', product='ispmanager_lite')
    assert 'may still be landing' in again.msg and fake.funcs().count('soft.order.param') == 1
    # once the license shows up, a run adopts it through the listing, and orders nothing
    fake.add(ip='10.0.0.9', pricelist=3541)
    found = run(fake, ip='10.0.0.9', product='ispmanager_lite')
    assert found['actions'] == [] and fake.funcs().count('soft.order.param') == 1


def test_lost_order_answer_keeps_looking_past_a_failed_list_and_adopts_the_license():
    fake, clock = FakeBillmanager(), FakeClock()
    fake.fail('soft.order.param', lost_answer('soft.order.param'), after=True)
    fake.fail('soft', lost_answer('soft'), skip=1)  # the first look after the lost answer fails
    result = run(fake, clock=clock, ip='10.0.0.9', product='ispmanager_lite')
    assert result['actions'] == ['order'] and fake.funcs().count('soft.order.param') == 1
    assert 'adopted license 100' in result['warnings'][0]


@pytest.mark.parametrize('func, options', [
    ('soft.suspend', dict(licname='web', state='suspended')),
    ('soft.delete', dict(licname='web', state='absent')),
    ('service.prolong', dict(licname='web', renew_within_days=5)),
    ('soft.edit', dict(id=7, ip='10.0.0.2')),
])
def test_lost_write_answer_that_took_effect_goes_on_with_a_warning(func, options):
    fake = FakeBillmanager(ONE)
    fake.fail(func, lost_answer(func), after=True, skip=1 if func == 'soft.edit' else 0)  # not the key read
    result = run(fake, **options)
    assert result['changed'] is True and len(result['actions']) == 1
    assert len(fake.writes()) == 1
    assert 'took effect' in result['warnings'][0]


@pytest.mark.parametrize('func, options', [
    ('soft.resume', dict(ip='10.0.0.1')),
    ('soft.delete', dict(licname='web', state='absent')),
    ('service.prolong', dict(licname='web', renew_within_days=5)),
])
def test_lost_write_answer_that_did_not_take_effect_fails_without_resending(func, options):
    fake = FakeBillmanager(SUSPENDED if func == 'soft.resume' else ONE)
    fake.fail(func, lost_answer(func))
    error = failure(fake, **options)
    assert 'did not take effect. Nothing was sent again' in error.msg
    assert len(fake.writes()) == 1 and error.result['changed'] is False


def test_lost_write_answer_and_a_failed_read_fail_without_resending():
    fake = FakeBillmanager(ONE)
    fake.fail('soft.suspend', lost_answer('soft.suspend'))
    fake.fail('soft.edit', lost_answer('soft.edit'), skip=1)  # the first read is the key read
    error = failure(fake, licname='web', state='suspended')
    assert 'its outcome is unknown' in error.msg and len(fake.writes()) == 1


def test_a_failure_after_an_action_reports_what_was_done():
    fake = FakeBillmanager(SUSPENDED)
    fake.fail('service.prolong', refusal('service.prolong', 'Not enough money', 'balance'))
    error = failure(fake, id=7, licname='www', renew_within_days=10)
    assert error.result['changed'] is True and error.result['actions'] == ['edit', 'resume']
    assert error.result['license']['status'] == 'active'


def test_a_failed_read_after_an_order_reports_the_order():
    fake = FakeBillmanager()
    fake.fail('soft.edit', lost_answer('soft.edit'))
    error = failure(fake, ip='10.0.0.9', product='ispmanager_lite')
    assert error.result['changed'] is True and error.result['actions'] == ['order']
    assert 'the license was changed before this read failed' in error.msg


# -- waiting -------------------------------------------------------------------------

def test_wait_is_bounded_by_wait_timeout():
    fake, clock = FakeBillmanager(processing_reads=10 ** 6), FakeClock()
    error = failure(fake, clock=clock, ip='10.0.0.9', product='ispmanager_lite', wait_timeout=20)
    assert 'still processing after wait_timeout=20 s' in error.msg
    assert error.result['changed'] is True and error.result['actions'] == ['order']
    assert 15 <= sum(clock.sleeps) <= 20 and max(clock.sleeps) == 5.0


def test_wait_also_covers_a_license_that_is_already_processing():
    fake, clock = FakeBillmanager([dict(ONE[0], status='5', lickey='')], processing_reads=2), FakeClock()
    result = run(fake, clock=clock, licname='web')
    assert result['changed'] is False and result['license']['status'] == 'active' and result['license']['key']
    assert len(clock.sleeps) == 2 and fake.writes() == []


def test_without_wait_the_processing_license_is_returned_at_once():
    fake, clock = FakeBillmanager(processing_reads=5), FakeClock()
    record = run(fake, clock=clock, ip='10.0.0.9', product='ispmanager_lite', wait=False)['license']
    assert record['status'] == 'processing' and record['key'] is None and clock.sleeps == []


# -- any options: a LicenseError before any call, or a plan ----------------------------

def mostly(usual, unusual):
    """``usual`` three times in four, else ``unusual``: bad values without drowning the rest."""
    return st.sampled_from([True, True, True, False]).flatmap(lambda ok: usual if ok else unusual)


ips = mostly(st.sampled_from(['10.0.0.1', '10.0.0.2', '10.0.0.9', ' 10.0.0.9 ', '::FFFF:10.0.0.1', '2001:db8::9']),
             st.one_of(st.none(), st.ip_addresses().map(str), st.text(max_size=12),
                       st.sampled_from(['10.0.0.256', '10.0.0.1/32', ''])))
options = st.fixed_dictionaries(dict(
    state=st.sampled_from(['present', 'suspended', 'absent']),
    id=mostly(st.none(), st.integers(-2, 9)),
    licname=st.sampled_from([None, None, None, '', 'web', 'other', 'new']),
    ip=ips,
    nodes=mostly(st.none(), st.integers(-3, 50)),
    addons=mostly(st.none(), st.dictionaries(st.one_of(st.text(max_size=4), st.integers(-1, 99)),
                                             st.one_of(st.integers(-2, 9), st.floats(), st.text(max_size=3)),
                                             max_size=2)),
    period=st.sampled_from([1, 12]),
    autoprolong=st.sampled_from([None, 0, 1, 12]),
    renew_within_days=mostly(st.none(), st.integers(-5, 400)),
    regenerate_key=st.booleans(), skipbasket=st.booleans(), wait=st.booleans(),
    wait_timeout=mostly(st.integers(0, 30), st.integers(-3, -1)),
    tariff=mostly(st.one_of(st.none(), st.sampled_from(sorted(PRODUCTS)).map(lambda p: ('product', p))),
                  st.one_of(st.integers(-5, 10), st.sampled_from([9001, 4601, 3541])).map(lambda p: ('pricelist', p))),
))


HYPOTHESIS_LICENSES = [dict(id=1, ip='10.0.0.1', licname='web', pricelist=4601, expiredate='2026-03-20'),
                       dict(id=2, ip='10.0.0.2', licname='other', pricelist=3541, status='3')]


def attempt(fake, check_mode, options):
    try:
        return run(fake, check_mode=check_mode, **options), None
    except LicenseError as exc:
        assert exc.msg
        return None, exc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options=options)
def test_any_options_fail_cleanly_or_plan_and_check_mode_agrees(options):
    tariff = options.pop('tariff')
    if tariff:
        options[tariff[0]] = tariff[1]
    assume(any(options.get(key) is not None for key in ('id', 'licname', 'ip')))  # required_one_of
    checked, real = FakeBillmanager(HYPOTHESIS_LICENSES), FakeBillmanager(HYPOTHESIS_LICENSES)
    predicted, check_error = attempt(checked, True, options)
    done, error = attempt(real, False, options)
    assert checked.writes() == []
    if check_error is not None:
        # bad input fails before any call; a plan that cannot work fails before any write
        event('bad input' if not checked.calls else 'failed plan')
        assert error is not None and error.msg == check_error.msg
        assert (checked.calls == []) == (real.calls == [])
        assert real.writes() == []
        return
    if error is not None:
        # only a write the fake refused may fail a real run that check mode passed
        event('refused write')
        assert predicted['actions'][:len(error.result['actions'])] == error.result['actions']
        assert error.result['changed'] == bool(error.result['actions'])
        return
    actions = done['actions']
    event('actions: %s' % ' '.join(actions))
    assert predicted['actions'] == actions and predicted['changed'] == done['changed'] == bool(actions)
    assert len(real.writes()) == len(actions)
    assert actions == sorted(actions, key=ACTIONS.index)
    assert len(actions) == 1 or not set(actions) & set(['order', 'delete'])
    allowed = dict(absent=['delete'], suspended=['edit', 'suspend'])
    assert set(actions) <= set(allowed.get(options['state'], ACTIONS))
    for key in COMPARED if done['license'] else ():
        assert predicted['license'][key] == done['license'][key], key


# -- a fourth family: rows in the tables, no change to the engine ------------------------

class FakeWithAnotherFamily(FakeBillmanager):
    """The fake billing with a family of its own, ``widget``: the soft functions under other names."""

    def call(self, func, params=None, write=None):
        if func.startswith('widget'):
            self.calls.append((func, dict(params or {})))
            handler = getattr(self, 'func_' + func.replace('widget', 'soft', 1).replace('.', '_'))
            return handler(dict(params or {}))
        return super(FakeWithAnotherFamily, self).call(func, params, write)


def test_a_fourth_family_is_rows_in_the_tables(monkeypatch):
    from ansible_collections.ispsystem.billmanager.plugins.module_utils import _catalog
    family = _catalog._family('widget')
    product = _catalog._product('widget_pro', 9001, family='widget', periods=(1,))
    monkeypatch.setitem(_catalog.FAMILIES, 'widget', family)
    monkeypatch.setitem(_catalog.PRODUCTS, 'widget_pro', product)
    monkeypatch.setitem(_catalog.PRODUCT_BY_PRICELIST, 9001, product)
    fake = FakeWithAnotherFamily()
    ordered = run(fake, ip='10.0.0.50', licname='w', product='widget_pro')
    assert ordered['actions'] == ['order'] and ordered['license']['family'] == 'widget'
    assert [f for f, p in fake.calls if f.startswith('widget.order')] == ['widget.order.param']
    assert run(fake, licname='w', product='widget_pro', state='suspended')['actions'] == ['suspend']
    assert run(fake, licname='w', product='widget_pro')['actions'] == ['resume']
    assert run(fake, licname='w', product='widget_pro', state='absent')['actions'] == ['delete']
    # suspend and resume carry no sok: the engine itself marks every write (the client never retries one)
    changes = [f for f, p in fake.calls if f.partition('.')[2] in ('order.param', 'suspend', 'resume', 'delete')]
    assert changes == ['widget.order.param', 'widget.suspend', 'widget.resume', 'widget.delete']
    assert not [f for f, p in fake.calls if f.startswith('soft')]  # only the family's own functions
