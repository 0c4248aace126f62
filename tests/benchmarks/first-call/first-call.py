#!/usr/bin/env python3
"""First call of every catalogue expert in a fresh `polymath serve` process, whole-process (docs/performance.md).

For each run: start `polymath serve --socket … [extra options]`, call the first example of each expert
(experts/conformance/examples.jsonl) once, in catalogue order, recording the service's `latency_ns` and the runtime
that answered; then wait until no expert has a `pending_runtime` (tier-up done) and call each again. Prints, per
expert, the median over the runs of the first call and of the call after tier-up.

  tests/benchmarks/first-call/first-call.py --runs 5 -- --platform linux-arm
  tests/benchmarks/first-call/first-call.py --runs 5 -- --platform linux-arm --Experts:TierUp=false
"""
import argparse, json, os, socket, statistics, subprocess, sys, tempfile, time

root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


class Client:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.f = self.s.makefile("rb")
        self.next_id = 0

    def request(self, method, params=None):
        self.next_id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params or {}}).encode()
        self.s.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        length = None
        while (line := self.f.readline().strip()):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        reply = json.loads(self.f.read(length))
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]


def examples():
    first = {}
    with open(os.path.join(root, "experts", "conformance", "examples.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            first.setdefault(e["expert"], e)
    return first


def one_run(extra, cases):
    tmp = tempfile.mkdtemp(prefix="polymath-first-call-")
    sock = os.path.join(tmp, "s.sock")
    proc = subprocess.Popen([os.path.join(root, "polymath"), "serve", "--socket", sock, *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(600):
            if os.path.exists(sock):
                break
            if proc.poll() is not None:
                sys.exit(f"polymath serve exited {proc.returncode}: {proc.stderr.read().decode()}")
            time.sleep(0.05)
        client = Client(sock)
        first, after = {}, {}
        for expert, e in cases.items():
            r = client.request("call", {"op": e["op"], "args": e["args"]})
            first[expert] = (r["latency_ns"] / 1e6, r.get("runtime"), r["outcome"])
        deadline = time.time() + 120
        while any("pending_runtime" in x for x in client.request("experts.list")["experts"]):
            if time.time() > deadline:
                sys.exit("tier-up did not finish within 120 s")
            time.sleep(0.1)
        for expert, e in cases.items():
            r = client.request("call", {"op": e["op"], "args": e["args"]})
            after[expert] = (r["latency_ns"] / 1e6, r.get("runtime"), r["outcome"])
        return first, after
    finally:
        proc.terminate()
        proc.wait(30)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("extra", nargs="*", help="options for polymath serve (after --)")
    a = ap.parse_args()
    cases = examples()
    runs = [one_run(a.extra, cases) for _ in range(a.runs)]
    print(f"polymath serve {' '.join(a.extra)}: median of {a.runs} runs, ms (the service's latency_ns)")
    print(f"{'expert':<14}{'op':<16}{'first call':>12}  {'runtime':<12}{'after tier-up':>14}  runtime")
    firsts, afters = [], []
    for expert, e in cases.items():
        f = statistics.median(r[0][expert][0] for r in runs)
        t = statistics.median(r[1][expert][0] for r in runs)
        firsts.append(f); afters.append(t)
        rf = "/".join(sorted({r[0][expert][1] or r[0][expert][2] for r in runs}))
        rt = "/".join(sorted({r[1][expert][1] or r[1][expert][2] for r in runs}))
        print(f"{expert:<14}{e['op']:<16}{f:>12.3f}  {rf:<12}{t:>14.3f}  {rt}")
    print(f"{'max':<30}{max(firsts):>12.3f}  {'':<12}{max(afters):>14.3f}")
    print(f"{'median':<30}{statistics.median(firsts):>12.3f}  {'':<12}{statistics.median(afters):>14.3f}")


if __name__ == "__main__":
    main()
