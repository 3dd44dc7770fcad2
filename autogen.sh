#!/bin/sh
# Generate configure and Makefile.in from a git checkout.
set -eu
cd "$(dirname "$0")"
mkdir -p build-aux m4
autoreconf -fi
# The TAP test driver ships with automake; use the installed copy.
cp -f "$(automake --print-libdir)/tap-driver.sh" build-aux/tap-driver.sh
