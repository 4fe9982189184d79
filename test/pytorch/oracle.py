"""
PyTorch autograd as an independent oracle for the unit tests (test/pytorch/oracle.ts runs it): every case of a test
file in ONE process (importing torch takes 1-2 s), float64, one thread. Reads {"cases": [...]} as JSON on stdin and
writes {"torch": version, "results": [...]} (one result per case, in order) as JSON on stdout. JSON carries float64
both ways exactly: JavaScript and Python both print the shortest repr that reads back to the same double.

Each case is run twice on the same torch.nn modules:
  - "module": the model as a PyTorch user writes it (nn.Embedding / nn.RNN(tanh, batch_first) / nn.Linear over the
    whole sequence), loss.backward(): the parameters' gradients and the forward values;
  - "unrolled": the same modules' parameters, one step at a time through the RNN's own defining formula
    h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) (the nn.RNN documentation's), with retain_grad() on every
    pre-activation, state and output. Each state feeds both the read-out of its step and the next step, so its .grad
    is the TOTAL derivative through every later step. (The .grad of nn.RNN's `output` would not be: nn.RNN hands the
    next step its own internal copy, so `output` carries only the read-out's share.)

Main derivation ("kind": "main"; A. Singh, BPTT Derivations): row vectors and [out, in] weights, PyTorch's own
convention, so E, U, W, b, V, c go into embedding.weight, weight_ih_l0, weight_hh_l0, bias_ih_l0, linear.weight,
linear.bias as they are; bias_hh_l0 = 0 (nn.RNN's two biases always appear summed, as b). The loss is
F.cross_entropy's mean over the τ steps (eqs 1.1-1.2).

Stacked RNN ("kind": "stacked"; J. Vera, Mathematics of Backpropagation Through Time): batch rows, weights that
multiply from the right, [in, out]. The convention mapping:
  Z_t^(l) = H_t^(l-1) W_xh^(l) + H_{t-1}^(l) W_hh^(l) + b^(l)      (X·W, rows are batch rows, H_t^(0) = X_t)
          = F.linear(H_t^(l-1), W_xh^(l)ᵀ, b^(l)) + F.linear(H_{t-1}^(l), W_hh^(l)ᵀ)
  so layer l is its own nn.RNN(h_{l-1}, h_l, tanh, batch_first=True) (the widths differ from layer to layer, which
  one nn.RNN(num_layers=L) cannot hold) with weight_ih_l0 = W_xh^(l)ᵀ, weight_hh_l0 = W_hh^(l)ᵀ, bias_ih_l0 = b^(l),
  bias_hh_l0 = 0; the read-out is nn.Linear(h_L, a) with weight = W_haᵀ, bias = b_a; X is (n, T, d) (batch_first:
  X[:, t-1] = X_t) and H_0^(l) is (1, n, h_l). Every weight gradient comes back as .grad.T, in the source's shape.
  The loss is the source's Σ_t w_t Σ_r -log A_t[r, y_{t,r}]: "mean" = F.cross_entropy(reduction="mean") over all
  n·T rows, "source" = reduction="sum" / T, {"step": t} = the sum over the batch of step t alone.
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
F64 = torch.float64


def tensor(x):
    return torch.tensor(x, dtype=F64)


def rows(t):
    return t.detach().tolist()


def set_(param, value):
    with torch.no_grad():
        param.copy_(value)


def rnn_layer(n_in, n_hidden, w_ih, w_hh, b_ih):
    rnn = nn.RNN(n_in, n_hidden, nonlinearity="tanh", batch_first=True, dtype=F64)
    set_(rnn.weight_ih_l0, w_ih)
    set_(rnn.weight_hh_l0, w_hh)
    set_(rnn.bias_ih_l0, b_ih)
    set_(rnn.bias_hh_l0, torch.zeros(n_hidden, dtype=F64))
    return rnn


def cell(rnn, x, h_prev):
    """One step of nn.RNN(tanh) with its own parameters: (pre-activation, state)."""
    a = F.linear(x, rnn.weight_ih_l0, rnn.bias_ih_l0) + F.linear(h_prev, rnn.weight_hh_l0, rnn.bias_hh_l0)
    return a, torch.tanh(a)


def linear(n_in, n_out, weight, bias):
    lin = nn.Linear(n_in, n_out, dtype=F64)
    set_(lin.weight, weight)
    set_(lin.bias, bias)
    return lin


def zero_grads(modules):
    for m in modules:
        m.zero_grad(set_to_none=True)


def main_case(c):
    E, U, W, b, V, c_ = (tensor(c[k]) for k in ("E", "U", "W", "b", "V", "c"))
    vocab, d_model = E.shape
    hidden = W.shape[0]
    emb = nn.Embedding(vocab, d_model, dtype=F64)
    set_(emb.weight, E)
    rnn = rnn_layer(d_model, hidden, U, W, b)
    lin = linear(hidden, vocab, V, c_)
    tokens = torch.tensor([c["inputs"]])  # (1, τ): one sequence, batch_first
    targets = torch.tensor(c["targets"])
    h0 = tensor(c["h0"])

    def grads():
        return {
            "E": rows(emb.weight.grad), "U": rows(rnn.weight_ih_l0.grad), "W": rows(rnn.weight_hh_l0.grad),
            "b": rows(rnn.bias_ih_l0.grad), "b_hh": rows(rnn.bias_hh_l0.grad),
            "V": rows(lin.weight.grad), "c": rows(lin.bias.grad),
        }

    x = emb(tokens)  # eq 1.3, (1, τ, d_model)
    out, _ = rnn(x, h0.view(1, 1, hidden))  # eqs 1.4-1.5
    o = lin(out)[0]  # eq 1.6, (τ, vocab)
    loss = F.cross_entropy(o, targets)  # eqs 1.7, 1.1, 1.2
    loss.backward()
    module = {
        "loss": loss.item(), "x": rows(x[0]), "h": rows(out[0]), "o": rows(o), "yhat": rows(F.softmax(o, dim=1)),
        "L_t": rows(F.cross_entropy(o, targets, reduction="none")), "grads": grads(),
    }

    zero_grads([emb, rnn, lin])
    h, as_, hs, os = h0.view(1, hidden), [], [], []
    for t in range(len(c["inputs"])):
        a, h = cell(rnn, emb(tokens[:, t]), h)
        o_t = lin(h)
        for v in (a, h, o_t):
            v.retain_grad()
        as_.append(a)
        hs.append(h)
        os.append(o_t)
    loss = F.cross_entropy(torch.cat(os), targets)
    loss.backward()
    cat = lambda vs: rows(torch.cat(vs))
    grad_cat = lambda vs: rows(torch.cat([v.grad for v in vs]))
    unrolled = {
        "loss": loss.item(), "a": cat(as_), "h": cat(hs), "o": cat(os),
        "dL_da": grad_cat(as_), "dL_dh": grad_cat(hs), "dL_do": grad_cat(os), "grads": grads(),
    }
    return {"module": module, "unrolled": unrolled}


def stacked_loss(logits, y, loss):
    """L = Σ_t w_t Σ_r -log A_t[r, y_{t,r}] for logits (n, T, a) and targets y (n, T)."""
    n, T, a = logits.shape
    if loss == "mean":
        return F.cross_entropy(logits.reshape(n * T, a), y.reshape(n * T))
    if loss == "source":
        return F.cross_entropy(logits.reshape(n * T, a), y.reshape(n * T), reduction="sum") / T
    t = loss["step"]
    return F.cross_entropy(logits[:, t - 1], y[:, t - 1], reduction="sum")


def stacked_case(c):
    Wxh, Whh, b = ([tensor(m) for m in c[k]] for k in ("Wxh", "Whh", "b"))
    Wha, ba = tensor(c["Wha"]), tensor(c["ba"])
    X = torch.stack([tensor(x) for x in c["X"]], dim=1)  # (n, T, d): X[:, t-1] = X_t
    y = torch.tensor(c["y"]).T  # (n, T): y[r, t-1] = y_{t,r}
    n, T, _ = X.shape
    L = len(Wxh)
    layers = [rnn_layer(Wxh[l].shape[0], Whh[l].shape[0], Wxh[l].T, Whh[l].T, b[l][0]) for l in range(L)]
    readout = linear(Wha.shape[0], Wha.shape[1], Wha.T, ba[0])
    H0 = [tensor(h).unsqueeze(0).requires_grad_() for h in c["H0"]]  # (1, n, h_l)

    def grads():
        return {
            "Wxh": [rows(r.weight_ih_l0.grad.T) for r in layers], "Whh": [rows(r.weight_hh_l0.grad.T) for r in layers],
            "b": [rows(r.bias_ih_l0.grad.unsqueeze(0)) for r in layers], "b_hh": [rows(r.bias_hh_l0.grad.unsqueeze(0)) for r in layers],
            "Wha": rows(readout.weight.grad.T), "ba": rows(readout.bias.grad.unsqueeze(0)), "dH0": [rows(h.grad[0]) for h in H0],
        }

    seq, per_layer = X, []
    for l in range(L):
        seq, _ = layers[l](seq, H0[l])  # stacked 1.2 (1), (2): every step of layer l at once
        per_layer.append(seq)
    logits = readout(seq)  # stacked 1.2 (3) before the softmax, (n, T, a)
    loss = stacked_loss(logits, y, c["loss"])
    loss.backward()
    module = {
        "loss": loss.item(),
        "H": [[rows(per_layer[l][:, t]) for l in range(L)] for t in range(T)],
        "Zout": [rows(logits[:, t]) for t in range(T)],
        "A": [rows(F.softmax(logits[:, t], dim=1)) for t in range(T)],
        "stepLoss": [F.cross_entropy(logits[:, t], y[:, t], reduction="sum").item() for t in range(T)],
        "grads": grads(),
    }

    zero_grads(layers + [readout])
    for h in H0:
        h.grad = None
    prev = [h[0] for h in H0]
    Z, H, Zout = [], [], []
    for t in range(T):
        inp, Zt, Ht = X[:, t], [], []
        for l in range(L):
            z, h = cell(layers[l], inp, prev[l])
            z.retain_grad()
            h.retain_grad()
            Zt.append(z)
            Ht.append(h)
            inp = h
        zo = readout(inp)
        zo.retain_grad()
        Z.append(Zt)
        H.append(Ht)
        Zout.append(zo)
        prev = Ht
    loss = stacked_loss(torch.stack(Zout, dim=1), y, c["loss"])
    loss.backward()
    each = lambda vs, f: [[f(v) for v in vt] for vt in vs]
    unrolled = {
        "loss": loss.item(), "Z": each(Z, rows), "H": each(H, rows), "Zout": [rows(z) for z in Zout],
        "dZ": each(Z, lambda v: rows(v.grad)), "dH": each(H, lambda v: rows(v.grad)),
        "dZout": [rows(z.grad) for z in Zout], "grads": grads(),
    }
    return {"module": module, "unrolled": unrolled}


def main():
    cases = json.load(sys.stdin)["cases"]
    run = {"main": main_case, "stacked": stacked_case}
    results = [run[c["kind"]](c) for c in cases]
    json.dump({"torch": torch.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
