/**
 * The check of /plan's waves: the wave of every node of Figure 1 as §2 of "BPTT Derivations" counts it, by formula,
 * written out by hand from the model's equations rather than found by searching the graph (`gradientWaves` in
 * lib/derivation/graph.ts, which this module does not import). Node ids are spelled as graph.ts spells them.
 *
 * From L (wave 0) down: L⁽ᵗ⁾ 1, ŷ⁽ᵗ⁾ 2, o⁽ᵗ⁾ 3 for every t; h⁽τ⁾ 4, and each h⁽ᵗ⁾ two waves after h⁽ᵗ⁺¹⁾ (through a⁽ᵗ⁺¹⁾),
 * so h⁽ᵗ⁾ 4 + 2(τ − t), a⁽ᵗ⁾ one more, x⁽ᵗ⁾ two more; V and c one after the logits (4); h⁽⁰⁾, W, U and b one after
 * a⁽¹⁾ (2τ + 4); E one after x⁽¹⁾ (2τ + 5): 2τ + 6 waves in all.
 */
export function wavesByFormula(tau: number): Record<string, number> {
  if (!Number.isInteger(tau) || tau < 1) throw new RangeError(`wavesByFormula: τ must be a positive integer, got ${tau}`);
  const out: Record<string, number> = { L: 0, V: 4, c: 4, h0: 2 * tau + 4, W: 2 * tau + 4, U: 2 * tau + 4, b: 2 * tau + 4, E: 2 * tau + 5 };
  for (let t = 1; t <= tau; t++) {
    const h = 4 + 2 * (tau - t);
    Object.assign(out, { [`Lt${t}`]: 1, [`yhat${t}`]: 2, [`o${t}`]: 3, [`h${t}`]: h, [`a${t}`]: h + 1, [`x${t}`]: h + 2 });
  }
  return out;
}
