/**
 * lib/derivation/gradcheck.ts's finite differences reuse the unperturbed steps before the first one that reads a perturbed
 * entry. Here they are compared with the plain definition — every perturbed loss from scratch with lib/derivation/forward.ts —
 * including a row of E no input reads (whose zero must be found, not assumed) and a token first read late.
 */
import { describe, expect, it } from "vitest";
import { forward } from "../../lib/derivation/forward.js";
import { numericalParamGrads } from "../../lib/derivation/gradcheck.js";
import { centralDifference } from "../../lib/core/fd.js";
import { FD_EPSILON } from "../../lib/core/tolerances.js";
import { type Matrix, type Vector, maxAbsDiff } from "../../lib/core/matrix.js";
import { PARAM_NAMES, initParams, initialHidden } from "../../lib/derivation/model.js";
import { makeRng } from "../../lib/core/rng.js";

/** Two evaluations of the same difference quotient that differ only in the order of one sum over t. */
const SAME_QUOTIENT_TOL = 1e-9;

describe("numericalParamGrads", () => {
  it("equals central differences with every loss recomputed from scratch", () => {
    const sizes = { vocab: 6, dModel: 3, hidden: 4 };
    const p = initParams(sizes, makeRng(3));
    const inputs = [2, 2, 0, 4, 2, 5], targets = [2, 0, 4, 2, 5, 1]; // token 1 and 3 never read; 5 first read at t = 6
    const h0 = initialHidden("point-one", 4);
    const fast = numericalParamGrads(p, inputs, targets, h0);
    for (const name of PARAM_NAMES) {
      const theta = "data" in p[name] ? (p[name] as Matrix).data : (p[name] as Vector);
      const plain = new Float64Array(theta.length);
      for (let k = 0; k < theta.length; k++) plain[k] = centralDifference(theta, k, () => forward(p, inputs, targets, h0).loss, FD_EPSILON);
      const got = "data" in fast[name] ? (fast[name] as Matrix).data : (fast[name] as Vector);
      expect(maxAbsDiff(got, plain), name).toBeLessThan(SAME_QUOTIENT_TOL);
    }
    // Rows of tokens no input reads come out exactly zero: their perturbed losses were recomputed in full.
    const E = fast.E;
    for (const k of [1, 3]) for (let j = 0; j < 3; j++) expect(E.data[k * 3 + j]).toBe(0);
  });
});
