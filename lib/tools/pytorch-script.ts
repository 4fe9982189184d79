/**
 * "Reproduce in PyTorch" for the main derivation's pages (/, /plan, /logits, /hidden, /parameters, /embedding,
 * /summary): a self-contained Python script for one configuration. It builds the model from torch.nn modules
 * (nn.Embedding, nn.RNN with tanh, nn.Linear), copies in the page's weights and h⁽⁰⁾, runs `loss.backward()`, and
 * compares every quantity the pages show with `torch.allclose` against lib's numbers, which it carries. Pure: the
 * caller saves or runs the text.
 */
import type { Matrix } from "../core/matrix.js";
import { row } from "../core/matrix.js";
import { hiddenStepJacobian } from "../derivation/hidden.js";
import { type Example, configToQuery } from "../state/example.js";
import {
  PYTHON_PRELUDE, type PythonScript, fileSlug, pyInts, pyMatrices, pyMatrix, pyNumber, pyPageDict, pyString, pyVector,
} from "./pytorch-python.js";

/** The file name: the text, the sizes, the seed and h⁽⁰⁾ (`bptt-cabbage-d4-h6-seed1.py`). */
export function pytorchFilename(ex: Example): string {
  const { text, targets, dModel, hidden, seed, h0 } = ex.config;
  const to = targets === "" ? "" : `-to-${fileSlug(targets)}`;
  return `bptt-${fileSlug(text)}${to}-d${dModel}-h${hidden}-seed${seed}${h0 === "point-one" ? "-h0-0.1" : ""}.py`;
}

/**
 * The Jacobians of one step, eq 3.7, for t = 0 … τ − 1: (Dh⁽ᵗ⁺¹⁾)_{h⁽ᵗ⁾} = diag[1 − (h⁽ᵗ⁺¹⁾)²] W, the matrix /hidden
 * shows for the step its slider picks (t = 0 is the Jacobian with respect to h⁽⁰⁾).
 */
export function stepJacobians(ex: Example): Matrix[] {
  return Array.from({ length: ex.inputs.length }, (_, t) => hiddenStepJacobian(row(ex.fwd.h, t), ex.params.W));
}

/** The numbers the pages show, by the names the pages give them (src/components/example-symbols.ts), as Python literals. */
function pageNumbers(ex: Example): [string, string][] {
  const { fwd, grads: g } = ex;
  return [
    ["x", pyMatrix(fwd.x)], ["a", pyMatrix(fwd.a)], ["h", pyMatrix(fwd.h)], ["o", pyMatrix(fwd.o)], ["yhat", pyMatrix(fwd.yhat)],
    ["L_t", pyVector(fwd.L_t)], ["L", pyNumber(fwd.loss)],
    ["dL_do", pyMatrix(g.dL_do)], ["J", pyMatrices(stepJacobians(ex))], ["dL_dh", pyMatrix(g.dL_dh)], ["dL_da", pyMatrix(g.dL_da)],
    ["dL_dc", pyVector(g.dL_dc)], ["dL_db", pyVector(g.dL_db)], ["dL_dV", pyMatrix(g.dL_dV)], ["dL_dW", pyMatrix(g.dL_dW)],
    ["dL_dU", pyMatrix(g.dL_dU)], ["dL_dE", pyMatrix(g.dL_dE)],
  ];
}

