# SPDX-License-Identifier: ISC
#
# deb-lib.sh: building homegw's Debian package for the package tests
# (deb-amd64.test, deb-arm64.test, systemd-boot.test), sourced after
# tests/lib.sh.  The package is built from a copy of the source tree under
# tests/out/deb/<arch>/, so that dpkg-buildpackage's output (written to the
# parent of the source) and its build directory stay out of the checkout.

DEB_OUT=${HGW_DEB_OUT:-$HGW_SRC/tests/out/deb}

# deb_version: the one version, from configure.ac.
deb_version()
{
	sed -n 's/^AC_INIT(\[homegw\], *\[\([^]]*\)\].*/\1/p' \
	    "$HGW_SRC/configure.ac"
}

# deb_copy_source DIR: the files of the checkout (tracked, and new ones not
# ignored) into DIR/src, or the whole tree minus build output when this is
# not a git checkout (a release tarball).
deb_copy_source()
{
	rm -rf "$1/src"
	mkdir -p "$1/src"
	if git -C "$HGW_SRC" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$HGW_SRC" && git ls-files -z --cached --others \
		    --exclude-standard | xargs -0 cp --parents -P -t "$1/src")
	else
		tar -C "$HGW_SRC" --exclude=./tests/out --exclude='./build*' \
		    --exclude=./node_modules -cf - . | tar -C "$1/src" -xf -
	fi
}

# deb_build ARCH [dpkg-buildpackage options...]: build into $DEB_OUT/ARCH,
# log in $DEB_OUT/ARCH/build.log; prints the .deb's path.
deb_build()
{
	_arch=$1
	shift
	_dir=$DEB_OUT/$_arch
	rm -f "$_dir"/*.deb "$_dir"/*.changes "$_dir"/*.buildinfo
	deb_copy_source "$_dir" || return 1
	(cd "$_dir/src" && dpkg-buildpackage -b -us -uc "$@") \
	    >"$_dir/build.log" 2>&1 || {
		# Callers read the path from stdout: the log goes to stderr.
		diag "$(tail -30 "$_dir/build.log")" >&2
		return 1
	}
	ls "$_dir"/homegw_"$(deb_version)"_"$_arch".deb
}
