/**
 * What the main derivation's pages can name without drawing it: the parameters, the forward pass and the
 * gradients of the example (lib/state/example.ts), registered for the symbols of their equations (symbols.ts).
 * A cell that draws one of these links its own drawing instead (liveCell's `symbol`), which the symbol then prefers.
 */
import type { Example } from "../lib/state/example.js";
import { registerSymbols } from "./symbols.js";

export function registerExample(ex: Example): void {
  const { params: p, fwd: f, grads: g } = ex;
  const tokens = (ids: readonly number[]) => ids.map((i) => (ex.labels[i] === " " ? "␣" : ex.labels[i])).join(" ");
  registerSymbols({
    E: { value: p.E, about: "the embedding table, one row per token, [vocab, d_model]" },
    W: { value: p.W, about: "the hidden-to-hidden weights, stored [out, in]" },
    U: { value: p.U, about: "the input-to-hidden weights, stored [out, in]" },
    b: { value: p.b, about: "the hidden bias" },
    V: { value: p.V, about: "the hidden-to-logit weights, stored [out, in]" },
    c: { value: p.c, about: "the logit bias" },
    h0: { value: f.h0, about: "the initial hidden state" },
    tau: { value: ex.inputs.length, about: "the number of steps" },
    input: { value: Float64Array.from(ex.inputs), about: "the input tokens, t = 1 … τ", text: tokens(ex.inputs) },
    y: { value: Float64Array.from(ex.targets), about: "the target tokens, t = 1 … τ", text: tokens(ex.targets) },
    x: { value: f.x, about: "the embeddings of the inputs, row t is step t" },
    a: { value: f.a, about: "the pre-activations, row t is step t" },
    h: { value: f.h, about: "the hidden states h⁽¹⁾ … h⁽τ⁾, row t is step t" },
    o: { value: f.o, about: "the logits, row t is step t" },
    yhat: { value: f.yhat, about: "the predicted probabilities, row t is step t" },
    Lt: { value: f.L_t, about: "the loss of each step" },
    L: { value: f.loss, about: "the loss, the mean of the L⁽ᵗ⁾" },
    dL_do: { value: g.dL_do, about: "the gradient of L with respect to the logits, row t is step t" },
    dL_dh: { value: g.dL_dh, about: "the gradient of L with respect to the hidden states, row t is step t" },
    dL_da: { value: g.dL_da, about: "the gradient of L with respect to the pre-activations, row t is step t" },
    dL_dc: { value: g.dL_dc, about: "the gradient of L with respect to c" },
    dL_db: { value: g.dL_db, about: "the gradient of L with respect to b" },
    dL_dV: { value: g.dL_dV, about: "the gradient of L with respect to V" },
    dL_dW: { value: g.dL_dW, about: "the gradient of L with respect to W" },
    dL_dU: { value: g.dL_dU, about: "the gradient of L with respect to U" },
    dL_dE: { value: g.dL_dE, about: "the gradient of L with respect to E" },
  });
}
