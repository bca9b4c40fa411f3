# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading licenses from the billing: the account listing and one license's ``.edit`` read.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.ispsystem.billmanager.plugins.module_utils._record import make_record
from ansible_collections.ispsystem.billmanager.plugins.module_utils._wire import as_list


def list_licenses(client):
    """Every license of the account (deleted ones too), from one ``soft`` call."""
    doc = client.call('soft')
    return [make_record(row) for row in as_list(doc.get('elem')) if isinstance(row, dict)]


def read_license(client, record):
    """Complete ``record`` with a ``soft.edit`` read: key, exact tariff, status."""
    doc = client.call('soft.edit', {'elid': record['id']})
    return make_record(doc, record)


def fill_unknown_pricelists(client, records):
    """Read the tariff of every record whose list row showed only its name."""
    return [read_license(client, r) if r['pricelist'] is None else r for r in records]
