#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: isp_license_check
short_description: Check whether an IP can take an ISPsystem software license
version_added: 0.1.0
description:
  - Asks the billing system (C(func=soft.checkip)) whether a license of a tariff can be
    ordered for an IP, without ordering anything and without charging the account.
  - An IP that cannot take the license is an answer, not a failure. The task succeeds with
    RV(available=false) and the billing system's RV(reason) (for example, the IP already has a
    license of that tariff). Bad credentials, a tariff the billing system does not know, an
    invalid period and transport failures (timeout, TLS, HTTP errors) fail the task.
  - Never changes anything.
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
    details: The module only asks; check mode asks too and returns the same result.
  diff_mode:
    support: N/A
    details: The module changes nothing.
options:
  ip:
    description:
      - The IPv4 or IPv6 address the license would be bound to.
    type: str
    required: true
  product:
    description:
      - The tariff by its catalog name (see M(ispsystem.billmanager.isp_license) for the
        catalog). One of O(product) and O(pricelist) is required; they are mutually exclusive.
    type: str
    choices: [billmanager, billmanager_corporate, cloudlinux, dcimanager, dcimanager6,
                dcimanager_enterprise, dnsmanager, ipmanager, ispmanager6_business,
                ispmanager6_business_trial, ispmanager6_host, ispmanager6_lite, ispmanager6_pro,
                ispmanager6_trial, ispmanager_business, ispmanager_lite, kernelcare, softaculous,
                vmmanager6, vmmanager_cloud, vmmanager_kvm, vmmanager_ovz]
  pricelist:
    description:
      - The tariff by its raw id, for a tariff not in the catalog of O(product).
    type: int
  period:
    description:
      - The period in months the license would be ordered for.
    type: int
    choices: [1, 12]
    default: 1
  trial:
    description:
      - Ask about the trial period (C(-100)) instead; implied by a trial-only product.
    type: bool
    default: false
  family:
    description:
      - The family of a raw O(pricelist). Only V(soft) has C(soft.checkip); for the others
        the task fails and says so, rather than guessing.
    type: str
    choices: [soft, platform, softexternal]
notes:
  - The answer holds only for the moment of the call; another order can take the IP before
    yours. M(ispsystem.billmanager.isp_license) reports the billing system's refusal as well.
seealso:
  - module: ispsystem.billmanager.isp_license
  - module: ispsystem.billmanager.isp_license_info
'''

EXAMPLES = r'''
- name: Can 203.0.113.10 take an ISPmanager 6 Lite license?
  ispsystem.billmanager.isp_license_check:
    api_username: reseller
    api_password: "{{ billmanager_password }}"
    ip: 203.0.113.10
    product: ispmanager6_lite
  register: check

- name: Order it only when it can
  ispsystem.billmanager.isp_license:
    api_username: reseller
    api_password: "{{ billmanager_password }}"
    ip: 203.0.113.10
    product: ispmanager6_lite
  when: check.available

- name: Say why not
  ansible.builtin.debug:
    msg: "No license for 203.0.113.10: {{ check.reason }}"
  when: not check.available

- name: Check a tariff by its raw id (ISPmanager 6 Pro here), for a year
  ispsystem.billmanager.isp_license_check:
    ip: 2001:db8::10
    pricelist: 55228
    period: 12

- name: Check the trial of a trial-only product (its period is implied)
  ispsystem.billmanager.isp_license_check:
    ip: 2001:db8::11
    product: ispmanager6_trial
'''

RETURN = r'''
available:
  description: Whether the IP can take a license of that tariff now.
  returned: success
  type: bool
  sample: false
reason:
  description: The billing system's message when RV(available) is false, else null.
  returned: success
  type: str
  sample: A license of this type for IP 203.0.113.10 already exists
api_error:
  description: The failed API call, in the billing system's own words.
  returned: failure of an API call
  type: dict
  contains:
    function:
      description: The API function that failed.
      type: str
      sample: soft.checkip
    kind:
      description: V(auth), V(billing), V(http), V(format), V(timeout), V(tls) or V(connection).
      type: str
      sample: billing
    type:
      description: The billing system's error type.
      type: str
      sample: value
    object:
      description: The billing system's error object.
      type: str
      sample: pricelist
    message:
      description: The billing system's message.
      type: str
      sample: Tariff plan 99999 not found
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

from ansible_collections.ispsystem.billmanager.plugins.module_utils import _isp_license_check
from ansible_collections.ispsystem.billmanager.plugins.module_utils._operation import run_module


def main():
    run_module(AnsibleModule, _isp_license_check)


if __name__ == '__main__':
    main()
