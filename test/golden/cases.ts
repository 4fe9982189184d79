/**
 * The golden answer-key cases: tiny random cases whose exact bytes, as `npm run --silent answer-key -- ARGV`
 * prints them, are committed in test/golden/NAME.json. test/golden.test.ts compares them in Node (so that a change
 * of Node, or of lib/, that moves a last bit is caught), test/browser/same-bits.test.ts in every browser engine.
 *
 * After a change that is meant to move bits (say lib's own exp/log/tanh replacing Math's), regenerate them with
 * `npm run golden` and commit the diff with the change that caused it.
 */
export interface GoldenCase {
  /** The file is test/golden/NAME.json. */
  name: string;
  /** The answer-key's arguments. */
  argv: readonly string[];
}

const random = (seed: number, vocab: number, dModel: number, hidden: number, tau: number, h0: "zeros" | "point-one"): GoldenCase => ({
  name: `answer-key-seed${seed}-v${vocab}-d${dModel}-h${hidden}-t${tau}-${h0}`,
  argv: ["--seed", `${seed}`, "--vocab", `${vocab}`, "--d-model", `${dModel}`, "--hidden", `${hidden}`, "--tau", `${tau}`, "--h0", h0],
});

export const GOLDEN_CASES: readonly GoldenCase[] = [
  random(1, 3, 2, 2, 3, "zeros"),
  random(7, 4, 3, 3, 4, "point-one"),
  random(2026, 5, 2, 4, 5, "point-one"),
  random(4294967295, 2, 1, 1, 2, "zeros"),
];

/** Where a case's bytes live, relative to the repository's root. */
export const goldenPath = (c: GoldenCase): string => `test/golden/${c.name}.json`;
