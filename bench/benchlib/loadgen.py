"""Running bench/build/loadgen: one call, one key=value result line."""
import subprocess
import time

from .config import LOADGEN, OTHER_MAX, RETRIES


def parse_kv(line):
    d = {}
    for tok in line.split():
        if "=" in tok:
            k, v = tok.split("=", 1)
            try:
                d[k] = float(v)
            except ValueError:
                d[k] = v
    return d


def loadgen(state, args, timeout):
    try:
        r = subprocess.run([LOADGEN] + args, capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"error": "timeout"}
    line = next((l for l in r.stdout.splitlines() if l.startswith("loadgen ")), "")
    state.log_lines.append(line or ("loadgen failed: " + r.stderr.strip()))
    if not line:
        return {"error": "no output (exit %d)" % r.returncode}
    return parse_kv(line)


def retrying(state, attempt):
    """Runs attempt() (one loadgen result) again while other processes kept
    more than OTHER_MAX cores busy, within the retry budget; keeps the result
    with the least outside load."""
    res = None
    for n in range(1 + RETRIES):
        t0 = time.time()
        r = attempt()
        if res is None or "error" in res or (
                "error" not in r and r.get("other_cores", 0) < res.get("other_cores", 0)):
            res = r
        if "error" in r or r.get("other_cores", 0) <= OTHER_MAX:
            break
        if state.retry_budget <= 0 or n == RETRIES:
            break
        state.retried += 1
        time.sleep(0.3)
        state.retry_budget -= time.time() - t0 + 0.3
    return res
