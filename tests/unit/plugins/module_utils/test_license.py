# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The license domain: catalog, record, identity, input checks and reads."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

import pytest

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import resolve_pricelist
from ansible_collections.ispsystem.billmanager.plugins.module_utils._identity import find_license
from ansible_collections.ispsystem.billmanager.plugins.module_utils._input import normalize_ip, order_addons
from ansible_collections.ispsystem.billmanager.plugins.module_utils._isp_license_check import check_ip
from ansible_collections.ispsystem.billmanager.plugins.module_utils._isp_license_info import query_licenses
from ansible_collections.ispsystem.billmanager.plugins.module_utils._listing import list_licenses
from ansible_collections.ispsystem.billmanager.plugins.module_utils._record import add_months, make_record, parse_date
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import BillmanagerError
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import LicenseError

from ansible_collections.ispsystem.billmanager.tests.unit.plugins.module_utils.fakes import TODAY, FakeBillmanager, refusal


def test_resolve_pricelist():
    assert resolve_pricelist({'product': 'dnsmanager'}) == 3136
    assert resolve_pricelist({'pricelist': 777}) == 777
    assert resolve_pricelist({}) is None


# -- the record ------------------------------------------------------------------

def test_record_from_a_list_row():
    row = {'id': '42', 'licname': 'web1', 'ip': '10.0.0.1', 'pricelist': '3541', 'status': '2',
           'expiredate': '2026-05-01', 'autoprolong': '12', 'cost': '5.00'}
    assert make_record(row) == dict(id=42, licname='web1', ip='10.0.0.1', pricelist=3541,
                                    product='ispmanager_lite', status='active',
                                    expiredate='2026-05-01', autoprolong=12, key=None,
                                    family='soft', addons={}, parked=False)


def test_record_from_a_soft_edit_read_completes_a_row():
    row = make_record({'id': '7', 'ip': '10.0.0.2', 'pricelist': 'ISPmanager Lite', 'status': '5'})
    assert row['pricelist'] is None and row['product'] is None  # a name alone is no id
    read = {'elid': '7', 'ip': '10.0.0.2', 'licname': 'x', 'pricelist': '55230', 'status': '2',
            'expiredate': '01.06.2026', 'autoprolong': 'null', 'lickey': 'ABC'}
    record = make_record(read, row)
    assert (record['pricelist'], record['product'], record['status']) == (55230, 'ispmanager6_business', 'active')
    assert (record['expiredate'], record['autoprolong'], record['key']) == ('2026-06-01', None, 'ABC')


def test_a_name_in_a_later_row_does_not_forget_a_known_pricelist():
    record = make_record({'id': '7', 'pricelist': '3541'})
    assert make_record({'pricelist': 'Lite'}, record)['pricelist'] == 3541


@pytest.mark.parametrize('code, name', [('1', 'ordered'), ('2', 'active'), ('3', 'suspended'),
                                        ('4', 'deleted'), ('5', 'processing'), ('9', 'unknown'),
                                        ('', 'unknown'), (' 2 ', 'active')])
def test_status_codes(code, name):
    assert make_record({'id': '1', 'status': code})['status'] == name


@pytest.mark.parametrize('fields, autoprolong', [({'autoprolong': 'null'}, None), ({'autoprolong': '0'}, None),
                                                 ({'autoprolong': ''}, None), ({}, None),
                                                 ({'autoprolong': '1'}, 1), ({'autoprolong': '12'}, 12)])
def test_autoprolong(fields, autoprolong):
    assert make_record(dict(fields, id='1'))['autoprolong'] == autoprolong


@pytest.mark.parametrize('raw, day', [('2026-01-31', '2026-01-31'), ('31.01.2026', '2026-01-31'),
                                      ('2026-01-31 10:00:00', '2026-01-31'), ('', None), (None, None),
                                      ('never', None)])
def test_dates(raw, day):
    assert parse_date(raw) == day


