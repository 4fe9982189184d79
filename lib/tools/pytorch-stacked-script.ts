/**
 * "Reproduce in PyTorch" for the stacked-RNN page (/stacked, J. Vera's 2-layer stacked RNN with a batch): a
 * self-contained Python script for one configuration. It builds the model as PyTorch would write it (two nn.RNN
 * layers with tanh and an nn.Linear read-out, batch_first), maps Vera's X·W weights onto PyTorch's [out, in] ones,
 * runs `loss.backward()`, and compares every quantity the page computes and checks with `torch.allclose` against lib's
 * numbers, which it carries. What the page shows of the source's formulas AS PRINTED is not a gradient of anything,
 * so there is nothing for PyTorch to compare it with; the corrected equations and the right ones are all here. Pure.
 */
import { type Matrix, maxAbsDiff } from "../core/matrix.js";
import { type Evaluation, stacked211AsPrinted, stacked21AsPrinted } from "../stacked/as-printed.js";
import { stackedBackward } from "../stacked/backward.js";
import { singleStepWeights, stackedForward, withWeights } from "../stacked/forward.js";
import { section21Step, truncationInputs } from "../stacked/page.js";
import {
  type SourceEq, dLdWh1h1, dLdWh1h2, dLdWh2h2, dLdWxh1, ffnnForward, stacked211Corrected, stacked22Corrected, stacked22Factor,
  stacked22Truncated,
} from "../stacked/stacked.js";
import { STACKED_DEFAULTS, STACKED_QUERY, type StackedExample, buildStackedExample } from "../state/stacked-config.js";
import { queryOf } from "../state/query.js";
import {
  PYTHON_PRELUDE, type PythonScript, pyIntRows, pyMatrices, pyMatrix, pyNumber, pyPageDict, pyVector,
} from "./pytorch-python.js";

/** The truncation table of §2.2 is computed on the same sizes and seed with T = 4 (lib/stacked/page.ts). */
const TRUNCATION_T = 4;
/** The numbers of Jacobian factors k the truncation table keeps, one row each. */
const TRUNCATION_KS = [0, 1, 2, 3];

/** The file name tells the configuration: `stacked-rnn-n3-T2-d2-h4-h2-a3-seed1.py`. */
export function stackedPytorchFilename(ex: StackedExample): string {
  const { n, T, d, h1, h2, a, seed } = ex.config;
  return `stacked-rnn-n${n}-T${T}-d${d}-h${h1}-h${h2}-a${a}-seed${seed}.py`;
}

/** A formula of the source that the page evaluates as printed and that is right: its value (the page shows it with a passing check). */
function valueOf(e: Evaluation, what: string): Matrix {
  if (!e.ok) throw new Error(`${what}: the page shows a value here, but lib gives none (${e.reason})`);
  return e.value;
}

