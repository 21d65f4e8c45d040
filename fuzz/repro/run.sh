#!/bin/sh
# Runs every reproducer of fuzz/repro against the built module and says
# which findings are still there. From the repository root:
#   make && sh fuzz/repro/run.sh                 # against build/
#   make SANITIZE=1 && SANITIZE=1 sh fuzz/repro/run.sh   # against build/san, under ASan
# Each *.lua exits 0 when its finding is gone ("ok"), 1 when it is still
# there; *.api_fuzz / *.values_fuzz are libFuzzer inputs, replayed in strict
# mode when build/fuzz/ has the harnesses (make fuzz-build).
cd "$(dirname "$0")/../.." || exit 2
build=build
preload=
if [ "$SANITIZE" = 1 ]; then
  build=build/san
  preload="$(gcc -print-file-name=libasan.so)"
fi
if [ ! -f "$build/dgram/core.so" ]; then
  echo "no $build/dgram/core.so: run make${SANITIZE:+ SANITIZE=1} first"
  exit 2
fi
still=0
for f in fuzz/repro/*.lua; do
  out=$(env ${preload:+LD_PRELOAD=$preload} ASAN_OPTIONS=detect_leaks=0 \
    LUA_PATH="./lua/?.lua;./lua/?/init.lua;;" LUA_CPATH="./$build/?.so;;" \
    timeout 60 lua5.4 "$f" 2>&1)
  st=$?
  if [ $st -eq 0 ]; then
    echo "fixed   $(basename "$f")"
  else
    still=$((still + 1))
    echo "PRESENT $(basename "$f") (exit $st)"
  fi
  echo "$out" | grep -v '^    #\|^$' | tail -n 4 | cut -c1-200 | sed 's/^/          /'
done
for f in fuzz/repro/*.api_fuzz fuzz/repro/*.values_fuzz; do
  [ -f "$f" ] || continue
  h=build/fuzz/${f##*.}
  if [ ! -x "$h" ]; then
    echo "skip    $(basename "$f") (no $h: make fuzz-build)"
    continue
  fi
  if FUZZ_STRICT=1 "$h" -runs=1 -detect_leaks=0 "$f" > /tmp/repro.$$ 2>&1; then
    echo "fixed   $(basename "$f")"
  else
    still=$((still + 1))
    echo "PRESENT $(basename "$f")"
    grep 'FUZZ TRAP\|ERROR: AddressSanitizer\|runtime error' /tmp/repro.$$ | head -n 2 | cut -c1-200 | sed 's/^/          /'
  fi
  rm -f /tmp/repro.$$
done
echo "$still finding(s) still present"
[ $still -eq 0 ]