def test_empty_key_is_none():
    assert make_record({'id': '1', 'lickey': ''})['key'] is None
    assert make_record({'id': '1', 'lickey': 'K'})['key'] == 'K'


@pytest.mark.parametrize('start, months, end', [
    ((2026, 1, 31), 1, (2026, 2, 28)), ((2024, 1, 31), 1, (2024, 2, 29)), ((2026, 3, 31), 1, (2026, 4, 30)),
    ((2026, 1, 30), 1, (2026, 2, 28)), ((2026, 12, 31), 1, (2027, 1, 31)), ((2024, 2, 29), 12, (2025, 2, 28)),
    ((2026, 3, 10), 12, (2027, 3, 10)), ((2026, 8, 31), 1, (2026, 9, 30))])
def test_add_months_clamps_to_the_end_of_the_month(start, months, end):
    assert add_months(datetime.date(*start), months) == datetime.date(*end)


# -- input ---------------------------------------------------------------------------

@pytest.mark.parametrize('raw, ip', [('10.0.0.1', '10.0.0.1'), (' 10.0.0.1 ', '10.0.0.1'),
                                     ('2001:DB8:0:0::1', '2001:db8::1'), ('::ffff:10.0.0.1', '10.0.0.1')])  # IPv4-mapped: the IPv4 address
def test_normalize_ip(raw, ip):
    assert normalize_ip('ip', raw) == ip


@pytest.mark.parametrize('raw', ['10.0.0.256', '10.0.0', 'host.example.com', '', '10.0.0.1/24', None, 12])
def test_normalize_ip_rejects_what_is_no_address(raw):
    with pytest.raises(LicenseError) as info:
        normalize_ip('ip', raw)
    assert info.value.msg == "ip: '%s' is not a valid IPv4 or IPv6 address" % raw


def test_order_addons_from_nodes_and_addons():
    assert order_addons({'nodes': 3}, 4601) == {4602: 3}
    assert order_addons({'nodes': 0}, 55230) == {55236: 0}
    assert order_addons({'addons': {'4602': '2', 77: 1}}, 9001) == {4602: 2, 77: 1}
    assert order_addons({'addons': {'4602': 1.0}}, None) == {4602: 1}
    assert order_addons({}, 3541) == {}


@pytest.mark.parametrize('params, pricelist, msg', [
    ({'nodes': -1}, 4601, 'nodes: -1 is negative'),
    ({'nodes': 2}, 3541, "nodes: product 'ispmanager_lite' has no node addon"),
    ({'nodes': 2}, 9001, 'nodes: pricelist 9001 is not in the catalog'),
    ({'addons': {'abc': 1}}, 3541, "addons: key 'abc' is not an addon id"),
    ({'addons': {'²': 1}}, 3541, "addons: key '²' is not an addon id"),
    ({'addons': {'12': 'two'}}, 3541, "addons: amount 'two' of addon 12 is not a whole number"),
    ({'addons': {'12': 1.5}}, 3541, "addons: amount '1.5' of addon 12 is not a whole number"),
    ({'addons': {'12': float('inf')}}, 3541, "addons: amount 'inf' of addon 12 is not a whole number"),
    ({'addons': {'12': None}}, 3541, "addons: amount 'None' of addon 12 is not a whole number"),
    ({'addons': {'12': -2}}, 3541, 'addons: amount -2 of addon 12 is negative'),
])
def test_order_addons_messages_name_option_and_value(params, pricelist, msg):
    with pytest.raises(LicenseError) as info:
        order_addons(params, pricelist)
    assert info.value.msg.startswith(msg)


# -- identity ------------------------------------------------------------------------

def _records(fake):
    return list_licenses(fake).records


def test_find_by_id_before_licname_before_ip():
    fake = FakeBillmanager([dict(id=1, ip='10.0.0.1', licname='a'), dict(id=2, ip='10.0.0.2', licname='b')])
    records = _records(fake)
    assert find_license(fake, records, {'id': 2, 'licname': 'a', 'ip': '10.0.0.1'})['id'] == 2
    assert find_license(fake, records, {'licname': 'a', 'ip': '10.0.0.2'})['id'] == 1
    assert find_license(fake, records, {'ip': '10.0.0.2'})['id'] == 2
    assert find_license(fake, records, {'id': 3, 'licname': 'a'}) is None
    assert find_license(fake, records, {'licname': 'zzz', 'ip': '10.0.0.1'}) is None