/** The numbers /stacked shows for this configuration, by the names the script's table gives them, as Python literals. */
function stackedPageNumbers(ex: StackedExample): [string, string][] {
  const { params: p, X, targets: Y, H0, config } = ex;
  const T = X.length;
  const fSource = stackedForward(p, X, Y, { H0, reduction: "source" });
  const fMean = stackedForward(p, X, Y, { H0 });
  const t = section21Step(T);
  const f21 = withWeights(fSource, singleStepWeights(t, T));
  const gSrc = stackedBackward(p, fSource);
  const ffnn = ffnnForward(p, X[0]!);
  const as21 = (k: SourceEq) => valueOf(stacked21AsPrinted(k, p, f21, t), `stacked 2.1 (${k})`);
  const as211 = (k: SourceEq) => valueOf(stacked211AsPrinted(k, p, fSource), `stacked 2.1.1 (${k})`);
  const long = truncationInputs(buildStackedExample({ ...config, T: TRUNCATION_T }));
  const sameParams = [...long.params.Wxh, ...long.params.Whh, ...long.params.b, long.params.Wha, long.params.ba]
    .every((m, i) => maxAbsDiff(m, [...p.Wxh, ...p.Whh, ...p.b, p.Wha, p.ba][i]!) === 0);
  if (!sameParams) throw new Error("the T = 4 example of the truncation table has other weights: the script carries only one set");
  const layer = (l: number) => pyMatrices(fSource.H.map((Ht) => Ht[l]!));
  return [
    ["H1 (FFNN, X_1)", pyMatrix(ffnn.H1)], ["H2 (FFNN, X_1)", pyMatrix(ffnn.H2)], ["A (FFNN, X_1)", pyMatrix(ffnn.A)],
    ["H1_t", layer(0)], ["H2_t", layer(1)], ["A_t", pyMatrices(fSource.A)],
    ["CE_t", pyVector(fSource.stepLoss)], ["L", pyNumber(fSource.loss)], ["L_mean", pyNumber(fMean.loss)],
    ["dCE_t/dZ3_t", pyMatrix(as21(1))], ["dCE_t/dW_h2a", pyMatrix(as21(2))], ["dCE_t/dZ2_t", pyMatrix(as21(3))],
    ["dCE_t/dW_h1h2", pyMatrix(dLdWh1h2(p, f21, t))], ["dCE_t/dW_h2h2", pyMatrix(dLdWh2h2(p, f21, t))],
    ["dCE_t/dZ1_t", pyMatrix(as21(6))], ["dCE_t/dW_xh1", pyMatrix(dLdWxh1(p, f21, t))], ["dCE_t/dW_h1h1", pyMatrix(dLdWh1h1(p, f21, t))],
    ["dL/dZ3", pyMatrix(as211(1))], ["dL/dW_h2a", pyMatrix(as211(2))], ["dL/dZ2", pyMatrix(stacked211Corrected(3, p, fSource))],
    ["dL/dW_h1h2", pyMatrix(as211(4))], ["dL/dW_h2h2", pyMatrix(as211(5))], ["dL/dZ1", pyMatrix(stacked211Corrected(6, p, fSource))],
    ["dL/dW_xh1", pyMatrix(as211(7))], ["dL/dW_h1h1", pyMatrix(as211(8))],
    ["dL_mean/dW_h2a", pyMatrix(stacked211Corrected(2, p, fMean))],
    ["dL/dZ3_t", pyMatrix(gSrc.dZout[t - 1]!)], ["dL/dW_h2h2, one pass", pyMatrix(gSrc.Whh[1]!)],
    ["dL/dW_h1h1, Jacobians", pyMatrix(stacked22Corrected(p, fSource))], ["dZ3_T/dZ1_T, row 1", pyMatrix(stacked22Factor(p, fSource, T, 1))],
    ["truncated dL/dW_h1h1", pyMatrices(TRUNCATION_KS.map((k) => stacked22Truncated(long.params, long.f, k)))],
  ];
}

