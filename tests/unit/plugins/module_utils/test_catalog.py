# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The catalog against the interface page, and the places Ansible needs it as a literal."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest
import yaml

from ansible_collections.ispsystem.billmanager.plugins.module_utils import _catalog
from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import (
    FAMILIES,
    PRODUCT_BY_PRICELIST,
    PRODUCTS,
    TRIAL,
    catalog_entry,
)

# The interface page's table, written out again on purpose: the contract, checked against the code.
# product: (pricelist, family, named addons, periods)
INTERFACE = {
    'ispmanager6_lite': (55227, 'soft', {}, (1, 12)),
    'ispmanager6_pro': (55228, 'soft', {}, (1, 12)),
    'ispmanager6_host': (55229, 'soft', {}, (1, 12)),
    'ispmanager6_business': (55230, 'soft', {'nodes': 55236}, (1, 12)),
    'ispmanager6_trial': (55239, 'soft', {}, (TRIAL,)),
    'ispmanager6_business_trial': (55240, 'soft', {}, (TRIAL,)),
    'vmmanager6': (55163, 'platform', {'nodes': 55165, 'vms': 55164}, (1, 12, TRIAL)),
    'dcimanager6': (55161, 'platform', {}, (1, 12, TRIAL)),
    'cloudlinux': (9203, 'softexternal', {}, (1,)),
    'softaculous': (9204, 'softexternal', {}, (1,)),
    'kernelcare': (11738, 'softexternal', {}, (1,)),
    'ispmanager_lite': (3541, 'soft', {}, (1, 12)),
    'ispmanager_business': (4601, 'soft', {'nodes': 4602}, (1, 12)),
    'billmanager': (5577, 'soft', {}, (1, 12)),
    'billmanager_corporate': (5579, 'soft', {}, (1, 12)),
    'vmmanager_kvm': (3045, 'soft', {'nodes': 3049}, (1, 12)),
    'vmmanager_cloud': (3887, 'soft', {'nodes': 3889}, (1, 12)),
    'vmmanager_ovz': (3651, 'soft', {'nodes': 3698}, (1, 12)),
    'dcimanager': (3934, 'soft', {}, (1, 12)),
    'dcimanager_enterprise': (3936, 'soft', {}, (1, 12)),
    'dnsmanager': (3136, 'soft', {}, (1, 12)),
    'ipmanager': (2891, 'soft', {}, (1, 12)),
}
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def test_the_catalog_is_the_interface_table():
    assert dict((p.name, (p.pricelist, p.family, p.addons, p.periods)) for p in PRODUCTS.values()) == INTERFACE
    assert len(PRODUCT_BY_PRICELIST) == len(PRODUCTS)  # no tariff id twice


def test_every_product_names_a_family_of_the_table():
    assert set(p.family for p in PRODUCTS.values()) == set(FAMILIES) == set(_catalog.FAMILY_NAMES)
    assert FAMILIES['soft'].functions['checkip'] == 'soft.checkip'
    assert not FAMILIES['platform'].ip_bound and FAMILIES['platform'].name_field == 'comment'


def test_catalog_entry_is_what_the_role_reads():
    assert catalog_entry(55230) == dict(product='ispmanager6_business', pricelist=55230, family='soft', panel='ispmgr',
                                        addons={'nodes': 55236}, periods=[1, 12], trial=False, trial_only=False)
    assert catalog_entry(9203)['panel'] is None and catalog_entry(55239)['trial_only'] is True
    assert catalog_entry(777) is None


def _doc_options(module):
    path = os.path.join(REPO, 'plugins', 'modules', module + '.py')
    with open(path, encoding='utf-8') as handle:
        source = handle.read()
    start = source.index("DOCUMENTATION = r'''") + len("DOCUMENTATION = r'''")
    return yaml.safe_load(source[start:source.index("'''", start)])['options']


@pytest.mark.parametrize('module', ['isp_license', 'isp_license_info', 'isp_license_check'])
def test_documented_product_choices_are_the_catalog(module):
    # DOCUMENTATION must be a literal for ansible-doc: this keeps it equal to the catalog.
    assert sorted(_doc_options(module)['product']['choices']) == sorted(PRODUCTS)


@pytest.mark.parametrize('module', ['isp_license', 'isp_license_info', 'isp_license_check'])
def test_documented_family_choices_are_the_families(module):
    assert sorted(_doc_options(module)['family']['choices']) == sorted(FAMILIES)
