"""
The line protocol of bench/peer.ts for the Python peers (bench/numpy_bptt.py, bench/torch_bptt.py): one JSON object
per line on stdin, one reply per line on stdout.

  {"cmd": "load", "E": [[...]], "U": ..., "W": ..., "b": [...], "V": ..., "c": [...],
   "inputs": [...], "targets": [...], "h0": [...]}          -> {"ok": true}
  {"cmd": "grads"}                                          -> {"loss": L, "E": [[...]], ...}
  {"cmd": "time", "reps": n}                                -> {"seconds": total for n evaluations}
"""
import json
import sys
import time


def serve(load, grads, run):
    """load(msg) -> model; grads(model) -> the "grads" reply; run(model) is one evaluation, as timed."""
    model = None
    for line in sys.stdin:
        msg = json.loads(line)
        if msg["cmd"] == "load":
            model = load(msg)
            reply = {"ok": True}
        elif msg["cmd"] == "grads":
            reply = grads(model)
        elif msg["cmd"] == "time":
            t0 = time.perf_counter()
            for _ in range(msg["reps"]):
                run(model)
            reply = {"seconds": time.perf_counter() - t0}
        else:
            reply = {"error": "unknown command " + str(msg["cmd"])}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
