/**
 * The finite-difference checks of lib/stacked/finite-differences.ts can fail: gradients with the source's slips
 * written in on purpose are told apart from the truth.
 */
import { describe, expect, it } from "vitest";
import { discrepancy } from "../../lib/core/fd.js";
import { type Matrix, clone, matmul, transpose, zeros } from "../../lib/core/matrix.js";
import { stackedBackward } from "../../lib/stacked/backward.js";
import { numericalStackedParamGrads, numericalStackedStateGrads } from "../../lib/stacked/finite-differences.js";
import { stackedForward } from "../../lib/stacked/forward.js";
import { SPECS, setup } from "./cases.js";

// ————————————————————————————————————————— deliberately wrong gradients —————————————————————————————————————————

describe("the finite-difference checks can fail: deliberately wrong gradients are caught", () => {
  const spec = SPECS[0]!;
  const { c, f, g } = setup(spec);
  const num = numericalStackedParamGrads(c.p, c.X, c.y, c.opts);
  const caught = (what: string, wrong: Matrix, numeric: Matrix) => {
    const d = discrepancy(wrong, numeric);
    expect(d.relError, `${what}: ${JSON.stringify(d)}`).toBeGreaterThan(1e-3);
  };

  it("∂L/∂W_hh^(2) with W_hh instead of W_hhᵀ in the step back (the slip of stacked 2.1 (4), (5))", () => {
    const dZ1 = matmul(g.dZ[1]![1]!, c.p.Whh[1]!); // should be · W_hhᵀ
    const dtanh = f.H[0]![1]!.data.map((h) => 1 - h * h);
    const wrongDZ = { ...dZ1, data: dZ1.data.map((v, k) => (v + matmul(g.dZout[0]!, transpose(c.p.Wha)).data[k]!) * dtanh[k]!) };
    const wrong = clone(matmul(transpose(c.opts.H0![1]!), wrongDZ));
    const second = matmul(transpose(f.H[0]![1]!), g.dZ[1]![1]!);
    wrong.data.forEach((_, k) => { wrong.data[k]! += second.data[k]!; });
    caught("W_hh^(2)", wrong, num.Whh[1]!);
  });

  it("∂L/∂W_xh^(1) without the path up through layer 2's recurrence (the slip of stacked 2.1 (7))", () => {
    // ∂L/∂H_1^(1) through W_hh^(1) only, dropping ∂L/∂Z_1^(2) (W_xh^(2))ᵀ
    const dH = matmul(g.dZ[1]![0]!, transpose(c.p.Whh[0]!));
    const dZ = { ...dH, data: dH.data.map((v, k) => v * (1 - f.H[0]![0]!.data[k]! ** 2)) };
    const wrong = matmul(transpose(c.X[0]!), dZ);
    const second = matmul(transpose(c.X[1]!), g.dZ[1]![0]!);
    wrong.data.forEach((_, k) => { wrong.data[k]! += second.data[k]!; });
    caught("W_xh^(1)", wrong, num.Wxh[0]!);
  });

  it("∂L/∂W_ha with the source's 1/T averaging where the loss is the batch mean (n = 2)", () => {
    const src = stackedBackward(c.p, stackedForward(c.p, c.X, c.y, { ...c.opts, reduction: "source" }));
    caught("W_ha (source weights)", src.Wha, num.Wha);
  });

  it("∂L/∂H_0 treated as zero, and ∂L/∂W_hh without its H_0 term", () => {
    const st = numericalStackedStateGrads(c.p, c.X, c.y, c.opts);
    caught("dH0 = 0 vs numeric", zeros(g.dH0[0]!.rows, g.dH0[0]!.cols), st.dH0[0]!);
    const noH0 = matmul(transpose(f.H[0]![0]!), g.dZ[1]![0]!);
    caught("W_hh^(1) without H_0", noH0, num.Whh[0]!);
  });
});
