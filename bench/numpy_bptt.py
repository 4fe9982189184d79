"""
The forward and backward pass of "BPTT Derivations" (eqs 1.1-1.7, 4.1-4.9) in float64 numpy, written the way
min-char-rnn writes its BPTT: one column vector per step, np.dot per step, outer products accumulated per step.
It is the peer `npm run bench` times ours against, in the same run, alternating with ours.

It speaks bench/peer_protocol.py's line protocol.
"""
import numpy as np

from peer_protocol import serve


def loss_and_grads(E, U, W, b, V, c, inputs, targets, h0):
    tau = len(inputs)
    xs, hs, ps = {}, {-1: h0}, {}
    loss = 0.0
    for t in range(tau):
        xs[t] = E[inputs[t]]  # eq 1.3
        hs[t] = np.tanh(np.dot(U, xs[t]) + np.dot(W, hs[t - 1]) + b)  # eqs 1.4-1.5 (column form of h W^T)
        o = np.dot(V, hs[t]) + c  # eq 1.6
        m = o.max()
        e = np.exp(o - m)
        z = e.sum()
        ps[t] = e / z  # eq 1.7
        loss += np.log(z) - (o[targets[t]] - m)  # eq 1.1
    dE, dU, dW = np.zeros_like(E), np.zeros_like(U), np.zeros_like(W)
    db, dV, dc = np.zeros_like(b), np.zeros_like(V), np.zeros_like(c)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(tau)):
        do = ps[t].copy()
        do[targets[t]] -= 1
        do /= tau  # eq 4.1
        dV += np.outer(do, hs[t])  # eq 4.6
        dc += do  # eq 4.4
        dh = np.dot(V.T, do) + dh_next  # eqs 4.2-4.3
        da = (1 - hs[t] * hs[t]) * dh
        db += da  # eq 4.5
        dW += np.outer(da, hs[t - 1])  # eq 4.7
        dU += np.outer(da, xs[t])  # eq 4.8
        dE[inputs[t]] += np.dot(U.T, da)  # eq 4.9
        dh_next = np.dot(W.T, da)
    return loss / tau, {"E": dE, "U": dU, "W": dW, "b": db, "V": dV, "c": dc}


def load(msg):
    arr = {k: np.array(msg[k], dtype=np.float64) for k in ("E", "U", "W", "b", "V", "c", "h0")}
    return (arr["E"], arr["U"], arr["W"], arr["b"], arr["V"], arr["c"], list(msg["inputs"]), list(msg["targets"]), arr["h0"])


def grads(model):
    loss, g = loss_and_grads(*model)
    return {"loss": loss, **{k: v.tolist() for k, v in g.items()}}


if __name__ == "__main__":
    serve(load, grads, lambda model: loss_and_grads(*model))
