# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures of the reliability tests: a test CA and a server certificate for 127.0.0.1."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections

import pytest

from reliability_helpers import make_ca, make_server_cert

TlsFiles = collections.namedtuple('TlsFiles', 'ca cert key other_ca')


@pytest.fixture(scope='session')
def tls_files(tmp_path_factory):
    """A CA, a server certificate (chain file) and key for 127.0.0.1 signed by it, and an unrelated CA."""
    folder = tmp_path_factory.mktemp('tls')
    ca, ca_key, ca_cert = make_ca(folder)
    cert, key = make_server_cert(folder, ca_key, ca_cert)
    other, _key, _cert = make_ca(folder, name='Some Other CA')
    return TlsFiles(ca, cert, key, other)