def test_find_by_ip_compares_addresses_and_tariff():
    fake = FakeBillmanager([dict(id=1, ip='2001:db8::1', pricelist=3541),
                            dict(id=2, ip='2001:db8::1', pricelist=4601)])
    records = _records(fake)
    assert find_license(fake, records, {'ip': '2001:DB8:0::1', 'product': 'ispmanager_business'})['id'] == 2
    assert find_license(fake, records, {'ip': '2001:db8::1', 'pricelist': 3541})['id'] == 1
    assert find_license(fake, records, {'ip': '2001:db8::1', 'pricelist': 5577}) is None


def test_find_reads_the_tariff_when_the_list_shows_only_its_name():
    fake = FakeBillmanager([dict(id=1, ip='10.0.0.1', pricelist=3541), dict(id=2, ip='10.0.0.1', pricelist=4601),
                            dict(id=3, ip='10.0.0.9', pricelist=4601)], names_only=True)
    records = _records(fake)
    assert find_license(fake, records, {'ip': '10.0.0.1', 'pricelist': 4601})['id'] == 2
    assert fake.calls[3:] == [('soft.edit', {'elid': 1}), ('soft.edit', {'elid': 2})]  # not license 3


def test_deleted_licenses_never_match():
    fake = FakeBillmanager([dict(id=1, ip='10.0.0.1', licname='a', status='4')])
    records = _records(fake)
    for params in ({'id': 1}, {'licname': 'a'}, {'ip': '10.0.0.1'}):
        assert find_license(fake, records, params) is None


def test_several_matches_fail_listing_the_ids():
    fake = FakeBillmanager([dict(id=12, ip='10.0.0.1', licname='web', pricelist=3541),
                            dict(id=3, ip='10.0.0.1', licname='web', pricelist=4601),
                            dict(id=5, ip='10.0.0.1', licname='web', status='4')])
    with pytest.raises(LicenseError) as info:
        find_license(fake, _records(fake), {'licname': 'web'})
    assert info.value.msg == "2 licenses match licname='web' (ids 3, 12); give id to choose one"
    assert info.value.result == {'ids': [3, 12]}
    with pytest.raises(LicenseError) as info:
        find_license(fake, _records(fake), {'ip': '10.0.0.1'})
    assert 'ids 3, 12' in info.value.msg


def test_find_needs_something_to_go_by():
    with pytest.raises(LicenseError) as info:
        find_license(FakeBillmanager(), [], {'licname': ''})
    assert 'id, licname, ip' in info.value.msg


# -- reads ---------------------------------------------------------------------------

INFO = [dict(id=1, ip='10.0.0.1', licname='a', pricelist=3541, expiredate='2026-03-15'),
        dict(id=2, ip='10.0.0.2', licname='b', pricelist=4601, expiredate='2026-04-30', status='3'),
        dict(id=3, ip='10.0.0.1', licname='c', pricelist=4601, expiredate='2026-03-01', status='4'),
        dict(id=4, ip='10.0.0.4', licname='d', pricelist=55227, expiredate='2027-01-01')]


def _ids(filters, fake=None):
    return [r['id'] for r in query_licenses(fake or FakeBillmanager(INFO), filters, today=TODAY)]


