#!/bin/sh
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The ISPsystem panel installer as the BILLmanager sandbox's mirror serves it
# (GET /mirror/install.sh). Same command line as the vendor's:
#
#   ACTIVATION_KEY=<key> sh install.sh [--release stable] [--silent] <product>
#   ACTIVATION_KEY_FILE=<file> sh install.sh ...   (sandbox only, see below)
#
# It installs no panel, only what a panel host needs to hold a license: the
# panel's licctl under the panel root, a record of the installed product, and
# then `licctl fetch <mgr>` with the key against the sandbox's license server
# (the URLs below are filled in by the mirror that served this file). The key
# goes to licctl in its environment (LICCTL_KEY), never in its arguments.
#
# Environment:
#   ACTIVATION_KEY    the license key; without it the panel is installed unlicensed
#   ACTIVATION_KEY_FILE  a file holding the key, read when ACTIVATION_KEY is unset
#                     (sandbox only: the vendor's installer reads ACTIVATION_KEY alone)
#   PANEL_ARGV_LOG    a file to which the installer and licctl append their
#                     command lines (sandbox only: tests check that no key is there)
#   MGR_ROOT          the panel root (sandbox only; the vendor's is /usr/local/mgr5)
#   LICCTL_SOURCE_IP  the address licctl connects from (sandbox only: on one test
#                     machine every panel host is a loopback address); kept in
#                     <root>/etc/licctl.conf
#   LICCTL_PYTHON     the Python 3 that runs licctl (default: python3 on PATH)

set -eu

if [ -n "${PANEL_ARGV_LOG:-}" ]; then
    printf 'install.sh %s\n' "$*" >> "$PANEL_ARGV_LOG"
fi

MIRROR_URL='@@MIRROR_URL@@'
LICSERVER_URL='@@LICSERVER_URL@@'

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }
usage() {
    printf 'usage: [ACTIVATION_KEY=<key>] %s [--release stable|beta] [--silent] <product>\n' "$0"
    printf 'products: ispmanager*, billmanager*, vmmanager*, dcimanager*, dnsmanager*, ipmanager*\n'
    printf '          (or the panel name: ispmgr, billmgr, vmmgr, dcimgr, dnsmgr, ipmgr)\n'
}

release=stable
silent=no
product=
while [ $# -gt 0 ]; do
    case "$1" in
        --release) [ $# -ge 2 ] || die "--release needs a value"; release=$2; shift 2 ;;
        --release=*) release=${1#--release=}; shift ;;
        --silent) silent=yes; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; die "unknown option: $1" ;;
        *) [ -z "$product" ] || die "one product only, got '$product' and '$1'"; product=$1; shift ;;
    esac
done
[ -n "$product" ] || { usage >&2; die "no product given"; }
case "$release" in
    stable|beta) ;;
    *) die "unknown release '$release' (stable or beta)" ;;
esac
case "$product" in
    ispmgr|ispmanager*) mgr=ispmgr ;;
    billmgr|billmanager*) mgr=billmgr ;;
    vmmgr|vmmanager*) mgr=vmmgr ;;
    dcimgr|dcimanager*) mgr=dcimgr ;;
    dnsmgr|dnsmanager*) mgr=dnsmgr ;;
    ipmgr|ipmanager*) mgr=ipmgr ;;
    *) die "unknown product '$product'" ;;
esac

root=${MGR_ROOT:-/usr/local/mgr5}
case "$root" in
    /*) ;;
    *) die "MGR_ROOT must be an absolute path, got '$root'" ;;
esac
if [ -z "${MGR_ROOT:-}" ] && [ "$(id -u)" != 0 ]; then
    die "run me as root (or give MGR_ROOT, a panel root you can write)"
fi

python=${LICCTL_PYTHON:-$(command -v python3 || true)}
[ -n "$python" ] || die "python3 is needed (set LICCTL_PYTHON to its path)"

download() {  # URL FILE
    if command -v curl >/dev/null 2>&1; then
        curl -fsS --retry 2 -o "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget -q -O "$2" "$1"
    else
        die "curl or wget is needed to download $1"
    fi
}

[ "$silent" = yes ] || say "installing $product ($mgr, release $release) under $root"
mkdir -p "$root/sbin" "$root/etc" "$root/var"
tmp="$root/sbin/.licctl.$$"
trap 'rm -f "$tmp" "$tmp.src"' EXIT
download "$MIRROR_URL/licctl" "$tmp.src" || { rm -f "$tmp.src"; die "cannot download licctl from $MIRROR_URL"; }
{ printf '#!%s\n' "$python"; cat "$tmp.src"; } > "$tmp"
rm -f "$tmp.src"
chmod 0755 "$tmp"
mv -f "$tmp" "$root/sbin/licctl"

umask 077
{
    printf 'licserver=%s\n' "$LICSERVER_URL"
    printf 'source_ip=%s\n' "${LICCTL_SOURCE_IP:-}"
} > "$root/etc/licctl.conf"
{
    printf 'product=%s\n' "$product"
    printf 'mgr=%s\n' "$mgr"
    printf 'release=%s\n' "$release"
    printf 'installed=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$root/etc/install.conf"
[ "$silent" = yes ] || say "$product installed"

if [ -z "${ACTIVATION_KEY:-}" ] && [ -n "${ACTIVATION_KEY_FILE:-}" ]; then
    ACTIVATION_KEY=$(cat "$ACTIVATION_KEY_FILE") || die "cannot read ACTIVATION_KEY_FILE $ACTIVATION_KEY_FILE"
fi
if [ -z "${ACTIVATION_KEY:-}" ]; then
    say "no ACTIVATION_KEY: $mgr is installed without a license; run: $root/sbin/licctl fetch $mgr <key>"
    exit 0
fi
if ! LICCTL_KEY=$ACTIVATION_KEY "$root/sbin/licctl" fetch "$mgr"; then
    die "$mgr is installed under $root, but its license could not be activated (see licctl's message above)"
fi
[ "$silent" = yes ] || say "$mgr is licensed"
exit 0
