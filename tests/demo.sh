#!/bin/sh
# make demo: the main job on a fresh lab root under build/demo-root.
top=$(cd "$(dirname "$0")/.." && pwd)
root="$top/build/demo-root"
exec "$top/bin/maillab" --root "$root" demo "$@"
