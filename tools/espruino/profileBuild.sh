#!/usr/bin/env bash
# Builds a profiling copy of the native Espruino 2v29 interpreter (tools/speedProfile.ts uses it):
# the release source with one hook in jspeFunctionCall, in a cache outside the work tree.
#   ZBMS_MARK1 / ZBMS_MARK2 = a prefix of a JS function's code: its calls go through the C
#     functions zbmsMarked1 / zbmsMarked2, so callgrind counts that function's instructions alone;
#   ZBMS_PROF=1: at exit, per JS function (named by its code's first characters) the calls and
#     inclusive cycles (rdtsc) on stderr, "A <ref> <calls> <cycles> <code>".
# Output: node_modules/.cache/espruino-profile/<hash>/espruino (prints that path).
# Source and packages as for build.sh (ESPRUINO_SRC or ../shared/espruino/src; make gcc python3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
src="${ESPRUINO_SRC:-$repo/../shared/espruino/src}"
tarball="$src/espruino-2v29-src.tar.gz"
[ -f "$tarball" ] || { echo "espruino-profile: no $tarball (set ESPRUINO_SRC to the folder holding it)" >&2; exit 3; }
hash="$( (sha256sum "$tarball"; sha256sum "$0") | sha256sum | cut -c1-16)"
out="$repo/node_modules/.cache/espruino-profile/$hash"
if [ -x "$out/espruino" ]; then echo "$out/espruino"; exit 0; fi
dir="$out/src"
rm -rf "$dir" && mkdir -p "$dir"
tar -xzf "$tarball" -C "$dir" --strip-components=1
python3 - "$dir/src/jsparse.c" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
head = "NO_INLINE JsVar *jspeFunctionCall(JsVar *function, JsVar *functionName, JsVar *thisArg, bool isParsing, int argCount, JsVar **argPtr) {"
assert s.count(head) == 1, "jspeFunctionCall not found once in " + p
hook = r'''#include <stdio.h>
#include <x86intrin.h>
/* zbms profiling hook (tools/espruino/profileBuild.sh) */
static JsVar *jspeFunctionCall_(JsVar *function, JsVar *functionName, JsVar *thisArg, bool isParsing, int argCount, JsVar **argPtr);
static __attribute__((noinline)) JsVar *zbmsMarked1(JsVar *f, JsVar *n, JsVar *t, bool p, int c, JsVar **a) { return jspeFunctionCall_(f, n, t, p, c, a); }
static __attribute__((noinline)) JsVar *zbmsMarked2(JsVar *f, JsVar *n, JsVar *t, bool p, int c, JsVar **a) { return jspeFunctionCall_(f, n, t, p, c, a); }
static unsigned char zbmsKind[65536]; /* 0 unknown, 1 plain, 2 mark 1, 3 mark 2 */
static unsigned long long zbmsCycles[65536], zbmsCalls[65536];
static char zbmsCode[65536][48];
static void zbmsDump(void) {
  for (int k = 0; k < 65536; k++) if (zbmsCalls[k]) fprintf(stderr, "A %d %llu %llu %s\n", k, zbmsCalls[k], zbmsCycles[k], zbmsCode[k][0] ? zbmsCode[k] : "-");
}
NO_INLINE JsVar *jspeFunctionCall(JsVar *function, JsVar *functionName, JsVar *thisArg, bool isParsing, int argCount, JsVar **argPtr) {
  static int init = 0, prof = 0;
  static const char *m1, *m2;
  if (!init) { init = 1; m1 = getenv("ZBMS_MARK1"); m2 = getenv("ZBMS_MARK2"); prof = getenv("ZBMS_PROF") != 0; if (prof) atexit(zbmsDump); }
  if (!function || !JSP_SHOULD_EXECUTE || (!m1 && !m2 && !prof)) return jspeFunctionCall_(function, functionName, thisArg, isParsing, argCount, argPtr);
  unsigned int ref = (unsigned int)jsvGetRef(function) & 65535;
  if (!zbmsKind[ref]) {
    char *buf = zbmsCode[ref];
    JsVar *code = jsvObjectGetChildIfExists(function, JSPARSE_FUNCTION_CODE_NAME);
    buf[0] = 0;
    if (code) { jsvGetStringChars(code, 0, buf, 47); buf[47] = 0; jsvUnLock(code); }
    zbmsKind[ref] = (m1 && strncmp(buf, m1, strlen(m1)) == 0) ? 2 : (m2 && strncmp(buf, m2, strlen(m2)) == 0) ? 3 : 1;
    for (int k = 0; buf[k]; k++) if ((unsigned char)buf[k] <= ' ' || (unsigned char)buf[k] > 126) buf[k] = '_';
  }
  unsigned long long t0 = __rdtsc();
  JsVar *r = zbmsKind[ref] == 2 ? zbmsMarked1(function, functionName, thisArg, isParsing, argCount, argPtr)
           : zbmsKind[ref] == 3 ? zbmsMarked2(function, functionName, thisArg, isParsing, argCount, argPtr)
           : jspeFunctionCall_(function, functionName, thisArg, isParsing, argCount, argPtr);
  zbmsCycles[ref] += __rdtsc() - t0;
  zbmsCalls[ref]++;
  return r;
}
static JsVar *jspeFunctionCall_(JsVar *function, JsVar *functionName, JsVar *thisArg, bool isParsing, int argCount, JsVar **argPtr) {'''
s = s.replace(head, hook, 1)
open(p, "w").write(s)
PY
(cd "$dir" && PATH="$dir/vendor-bin:$PATH" make BOARD=LINUX PYTHON=python3 -j"$(nproc)" >"$out/build.log" 2>&1) \
  || { tail -30 "$out/build.log" >&2; echo "espruino-profile: build failed (log: $out/build.log)" >&2; exit 1; }
cp "$dir/bin/espruino" "$out/espruino"
rm -rf "$dir"
echo "$out/espruino"