@pytest.mark.parametrize('filters, ids', [
    ({}, [1, 2, 4]), ({'id': 2}, [2]), ({'id': 3}, []), ({'licname': 'd'}, [4]), ({'ip': '10.0.0.1'}, [1]),
    ({'product': 'ispmanager_business'}, [2]), ({'pricelist': 55227}, [4]),
    ({'status': ['deleted']}, [3]), ({'status': ['active', 'deleted']}, [1, 3, 4]),
    ({'expiring_within_days': 5}, [1]), ({'expiring_within_days': 60, 'status': ['suspended']}, [2]),
    ({'ip': '10.0.0.1', 'status': ['deleted', 'active'], 'pricelist': 4601}, [3]),
    ({'expiring_within_days': 4}, []), ({'expiring_within_days': 0, 'status': ['deleted']}, [3]),
])
def test_info_filters_combine_with_and(filters, ids):
    assert _ids(filters) == ids


def test_info_is_one_list_call_without_details():
    fake = FakeBillmanager(INFO)
    records = query_licenses(fake, {'ip': '10.0.0.1'}, today=TODAY)
    assert fake.funcs() == ['soft', 'platform', 'softexternal'] and records[0]['key'] is None  # one listing per family


@pytest.mark.parametrize('names_only', [False, True])
def test_details_read_each_match_once_and_no_more(names_only):
    fake = FakeBillmanager(INFO, names_only=names_only)
    records = query_licenses(fake, {'details': True, 'product': 'ispmanager_business'}, today=TODAY)
    assert [(r['id'], r['pricelist'], r['key'] is not None) for r in records] == [(2, 4601, True)]
    reads = [p['elid'] for f, p in fake.calls if f == 'soft.edit']
    assert sorted(reads) == ([1, 2, 4] if names_only else [2])  # unknown tariffs must be read once
    assert len(reads) == len(set(reads))


def test_info_rejects_bad_filters_before_any_call():
    fake = FakeBillmanager(INFO)
    for filters in ({'ip': 'nope'}, {'id': -1}, {'expiring_within_days': -1}):
        with pytest.raises(LicenseError):
            query_licenses(fake, filters, today=TODAY)
    assert fake.calls == []


def test_info_handles_one_and_no_license():
    assert _ids({}, FakeBillmanager([INFO[0]])) == [1]
    assert _ids({}, FakeBillmanager()) == []


# -- check_ip ------------------------------------------------------------------------

def test_check_ip_available_and_taken():
    fake = FakeBillmanager([dict(ip='10.0.0.1', pricelist=3541)])
    assert check_ip(fake, {'ip': ' 10.0.0.2', 'product': 'ispmanager_lite', 'period': 1}) == (True, None)
    assert fake.calls[-1] == ('soft.checkip', {'ip': '10.0.0.2', 'pricelist': 3541, 'period': 1})
    assert check_ip(fake, {'ip': '10.0.0.1', 'pricelist': 3541, 'period': 12}) == (
        False, 'IP 10.0.0.1 already has this license')
    assert fake.writes() == []


@pytest.mark.parametrize('error', [
    refusal('soft.checkip', 'unknown tariff', 'value', 'pricelist'),
    refusal('soft.checkip', 'missing', 'missed', 'ip'),
    refusal('soft.checkip', 'no access', 'access'),
    BillmanagerError('soft.checkip', 'auth', 'Invalid username or password', err_type='auth'),
    BillmanagerError('soft.checkip', 'timeout', 'no answer'),
])
def test_check_ip_raises_on_errors_that_are_not_about_the_ip(error):
    fake = FakeBillmanager()
    fake.fail('soft.checkip', error)
    with pytest.raises(BillmanagerError) as info:
        check_ip(fake, {'ip': '10.0.0.1', 'pricelist': 3541, 'period': 1})
    assert info.value is error


def test_check_ip_unknown_pricelist_from_the_fake_raises():
    with pytest.raises(BillmanagerError) as info:
        check_ip(FakeBillmanager(), {'ip': '10.0.0.1', 'pricelist': 1, 'period': 1})
    assert info.value.err_object == 'pricelist'


def test_check_ip_rejects_a_bad_ip_before_any_call():
    fake = FakeBillmanager()
    with pytest.raises(LicenseError):
        check_ip(fake, {'ip': '10.0.0.300', 'pricelist': 3541, 'period': 1})
    assert fake.calls == []
