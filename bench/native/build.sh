#!/bin/sh
# Builds the reference C receivers (recvmmsg_rx, uring_multishot_rx) used for comparison by the
# benchmarks. They are external tools, not part of the zgrnet library.
#
# Usage: bench/native/build.sh [OUT_DIR]          (default: bench/target/native)
#        bench/native/build.sh --buildable       prints the programs this machine can build now
# Exit 0 when gcc is present (uring_multishot_rx is skipped, with a message, when <liburing.h> is
# missing: apt-get install liburing-dev); exit 3 when gcc is absent; exit 1 when a compile fails.
# A successful build writes OUT_DIR/build.manifest: one line per program, "built NAME" or
# "skipped NAME: WHY", so that a caller can tell an up-to-date build from a missing program
# (zgrnet bench rebuilds only when a source is newer or what is buildable changed).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-gcc}
cflags="-O2 -Wall -Wextra -Wno-sign-compare -std=gnu11"

have_cc() { command -v "$cc" >/dev/null 2>&1; }
have_liburing() { printf '#include <liburing.h>\n' | "$cc" -E -x c - >/dev/null 2>&1; }

if [ "${1:-}" = "--buildable" ]; then
    have_cc || exit 0
    echo recvmmsg_rx
    if have_liburing; then echo uring_multishot_rx; fi
    exit 0
fi

out=${1:-"$here/../target/native"}
if ! have_cc; then
    echo "build.sh: $cc not found: install gcc to build the reference receivers" >&2
    exit 3
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out/build.manifest"
manifest=""

"$cc" $cflags -o "$out/recvmmsg_rx" "$here/recvmmsg_rx.c"
echo "built: $out/recvmmsg_rx"
manifest="built recvmmsg_rx"

if have_liburing; then
    "$cc" $cflags -o "$out/uring_multishot_rx" "$here/uring_multishot_rx.c" -luring
    echo "built: $out/uring_multishot_rx"
    manifest="$manifest
built uring_multishot_rx"
else
    rm -f "$out/uring_multishot_rx"
    echo "skipped: uring_multishot_rx: liburing-dev not installed (<liburing.h> not found)"
    manifest="$manifest
skipped uring_multishot_rx: needs <liburing.h> (apt-get install liburing-dev)"
fi
printf '%s\n' "$manifest" > "$out/build.manifest"
