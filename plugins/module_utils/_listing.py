# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading licenses from the billing: the account listing and one license's ``.edit`` read.

Every reader of the account (isp_license, isp_license_info, the inventory
plugin) goes through ``list_licenses()``, so a listing is read one way: all
families asked for, every page of a paged answer, and an error rather than a
partial list, because a license called missing on a partial list is a
duplicate order.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import FAMILIES, FAMILY_NAMES
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import (
    BILLING,
    FORMAT,
    BillmanagerError,
)
from ansible_collections.ispsystem.billmanager.plugins.module_utils._record import make_record, unreadable_date
from ansible_collections.ispsystem.billmanager.plugins.module_utils._wire import as_list

MAX_PAGES = 10000  # a bound on the page loop: 10,000 pages of any size is no real account


class Listing:
    """The licenses of the account as one listing found them, and what it could not read."""

    def __init__(self, records, unreadable_dates=0, families=FAMILY_NAMES):
        self.records = records
        self.unreadable_dates = unreadable_dates
        self.families = tuple(families)

    @property
    def warnings(self):
        if not self.unreadable_dates:
            return []
        return ['%d license(s) have an end date the collection cannot read; they are returned with '
                'expiredate null' % self.unreadable_dates]


def _rows(client, func):
    """Every row of the list function ``func``, from every page when the billing pages it."""
    doc = client.call(func)
    rows = [row for row in as_list(doc.get('elem')) if isinstance(row, dict)]
    total = _count(doc.get('p_elems'))
    if total is None:
        return rows
    per_page = _count(doc.get('p_cnt')) or len(rows)
    page = _count(doc.get('p_num')) or 1
    for dummy in range(MAX_PAGES):
        if len(rows) >= total:
            break
        if not per_page:
            break
        page += 1
        more = client.call(func, {'p_num': page, 'p_cnt': per_page})
        got = [row for row in as_list(more.get('elem')) if isinstance(row, dict)]
        if not got:
            break
        rows.extend(got)
    if len(rows) != total:
        raise BillmanagerError(func, FORMAT, 'the list is incomplete: the billing counts %d licenses '
                               'and its pages held %d; nothing is decided on a partial list' % (total, len(rows)))
    return rows


def _count(raw):
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def list_licenses(client, families=FAMILY_NAMES):
    """Every license of the account (deleted ones too) in the given families, as a Listing.

    A family whose list function the billing does not know (an error of type
    ``missed``: this account or billing sells none) is empty; any other error
    fails the whole listing.
    """
    records, unreadable = [], 0
    for family in families:
        func = FAMILIES[family].functions['list']
        try:
            rows = _rows(client, func)
        except BillmanagerError as exc:
            if exc.kind == BILLING and exc.err_type == 'missed' and exc.err_object in (None, 'func'):
                continue
            raise
        for row in rows:
            if unreadable_date(row.get('expiredate')):
                unreadable += 1
            records.append(make_record(row, family=family))
    return Listing(records, unreadable, families)


def read_license(client, record):
    """Complete ``record`` with its family's ``.edit`` read: key, exact tariff, status, addons."""
    func = FAMILIES[record.get('family') or 'soft'].functions['read']
    doc = client.call(func, {'elid': record['id']})
    return make_record(doc, record)


def read_by_id(client, elid, families=FAMILY_NAMES):
    """The live license with id ``elid``, read with one ``.edit`` call per family tried; None when none has it.

    The billing answers an id it does not have (or that another family
    holds) with an error of type ``missed``; that is "no license", any other
    error is a failure.
    """
    for family in families:
        try:
            record = read_license(client, dict(make_record({}, family=family), id=elid))
        except BillmanagerError as exc:
            if exc.kind == BILLING and exc.err_type == 'missed':
                continue
            raise
        if record['status'] == 'deleted':
            return None
        return record
    return None


def fill_unknown_pricelists(client, records):
    """Read the tariff of every record whose list row showed only its name."""
    return [read_license(client, r) if r['pricelist'] is None else r for r in records]
