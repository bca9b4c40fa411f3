#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: isp_license_info
short_description: Read ISPsystem software licenses bought through BILLmanager
version_added: 0.1.0
description:
  - Returns the licenses of the reseller's account that match every given filter (the filters
    are combined with AND); without filters, every license that is not deleted.
  - Reads the whole list with one API call (C(func=soft)) and filters it in memory, so an
    account with thousands of licenses costs one request. With O(details=true) it reads each
    matching license once more (C(soft.edit)) for its key and exact tariff, and no other one.
  - Never changes anything.
  - Use M(ispsystem.billmanager.isp_license) to change a license, and the inventory plugin
    P(ispsystem.billmanager.licenses#inventory) to work with the licensed servers as hosts.
author:
  - ispsystem.billmanager maintainers (@ispsystem)
extends_documentation_fragment:
  - ispsystem.billmanager.connection
  - ispsystem.billmanager.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details: The module only reads; check mode returns the same result.
  diff_mode:
    support: N/A
    details: The module changes nothing.
options:
  id:
    description:
      - Only the license with this id (C(elid)).
    type: int
  licname:
    description:
      - Only the licenses with exactly this name.
    type: str
  ip:
    description:
      - Only the licenses bound to this IPv4 or IPv6 address. Addresses are compared in their
        canonical form, so V(2001:db8::1) finds a license on V(2001:0db8:0:0:0:0:0:1).
    type: str
  product:
    description:
      - Only the licenses of this tariff, by its catalog name (see
        M(ispsystem.billmanager.isp_license) for the catalog). Mutually exclusive with
        O(pricelist).
    type: str
    choices: [billmanager, billmanager_corporate, cloudlinux, dcimanager, dcimanager6,
                dcimanager_enterprise, dnsmanager, ipmanager, ispmanager6_business,
                ispmanager6_business_trial, ispmanager6_host, ispmanager6_lite, ispmanager6_pro,
                ispmanager6_trial, ispmanager_business, ispmanager_lite, kernelcare, softaculous,
                vmmanager6, vmmanager_cloud, vmmanager_kvm, vmmanager_ovz]
  pricelist:
    description:
      - Only the licenses of this tariff, by its raw id. Mutually exclusive with O(product).
    type: int
  status:
    description:
      - Only the licenses with one of these statuses.
      - Without it, every status but V(deleted). Deleted licenses stay in the billing system's
        list; they are returned only when this option names V(deleted).
    type: list
    elements: str
    choices: [active, deleted, ordered, processing, suspended, unknown]
  expiring_within_days:
    description:
      - Only the licenses that end within this many days from today (on the controller's
        clock), those already past their end date included. V(0) finds the licenses that end
        today or have ended.
      - Licenses without an end date never match.
    type: int
  family:
    description:
      - Only the licenses of these families. Without it, all three; a family the filters
        leave impossible (a O(product) of another family) is not listed at all.
    type: list
    elements: str
    choices: [soft, platform, softexternal]
  parked:
    description:
      - V(true) only the licenses in the reuse pool (IP C(0.0.0.0)), V(false) none of them.
        Without it both.
    type: bool
  details:
    description:
      - Also read each matching license's key and exact tariff, one C(.edit) call per
        license. Without it RV(licenses[].key) is null.
    type: bool
    default: false
notes:
  - Runs on the host that talks to the API; the collection's action plugin runs it inside the
    controller's own process when that host is the controller.
seealso:
  - module: ispsystem.billmanager.isp_license
  - module: ispsystem.billmanager.isp_license_check
  - plugin: ispsystem.billmanager.licenses
    plugin_type: inventory
'''

EXAMPLES = r'''
- name: Read every license that is not deleted
  ispsystem.billmanager.isp_license_info:
    api_username: reseller
    api_password: "{{ billmanager_password }}"
  register: all_licenses

- name: Licenses that end within 30 days (a renewal report in one task)
  ispsystem.billmanager.isp_license_info:
    expiring_within_days: 30
  register: expiring

- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.id }} {{ item.licname }} {{ item.ip }} ends {{ item.expiredate }}"
  loop: "{{ expiring.licenses }}"
  loop_control:
    label: "{{ item.id }}"

- name: The ISPmanager 6 Lite license of one server, with its key
  ispsystem.billmanager.isp_license_info:
    ip: 203.0.113.10
    product: ispmanager6_lite
    details: true
  register: web1

- name: Use the key
  ansible.builtin.debug:
    msg: "{{ web1.licenses[0].key }}"
  when: web1.licenses | length > 0

- name: Suspended and deleted licenses of a tariff that is not in the catalog
  ispsystem.billmanager.isp_license_info:
    pricelist: 55239
    status: [suspended, deleted]
'''

RETURN = r'''
licenses:
  description:
    - The licenses that match every filter, ordered by id; an empty list when none does.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The license id (C(elid)).
      type: int
      sample: 1234
    licname:
      description: The license name.
      type: str
      sample: web1.example.com
    ip:
      description: The IP the license is bound to.
      type: str
      sample: 203.0.113.10
    pricelist:
      description: The tariff id; with O(details=true) the exact one from the license itself.
      type: int
      sample: 55227
    product:
      description: The catalog name of the tariff, null when it is not in the catalog.
      type: str
      sample: ispmanager6_lite
    status:
      description: One of V(ordered), V(active), V(suspended), V(deleted), V(processing), V(unknown).
      type: str
      sample: active
    expiredate:
      description: The day the license ends, C(YYYY-MM-DD); null when the billing system shows none.
      type: str
      sample: '2026-12-27'
    autoprolong:
      description: The automatic renewal period in months, null when off.
      type: int
      sample: 1
    key:
      description: The license key with O(details=true); null without it, or when not (yet) issued.
      type: str
      sample: 8f14e45fceea167a5a36dedd4bea2543
    family:
      description: The family of API functions the license is handled with, V(soft), V(platform) or V(softexternal).
      type: str
      sample: soft
    addons:
      description: Addon id to amount, as far as the billing shows them; empty when none or not read.
      type: dict
      sample: {'55236': 2}
    parked:
      description: True when the license waits in the reuse pool (IP C(0.0.0.0)).
      type: bool
      sample: false
  sample:
    - id: 1234
      licname: web1.example.com
      ip: 203.0.113.10
      pricelist: 55227
      product: ispmanager6_lite
      status: active
      expiredate: '2026-12-27'
      autoprolong: 1
      key: null
      family: soft
      addons: {}
      parked: false
api_error:
  description: The failed API call, in the billing system's own words.
  returned: failure of an API call
  type: dict
  contains:
    function:
      description: The API function that failed.
      type: str
      sample: soft
    kind:
      description: V(auth), V(billing), V(http), V(format), V(timeout), V(tls) or V(connection).
      type: str
      sample: auth
    type:
      description: The billing system's error type.
      type: str
      sample: auth
    object:
      description: The billing system's error object.
      type: str
      sample: badpassword
    message:
      description: The billing system's message.
      type: str
      sample: Invalid username or password
    status:
      description: The HTTP status, when there was one.
      type: int
      sample: 200
    ambiguous:
      description: Always false here; this module changes nothing.
      type: bool
      sample: false
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ispsystem.billmanager.plugins.module_utils import _isp_license_info
from ansible_collections.ispsystem.billmanager.plugins.module_utils._operation import run_module


def main():
    run_module(AnsibleModule, _isp_license_info)


if __name__ == '__main__':
    main()
