# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by tests/run-suite and tests/demo: installs the Debian packages
# the build and the tests need, and only those that are missing.
# `msnp_install_deps $msnp_packaging_deps` adds what tests/packaging/check
# needs (tests/run-suite --packaging and .ci/run do).

# The packaging checks: meson dist (git), the Debian build (dpkg-dev, debhelper, fakeroot),
# lintian, blhc (hardening flags in the build log) and appstreamcli.
msnp_packaging_deps="git dpkg-dev debhelper fakeroot lintian blhc appstream"

msnp_install_deps() {
  # The second half: the real hosts of tests/hosts (Pidgin under Xvfb with
  # openbox, driven over D-Bus with gdbus and xdotool, screenshots with
  # ImageMagick's import; pidgin-otr for the OTR check; Finch in tmux;
  # BitlBee) and the demo's second client.
  local pkgs="meson ninja-build pkg-config gcc clang libclang-rt-14-dev
    libglib2.0-dev libpurple-dev libjson-glib-dev libxml2-dev gettext
    python3 openssl finch tmux prosody lua-sec
    xvfb pidgin openbox dbus dbus-x11 libglib2.0-bin python3-dbus python3-gi
    libpurple-bin imagemagick xdotool bitlbee-libpurple pidgin-otr $*"
  local missing=""
  for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
      || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  echo "Installing:$missing"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
}
