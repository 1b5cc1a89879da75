#!/usr/bin/env bash
# Builds the real Espruino 2v29 interpreter, once per (source, this script) hash, in two variants:
#   native/espruino  64-bit Linux (`make BOARD=LINUX`): fast, for behaviour and timing.
#   esp32/espruino   i386 with the ESP32's variable format (16 383 vars → 14-byte JsVars, 10 chars
#                    per extension var) and a fixed pool; run it under `qemu-i386 -L /`.
# Output: node_modules/.cache/espruino/<hash>/{native,esp32}/espruino (prints that folder).
#
# Source: $ESPRUINO_SRC (a folder holding espruino-2v29-src.tar.gz, or a checkout of tag
# RELEASE_2V29), else ../shared/espruino/src beside the repository.
# Debian packages: make gcc g++ libc6-dev python3 gcc-multilib g++-multilib qemu-user.
#
# Three patches, applied to our build copy only (see docs/espruino.md):
#  1. targets/linux/main.c: the pool size comes from $ESPRUINO_JSVARS (clamped to the built
#     maximum) in all five places an interpreter starts, so one build runs any pool size, as the
#     ESP32 sizes its pool at boot from free heap.
#  2. the Linux socket layer binds servers (the `--telnet` console) to 127.0.0.1, not all interfaces;
#  3. the `--telnet` console's port comes from $ESPRUINO_TELNET_PORT (default 2323, as upstream).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

src="${ESPRUINO_SRC:-$repo/../shared/espruino/src}"
tarball="$src/espruino-2v29-src.tar.gz"
if [ -f "$tarball" ]; then
  srcHash="$(sha256sum "$tarball" | cut -c1-16)"
elif [ -f "$src/Makefile" ] && [ -d "$src/targets/linux" ]; then
  srcHash="$( (cd "$src" && git rev-parse HEAD 2>/dev/null) || echo checkout)"
  srcHash="${srcHash:0:16}"
else
  echo "espruino: no Espruino source at '$src'." >&2
  echo "  Set ESPRUINO_SRC to a folder holding espruino-2v29-src.tar.gz, or to a checkout of" >&2
  echo "  Espruino's tag RELEASE_2V29 (git clone --branch RELEASE_2V29 --depth 1 <Espruino repo>)." >&2
  exit 3
fi
scriptHash="$(sha256sum "$0" | cut -c1-8)"
out="$repo/node_modules/.cache/espruino/$srcHash-$scriptHash"

for tool in make gcc g++ python3; do
  command -v "$tool" >/dev/null || { echo "espruino: '$tool' is missing (apt-get install make gcc g++ libc6-dev python3)" >&2; exit 3; }
done

# unpack VARIANT → a fresh, patched source copy in $out/VARIANT.src
unpack() {
  local dir="$out/$1.src"
  rm -rf "$dir" && mkdir -p "$dir"
  if [ -f "$tarball" ]; then
    tar -xzf "$tarball" -C "$dir" --strip-components=1
  else
    cp -a "$src/." "$dir/"
  fi
  python3 - "$dir" <<'PY'
import re, sys
d = sys.argv[1]
main = d + "/targets/linux/main.c"
s = open(main).read()
n = s.count("jsvInit(JSVAR_CACHE_SIZE)")
assert n == 5, f"expected 5 jsvInit calls in {main}, found {n}"
s = s.replace("jsvInit(JSVAR_CACHE_SIZE)", "jsvInit(zbmsPoolSize())")
helper = '''
/* zbms: pool size from $ESPRUINO_JSVARS, clamped to the built maximum (tools/espruino/build.sh) */
static unsigned int zbmsPoolSize(void) {
  const char *s = getenv("ESPRUINO_JSVARS");
  unsigned long n = s ? strtoul(s, 0, 10) : 0;
  if (JSVAR_CACHE_SIZE == 0) return 0; /* resizable pool (native build): size ignored */
  if (n == 0 || n > (unsigned long)JSVAR_CACHE_SIZE) return JSVAR_CACHE_SIZE;
  return (unsigned int)n;
}
'''
anchor = '#define CMD_NAME "espruino"\n'
assert anchor in s
s = s.replace(anchor, anchor + helper, 1)
open(main, "w").write(s)
net = d + "/libs/network/linux/network_linux.c"
t = open(net).read()
old = "serverInfo.sin_addr.s_addr = INADDR_ANY; // allow anyone to connect"
assert old in t, "server bind line not found in " + net
t = t.replace(old, "serverInfo.sin_addr.s_addr = htonl(INADDR_LOOPBACK); // zbms: local clients only")
open(net, "w").write(t)
tel = d + "/libs/network/telnet/jswrap_telnet.c"
u = open(tel).read()
old = "#define PORT 2323 // avoid needing root permissions"
assert old in u, "telnet port line not found in " + tel
u = u.replace(old, """#include <stdlib.h>
/* zbms: port from $ESPRUINO_TELNET_PORT (default 2323), so tests can run interpreters side by side */
static unsigned short zbmsTelnetPort(void) {
  const char *s = getenv("ESPRUINO_TELNET_PORT");
  unsigned long n = s ? strtoul(s, 0, 10) : 0;
  return (unsigned short)(n > 0 && n < 65536 ? n : 2323);
}
#define PORT zbmsTelnetPort()""")
open(tel, "w").write(u)
PY
}

build_native() {
  local dir="$out/native.src"
  unpack native
  (cd "$dir" && PATH="$dir/vendor-bin:$PATH" make BOARD=LINUX PYTHON=python3 -j"$(nproc)" >"$out/native.build.log" 2>&1) \
    || { tail -30 "$out/native.build.log" >&2; echo "espruino: native build failed (log: $out/native.build.log)" >&2; exit 1; }
  mkdir -p "$out/native" && cp "$dir/bin/espruino" "$out/native/espruino"
  rm -rf "$dir"
}

build_esp32() {
  local dir="$out/esp32.src"
  for tool in qemu-i386; do
    command -v "$tool" >/dev/null || { echo "espruino: '$tool' is missing (apt-get install qemu-user gcc-multilib g++-multilib)" >&2; exit 3; }
  done
  unpack esp32
  (cd "$dir" && PATH="$dir/vendor-bin:$PATH" VARIABLES=16383 \
      CFLAGS="-m32 -Wall -Wextra -Wconversion -fno-strict-aliasing -g" \
      LDFLAGS="-m32 -Winline -g" DEFINES="-DUSE_CALLFUNCTION_HACK" \
      make BOARD=LINUX PYTHON=python3 -j"$(nproc)" >"$out/esp32.build.log" 2>&1) \
    || { tail -30 "$out/esp32.build.log" >&2; echo "espruino: ESP32-format build failed (log: $out/esp32.build.log)" >&2; exit 1; }
  mkdir -p "$out/esp32" && cp "$dir/bin/espruino" "$out/esp32/espruino"
  rm -rf "$dir"
}

mkdir -p "$out"
exec 9>"$out/.lock"
flock 9
[ -x "$out/native/espruino" ] || build_native
[ -x "$out/esp32/espruino" ] || build_esp32
echo "$out"