/** The script for the configuration of `ex` (lib/state/example.ts `buildExample`): its file name and its text. */
export function pytorchScript(ex: Example): PythonScript {
  const { config, params: p } = ex;
  const query = configToQuery(config);
  const text = `#!/usr/bin/env python3
"""Reproduce in PyTorch: the tiny RNN of "BPTT Derivations" (A. Singh), as the BPTT companion computed it.

Builds the model from torch.nn modules (nn.Embedding, nn.RNN with tanh, nn.Linear), copies in the page's weights and
h0, runs loss.backward(), and compares every quantity the pages show with torch.allclose against the page's numbers,
which this file carries. Prints a table; exits 1, naming them, if any quantity disagrees.

Run: python3 ${pytorchFilename(ex)}   (needs PyTorch, 1.13 or later; nothing else)
"""
# The configuration (the pages' settings${query ? `: ?${query}` : ", all at their defaults"}):
#   text ${pyString(config.text)}, targets ${config.targets === "" ? "the next token" : pyString(config.targets)}, vocabulary ${pyString(config.vocab)},
#   d_model ${config.dModel}, hidden ${config.hidden}, seed ${config.seed}, h0 ${config.h0 === "zeros" ? "zeros" : "0.1 * ones"}
# The page's numbers below are what the site's own code (its lib/) computes for this configuration, the truth every
# page checks its cells against: a function you edited on a page is not in them.
${PYTHON_PRELUDE}
# ---------------------------------------------------------------------------------------------------------------
# The model's numbers, as the page drew them from the seed. Every weight is stored [out, in], as PyTorch stores
# nn.RNN's and nn.Linear's weights, so nothing is transposed: the derivation writes a = h W^T + x U^T + b (eq 1.4).
INPUTS = ${pyInts(ex.inputs)}  # token ids (positions in the vocabulary), one per step t = 1 ... tau
TARGETS = ${pyInts(ex.targets)}
E = ${pyMatrix(p.E)}  # vocab x d_model
U = ${pyMatrix(p.U)}  # hidden x d_model
W = ${pyMatrix(p.W)}  # hidden x hidden
b = ${pyVector(p.b)}  # hidden
V = ${pyMatrix(p.V)}  # vocab x hidden
c = ${pyVector(p.c)}  # vocab
H0 = ${pyVector(ex.h0)}  # h(0), hidden

# What the pages showed for this configuration (float64, written so that Python reads back the very same doubles).
# Row t - 1 of every tau-row matrix is step t, as on the pages.
${pyPageDict(pageNumbers(ex))}


class TinyRNN(nn.Module):
    """eqs 1.3-1.6: x(t) = E[input t], a(t) = h(t-1) W^T + x(t) U^T + b, h(t) = tanh(a(t)), o(t) = h(t) V^T + c."""

    def __init__(self, vocab, d_model, hidden):
        super().__init__()
        self.embedding = nn.Embedding(vocab, d_model)
        self.rnn = nn.RNN(d_model, hidden, nonlinearity="tanh", batch_first=True)
        self.linear = nn.Linear(hidden, vocab)

    def forward(self, tokens, h0):  # tokens: [1, tau], h0: [1, 1, hidden]
        x = self.embedding(tokens)
        h, _ = self.rnn(x, h0)
        return x, h, self.linear(h)


model = TinyRNN(len(E), len(E[0]), len(W))
rnn = model.rnn
with torch.no_grad():
    model.embedding.weight.copy_(torch.tensor(E))
    rnn.weight_ih_l0.copy_(torch.tensor(U))
    rnn.weight_hh_l0.copy_(torch.tensor(W))
    # nn.RNN adds two biases, b_ih + b_hh, which always appear summed; the derivation has one, b. So b goes into
    # bias_ih_l0 and bias_hh_l0 is zero (a zero bias changes no number, and each gets the same gradient, (DL)_b).
    rnn.bias_ih_l0.copy_(torch.tensor(b))
    rnn.bias_hh_l0.zero_()
    model.linear.weight.copy_(torch.tensor(V))
    model.linear.bias.copy_(torch.tensor(c))

inputs = torch.tensor([INPUTS])
targets = torch.tensor(TARGETS)
h0 = torch.tensor(H0).view(1, 1, -1)
tau = len(INPUTS)

# 1. nn.RNN in one call over the sequence, and loss.backward().
x, out, o = model(inputs, h0)
x, out, o = x[0], out[0], o[0]  # batch of one: [tau, d_model], [tau, hidden], [tau, vocab]
o.retain_grad()
L_t = F.cross_entropy(o, targets, reduction="none")  # eq 1.1 at every step
loss = F.cross_entropy(o, targets)  # eq 1.2: the mean over the tau steps (F.cross_entropy's default)
loss.backward()
one_call = [prm.grad.clone() for prm in model.parameters()]

# 2. The same cell one step at a time, on the same parameters. nn.RNN runs the recurrence inside its kernel: the
# gradient of its output is only the part of (DL)_h(t) that goes through o(t), not the total through time, and a(t)
# is never a tensor of the graph. So here a(t) is written as nn.RNN's documentation defines it, and autograd gives
# the gradient of the loss with respect to each a(t) and h(t) as tensors of the graph: the total derivatives of
# eqs 4.2-4.3. The table checks that this run gives nn.RNN's states and gradients.
x_step = model.embedding(inputs)[0]
h_prev, a_steps, h_steps = h0[0, 0], [], []
for t in range(tau):
    a_t = F.linear(x_step[t], rnn.weight_ih_l0, rnn.bias_ih_l0) + F.linear(h_prev, rnn.weight_hh_l0, rnn.bias_hh_l0)
    h_prev = torch.tanh(a_t)
    a_steps.append(a_t)
    h_steps.append(h_prev)
loss_step = F.cross_entropy(model.linear(torch.stack(h_steps)), targets)
by_step = torch.autograd.grad(loss_step, [*a_steps, *h_steps, *model.parameters()])
dL_da = torch.stack(by_step[:tau])
dL_dh = torch.stack(by_step[tau:2 * tau])
step_grads = by_step[2 * tau:]


# 3. The Jacobian of one step, eq 3.7: h(t+1) as nn.RNN computes it from h(t), differentiated by autograd.
def step_jacobian(t):
    h_t = h0[0, 0] if t == 0 else out[t - 1].detach()
    x_next = x[t].detach().view(1, 1, -1)
    return torch.autograd.functional.jacobian(lambda h: rnn(x_next, h.view(1, 1, -1))[0].view(-1), h_t)


J = torch.stack([step_jacobian(t) for t in range(tau)])



def flat(grads):
    return torch.cat([g.reshape(-1) for g in grads])


rows = [
    ("x", "1.3", x, PAGE["x"]),
    ("a", "1.4", torch.stack(a_steps), PAGE["a"]),
    ("h", "1.5", out, PAGE["h"]),
    ("o", "1.6", o, PAGE["o"]),
    ("yhat", "1.7", F.softmax(o, dim=1), PAGE["yhat"]),
    ("L_t", "1.1", L_t, PAGE["L_t"]),
    ("L", "1.2", loss, PAGE["L"]),
    ("dL_do", "3.4 = 4.1", o.grad, PAGE["dL_do"]),
    ("J", "3.7", J, PAGE["J"]),
    ("dL_dh", "3.5-3.6 = 4.2-4.3", dL_dh, PAGE["dL_dh"]),
    ("dL_da", "bracket of 4.5", dL_da, PAGE["dL_da"]),
    ("dL_dc", "3.11 = 4.4", model.linear.bias.grad, PAGE["dL_dc"]),
    ("dL_db", "3.12 = 4.5", rnn.bias_ih_l0.grad, PAGE["dL_db"]),
    ("dL_dV", "3.14 = 4.6", model.linear.weight.grad, PAGE["dL_dV"]),
    ("dL_dW", "3.16 = 4.7", rnn.weight_hh_l0.grad, PAGE["dL_dW"]),
    ("dL_dU", "3.18 = 4.8", rnn.weight_ih_l0.grad, PAGE["dL_dU"]),
    ("dL_dE", "3.21 = 4.9", model.embedding.weight.grad, PAGE["dL_dE"]),
    # The two PyTorch runs against each other, and nn.RNN's two biases.
    ("h, step by step", "= one call", torch.stack(h_steps), out),
    ("grads, step by step", "= one call", flat(step_grads), flat(one_call)),
    ("bias_hh_l0.grad", "= bias_ih", rnn.bias_hh_l0.grad, rnn.bias_ih_l0.grad),
]
finish(compare(rows), len(rows))
`;
  return { filename: pytorchFilename(ex), text };
}
