#!/bin/sh
# Builds the reference C receivers (recvmmsg_rx, uring_multishot_rx) used for comparison by the
# benchmarks. They are external tools, not part of the zgrnet library.
#
# Usage: bench/native/build.sh [OUT_DIR]     (default: bench/target/native)
# Exit 0 when gcc is present (uring_multishot_rx is skipped, with a message, when <liburing.h> is
# missing: apt-get install liburing-dev); exit 3 when gcc is absent; exit 1 when a compile fails.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../target/native"}
cc=${CC:-gcc}
cflags="-O2 -Wall -Wextra -Wno-sign-compare -std=gnu11"

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "build.sh: $cc not found: install gcc to build the reference receivers" >&2
    exit 3
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

"$cc" $cflags -o "$out/recvmmsg_rx" "$here/recvmmsg_rx.c"
echo "built: $out/recvmmsg_rx"

if printf '#include <liburing.h>\n' | "$cc" -E -x c - >/dev/null 2>&1; then
    "$cc" $cflags -o "$out/uring_multishot_rx" "$here/uring_multishot_rx.c" -luring
    echo "built: $out/uring_multishot_rx"
else
    rm -f "$out/uring_multishot_rx"
    echo "skipped: uring_multishot_rx: liburing-dev not installed (<liburing.h> not found)"
fi
