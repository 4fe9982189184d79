/**
 * What /stacked can name without drawing it: Vera's weights and biases, the inputs, the targets, the pre-activations
 * and the gradients of the source's loss at every pre-activation, registered for the symbols of its equations
 * (symbols.ts, docs/symbols.md). The states H_t, A_t, the losses and the gradients the page draws link their own
 * cells (stacked-view.ts), which a symbol then prefers. Quantities over steps are stacked as the page's heatmaps
 * stack them: row t·r is batch row r at step t.
 */
import type { Matrix } from "../lib/core/matrix.js";
import type { StackedGrads } from "../lib/stacked/backward.js";
import type { StackedForward } from "../lib/stacked/forward.js";
import { oneHot } from "../lib/stacked/ops.js";
import { stackSteps } from "../lib/stacked/page.js";
import type { StackedParams } from "../lib/stacked/params.js";
import { registerSymbols } from "./symbols.js";

/** `f` is the forward pass of the source's loss (1/T) Σ_t CE_t, and `g` its backward pass. */
export function registerStacked(p: StackedParams, f: StackedForward, g: StackedGrads): void {
  const layer = (ms: readonly (readonly Matrix[])[], l: number) => stackSteps(ms.map((m) => m[l]!));
  const classes = p.Wha.cols;
  registerSymbols({
    W_xh1: { value: p.Wxh[0]!, about: "the input weights of layer 1, stored [in, out]" },
    W_h1h1: { value: p.Whh[0]!, about: "the recurrent weights of layer 1, stored [in, out]" },
    b_h1: { value: p.b[0]!, about: "the bias of layer 1, added to every batch row" },
    W_h1h2: { value: p.Wxh[1]!, about: "the weights from layer 1 into layer 2, stored [in, out]" },
    W_h2h2: { value: p.Whh[1]!, about: "the recurrent weights of layer 2, stored [in, out]" },
    b_h2: { value: p.b[1]!, about: "the bias of layer 2, added to every batch row" },
    W_h2a: { value: p.Wha, about: "the output weights, stored [in, out]" },
    b_a: { value: p.ba, about: "the output bias, added to every batch row" },
    X1: { value: f.X[0]!, about: "the batch of §1.1, the first step's input X₁ (row r is batch row r)" },
    X: { value: stackSteps(f.X), about: "the inputs X_t of every step (row t·r is batch row r at step t)" },
    Z1: { value: layer(f.Z, 0), about: "the pre-activations of layer 1 at every step (row t·r)" },
    Z2: { value: layer(f.Z, 1), about: "the pre-activations of layer 2 at every step (row t·r)" },
    y: {
      value: Float64Array.from(f.targets.flat()), about: "the class of each batch row at each step", shape: [f.T, f.n],
      text: f.targets.map((row, s) => `t = ${s + 1}: ${row.join(" ")}`).join(" · "),
    },
    Y: { value: stackSteps(f.targets.map((row) => oneHot(row, classes))), about: "one-hot(y) of every step (row t·r)" },
    T: { value: f.T, about: "the number of steps" },
    L: { value: f.loss, about: "the source's loss (1/T) Σₜ CEₜ, summed over the batch" },
    n: { value: f.n, about: "the batch size" },
    dL_dZ1t: { value: layer(g.dZ, 0), about: "∂L/∂Z_t⁽¹⁾ of L = (1/T) Σₜ CEₜ at every step (row t·r), through every later step" },
    dL_dZ2t: { value: layer(g.dZ, 1), about: "∂L/∂Z_t⁽²⁾ of L = (1/T) Σₜ CEₜ at every step (row t·r), through every later step" },
  });
}