/** The script for the configuration of `ex` (lib/state/stacked-config.ts `buildStackedExample`): its file name and text. */
export function stackedPytorchScript(ex: StackedExample): PythonScript {
  const { params: p, config } = ex;
  const query = queryOf(STACKED_QUERY, { ...config }, STACKED_DEFAULTS);
  const long = buildStackedExample({ ...config, T: TRUNCATION_T });
  const text = `#!/usr/bin/env python3
"""Reproduce in PyTorch: the 2-layer stacked RNN with a batch of "Mathematics of Backpropagation Through Time"
(J. Vera, 2025), as the BPTT companion's stacked-RNN page computed it.

Builds the model as PyTorch writes it (two nn.RNN layers with tanh, an nn.Linear read-out, batch_first), copies in
the page's weights, runs loss.backward(), and compares every quantity the page computes and checks with
torch.allclose against the page's numbers, which this file carries. (What the page shows of the source's formulas
as printed is not a gradient of anything, so there is nothing to compare it with; the corrected equations are here.)
Prints a table; exits 1, naming them, if any quantity disagrees.

Run: python3 ${stackedPytorchFilename(ex)}   (needs PyTorch, 1.13 or later; nothing else)
"""
# The configuration (the page's settings${query ? `: ?${query}` : ", all at their defaults"}):
#   batch n = ${config.n}, steps T = ${config.T}, widths d = ${config.d}, h1 = ${config.h1}, h2 = ${config.h2}, a = ${config.a}, seed ${config.seed}; H_0 = 0
# The page's numbers below are what the site's own code (its lib/) computes for this configuration, the truth the
# page checks its cells against: a function you edited on the page is not in them.
${PYTHON_PRELUDE}
# ---------------------------------------------------------------------------------------------------------------
# The model's numbers as Vera writes them: rows are batch rows, weights are stored [in, out] and multiply from the
# right (Z = X W + b), a bias is a row added to every batch row.
X = ${pyMatrices(ex.X)}  # X_t at index t - 1: [T, n, d]
Y = ${pyIntRows(ex.targets)}  # the class of batch row r at step t, at [t - 1][r]
W_xh1 = ${pyMatrix(p.Wxh[0]!)}  # [d, h1]
W_h1h1 = ${pyMatrix(p.Whh[0]!)}  # [h1, h1]
b_h1 = ${pyVector(p.b[0]!.data)}  # [h1] (Vera's [1, h1] row, added to every batch row)
W_h1h2 = ${pyMatrix(p.Wxh[1]!)}  # [h1, h2]
W_h2h2 = ${pyMatrix(p.Whh[1]!)}  # [h2, h2]
b_h2 = ${pyVector(p.b[1]!.data)}  # [h2]
W_h2a = ${pyMatrix(p.Wha)}  # [h2, a]
b_a = ${pyVector(p.ba.data)}  # [a]
# The truncation table of section 2.2 runs the same weights on T = ${TRUNCATION_T} steps of other inputs (same sizes and seed).
X_T4 = ${pyMatrices(long.X)}
Y_T4 = ${pyIntRows(long.targets)}

# What the page showed for this configuration (float64, written so that Python reads back the very same doubles), in
# Vera's shapes: per-step quantities at index t - 1; a gradient has the shape of what it is taken with respect to.
# Section 2.1's loss is CE_t at t = ${section21Step(config.T)} (the source's t = 2 = T, or t = 1 when T = 1).
${pyPageDict(stackedPageNumbers(ex))}

T21 = ${section21Step(config.T)}


class StackedRNN(nn.Module):
    """Vera's stacked RNN (her section 1.2): H_t^(1) = tanh(X_t W_xh1 + H_{t-1}^(1) W_h1h1 + b_h1),
    H_t^(2) = tanh(H_t^(1) W_h1h2 + H_{t-1}^(2) W_h2h2 + b_h2), A_t = softmax(H_t^(2) W_h2a + b_a).

    Two nn.RNN layers, one after the other: nn.RNN(num_layers=2) has one hidden_size for both layers, so it is this
    model only when h1 = h2 (the table then checks that it gives the same states)."""

    def __init__(self, d, h1, h2, a):
        super().__init__()
        self.rnn1 = nn.RNN(d, h1, nonlinearity="tanh", batch_first=True)
        self.rnn2 = nn.RNN(h1, h2, nonlinearity="tanh", batch_first=True)
        self.linear = nn.Linear(h2, a)

    def forward(self, x):  # x: [n, T, d]; H_0 = 0 in both layers, nn.RNN's default initial state, as on the page
        H1, _ = self.rnn1(x)
        H2, _ = self.rnn2(H1)
        return H1, H2, self.linear(H2)  # the last is Z_t^(3), the logits: [n, T, a]


tensor = torch.tensor
n, d, h1, h2, a = len(X[0]), len(W_xh1), len(W_h1h1), len(W_h2h2), len(b_a)
model = StackedRNN(d, h1, h2, a)
rnn1, rnn2, linear = model.rnn1, model.rnn2, model.linear
with torch.no_grad():
    # Vera multiplies from the right, X W with W stored [in, out]; nn.RNN and nn.Linear store [out, in] and compute
    # x W^T + b. So every weight goes in transposed, and every weight gradient comes back transposed (.grad.T):
    #   rnn1.weight_ih_l0 = W_xh1^T  [h1, d]    rnn1.weight_hh_l0 = W_h1h1^T  [h1, h1]    rnn1.bias_ih_l0 = b_h1
    #   rnn2.weight_ih_l0 = W_h1h2^T [h2, h1]   rnn2.weight_hh_l0 = W_h2h2^T  [h2, h2]    rnn2.bias_ih_l0 = b_h2
    #   linear.weight     = W_h2a^T  [a, h2]    linear.bias       = b_a
    # nn.RNN adds two biases, b_ih + b_hh, which always appear summed; Vera has one per layer. So it goes into bias_ih
    # and bias_hh is zero (a zero bias changes no number; each gets the same gradient).
    for layer, W_in, W_rec, bias in ((rnn1, W_xh1, W_h1h1, b_h1), (rnn2, W_h1h2, W_h2h2, b_h2)):
        layer.weight_ih_l0.copy_(tensor(W_in).T)
        layer.weight_hh_l0.copy_(tensor(W_rec).T)
        layer.bias_ih_l0.copy_(tensor(bias))
        layer.bias_hh_l0.zero_()
    linear.weight.copy_(tensor(W_h2a).T)
    linear.bias.copy_(tensor(b_a))
weights = [rnn1.weight_ih_l0, rnn1.weight_hh_l0, rnn2.weight_ih_l0, rnn2.weight_hh_l0, linear.weight]


def batch_first(X, Y):
    """Vera's X_t [n, d] for t = 1 ... T (stacked [T, n, d]) as PyTorch's batch_first [n, T, d]; classes as [n, T]."""
    return tensor(X).permute(1, 0, 2), tensor(Y).T


def step_losses(Z3, y):
    """CE_t = sum over the batch rows r of -log softmax(Z_t^(3))[r, y_tr]: one per step. Vera's loss sums over the
    batch (her 2.1 (1), A_t - Y_t, has no 1/n), where PyTorch's F.cross_entropy takes the mean by default."""
    return torch.stack([F.cross_entropy(Z3[:, t], y[:, t], reduction="sum") for t in range(Z3.shape[1])])


x, y = batch_first(X, Y)
T = x.shape[1]

# 1. The model in one call, and loss.backward() of the source's loss (1/T) sum_t CE_t (section 2.1.1).
H1, H2, Z3 = model(x)
CE = step_losses(Z3, y)
loss = CE.sum() / T
loss_mean = F.cross_entropy(Z3.reshape(n * T, a), y.reshape(n * T))  # PyTorch's default: the mean over T * n rows = loss / n
grads_21 = torch.autograd.grad(CE[T21 - 1], weights, retain_graph=True)  # section 2.1's loss: CE_t alone
grad_mean_h2a = torch.autograd.grad(loss_mean, linear.weight, retain_graph=True)[0]
loss.backward()
one_call = [w.grad.clone() for w in weights]

# Section 1.1's feed-forward network is step 1 of this RNN from H_0 = 0 (the page says so and checks it): the model
# on X_1 alone.
H1_ff, H2_ff, Z3_ff = model(x[:, :1])


# 2. The same layers one step at a time, on the same parameters. nn.RNN runs the recurrence inside its kernel and
# never makes the pre-activations Z_t^(l) tensors of the graph, so here each step is written as nn.RNN's documentation
# defines it; autograd then gives the gradient of a loss with respect to every Z_t^(l): the total derivative, through
# the layer above and every later step. The table checks that this run gives nn.RNN's states and gradients.
def step(layer, inp, h_prev):
    z = F.linear(inp, layer.weight_ih_l0, layer.bias_ih_l0) + F.linear(h_prev, layer.weight_hh_l0, layer.bias_hh_l0)
    return z, torch.tanh(z)


Z1s, Z2s, Z3s, H2s = [], [], [], []
s1, s2 = torch.zeros(n, h1), torch.zeros(n, h2)
for t in range(T):
    z1, s1 = step(rnn1, x[:, t], s1)
    z2, s2 = step(rnn2, s1, s2)
    Z1s.append(z1)
    Z2s.append(z2)
    H2s.append(s2)
    Z3s.append(linear(s2))
CE_steps = torch.stack([F.cross_entropy(z3, y[:, t], reduction="sum") for t, z3 in enumerate(Z3s)])
total = torch.autograd.grad(CE_steps.sum() / T, [*Z1s, *Z2s, *Z3s, *weights], retain_graph=True)
dZ1, dZ2, dZ3 = total[:T], total[T:2 * T], total[2 * T:3 * T]
step_grads = total[3 * T:]
dZ1_21, dZ2_21, dZ3_21 = torch.autograd.grad(CE_steps[T21 - 1], [Z1s[T21 - 1], Z2s[T21 - 1], Z3s[T21 - 1]])


# 3. One factor of section 2.2's product: the Jacobian of Z_T^(3) with respect to Z_T^(1) for batch row 1, the path up
# through the layers within step T (layer 2 as nn.RNN computes it from H_{T-1}^(2)).
def up_within_step(z1):
    h2_prev = torch.zeros(h2) if T == 1 else H2s[T - 2][0].detach()
    out, _ = rnn2(torch.tanh(z1).view(1, 1, -1), h2_prev.view(1, 1, -1))
    return linear(out).view(-1)


factor = torch.autograd.functional.jacobian(up_within_step, Z1s[T - 1][0].detach())


# 4. Section 2.2's truncation: each step's loss sent back at most k steps. Detaching the state that enters step
# s - k cuts every path of the loss of step s that crosses more than k steps, in both layers; the source's loss
# (1/T) sum_s CE_s is then differentiated one step loss at a time, through nn.RNN itself.
def truncated(k):
    x4, y4 = batch_first(X_T4, Y_T4)
    T4, g = x4.shape[1], torch.zeros_like(rnn1.weight_hh_l0)
    for s in range(1, T4 + 1):
        s1, s2 = torch.zeros(1, n, h1), torch.zeros(1, n, h2)
        for t in range(1, s + 1):
            if t == s - k:
                s1, s2 = s1.detach(), s2.detach()
            out1, s1 = rnn1(x4[:, t - 1:t], s1)
            out2, s2 = rnn2(out1, s2)
        ce = F.cross_entropy(linear(out2[:, 0]), y4[:, s - 1], reduction="sum") / T4
        g += torch.autograd.grad(ce, rnn1.weight_hh_l0)[0]
    return g.T


Vera = lambda g: g.T  # a weight gradient in Vera's [in, out]
softmax = lambda z: F.softmax(z, dim=-1)
per_step = lambda M: M.permute(1, 0, 2)  # [n, T, .] -> Vera's [T, n, .]
sum_over_steps = lambda ms: torch.stack(ms).sum(0)
g_xh1, g_h1h1, g_h1h2, g_h2h2, g_h2a = (Vera(g) for g in one_call)
c_xh1, c_h1h1, c_h1h2, c_h2h2, c_h2a = (Vera(g) for g in grads_21)
rows = [
    ("H1 (FFNN, X_1)", "1.1 (1)", H1_ff[:, 0], PAGE["H1 (FFNN, X_1)"]),
    ("H2 (FFNN, X_1)", "1.1 (2)", H2_ff[:, 0], PAGE["H2 (FFNN, X_1)"]),
    ("A (FFNN, X_1)", "1.1 (3)", softmax(Z3_ff[:, 0]), PAGE["A (FFNN, X_1)"]),
    ("H1_t", "1.2 (1)", per_step(H1), PAGE["H1_t"]),
    ("H2_t", "1.2 (2)", per_step(H2), PAGE["H2_t"]),
    ("A_t", "1.2 (3)", per_step(softmax(Z3)), PAGE["A_t"]),
    ("CE_t", "sum over rows", CE, PAGE["CE_t"]),
    ("L", "(1/T) sum CE_t", loss, PAGE["L"]),
    ("L_mean", "batch mean", loss_mean, PAGE["L_mean"]),
    ("dCE_t/dZ3_t", "2.1 (1)", dZ3_21, PAGE["dCE_t/dZ3_t"]),
    ("dCE_t/dW_h2a", "2.1 (2)", c_h2a, PAGE["dCE_t/dW_h2a"]),
    ("dCE_t/dZ2_t", "2.1 (3)", dZ2_21, PAGE["dCE_t/dZ2_t"]),
    ("dCE_t/dW_h1h2", "2.1 (4′)", c_h1h2, PAGE["dCE_t/dW_h1h2"]),
    ("dCE_t/dW_h2h2", "2.1 (5′)", c_h2h2, PAGE["dCE_t/dW_h2h2"]),
    ("dCE_t/dZ1_t", "2.1 (6)", dZ1_21, PAGE["dCE_t/dZ1_t"]),
    ("dCE_t/dW_xh1", "2.1 (7′)", c_xh1, PAGE["dCE_t/dW_xh1"]),
    ("dCE_t/dW_h1h1", "2.1 (8′)", c_h1h1, PAGE["dCE_t/dW_h1h1"]),
    ("dL/dZ3", "2.1.1 (1)", sum_over_steps(dZ3), PAGE["dL/dZ3"]),
    ("dL/dW_h2a", "2.1.1 (2)", g_h2a, PAGE["dL/dW_h2a"]),
    ("dL/dZ2", "2.1.1 (3′)", sum_over_steps(dZ2), PAGE["dL/dZ2"]),
    ("dL/dW_h1h2", "2.1.1 (4)", g_h1h2, PAGE["dL/dW_h1h2"]),
    ("dL/dW_h2h2", "2.1.1 (5)", g_h2h2, PAGE["dL/dW_h2h2"]),
    ("dL/dZ1", "2.1.1 (6′)", sum_over_steps(dZ1), PAGE["dL/dZ1"]),
    ("dL/dW_xh1", "2.1.1 (7)", g_xh1, PAGE["dL/dW_xh1"]),
    ("dL/dW_h1h1", "2.1.1 (8)", g_h1h1, PAGE["dL/dW_h1h1"]),
    ("dL_mean/dW_h2a", "1/(Tn) sum", Vera(grad_mean_h2a), PAGE["dL_mean/dW_h2a"]),
    ("dL/dZ3_t", "(1/T)(A_t - Y_t)", dZ3[T21 - 1], PAGE["dL/dZ3_t"]),
    ("dL/dW_h2h2, one pass", "backward pass", g_h2h2, PAGE["dL/dW_h2h2, one pass"]),
    ("dL/dW_h1h1, Jacobians", "2.2′", g_h1h1, PAGE["dL/dW_h1h1, Jacobians"]),
    ("dZ3_T/dZ1_T, row 1", "2.2, a factor", factor, PAGE["dZ3_T/dZ1_T, row 1"]),
    ("truncated dL/dW_h1h1", "2.2′, k = ${TRUNCATION_KS.join(", ")}", torch.stack([truncated(k) for k in ${`[${TRUNCATION_KS.join(", ")}]`}]), PAGE["truncated dL/dW_h1h1"]),
    # The two PyTorch runs against each other.
    ("H2, step by step", "= one call", torch.stack(H2s, dim=1), H2),
    ("grads, step by step", "= one call", torch.cat([g.reshape(-1) for g in step_grads]), torch.cat([g.reshape(-1) for g in one_call])),
]
if h1 == h2:
    # With equal widths the two layers are one nn.RNN(num_layers=2): layer 2's weights are its *_l1.
    both = nn.RNN(d, h1, num_layers=2, nonlinearity="tanh", batch_first=True)
    with torch.no_grad():
        for i, layer in enumerate((rnn1, rnn2)):
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(both, f"{name}_l{i}").copy_(getattr(layer, f"{name}_l0"))
    rows.append(("nn.RNN(num_layers=2)", "= two nn.RNN", both(x)[0], H2))
finish(compare(rows), len(rows))
`;
  return { filename: stackedPytorchFilename(ex), text };
}
