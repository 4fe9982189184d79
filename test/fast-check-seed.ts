/**
 * Property tests run from a fixed seed, so CI on a fresh clone checks the same cases every time and a failure
 * reproduces. FC_SEED=<n> runs another seed; FC_SEED=random draws one (fast-check prints it on failure) — use it
 * to hunt for cases the fixed seed does not reach, then pin what it finds as a fixed case.
 */
import fc from "fast-check";

export const DEFAULT_FC_SEED = 20261123;

const env = process.env.FC_SEED;
if (env !== "random") {
  const seed = env === undefined || env === "" ? DEFAULT_FC_SEED : Number(env);
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED: expected an integer or "random", got ${JSON.stringify(env)}`);
  fc.configureGlobal({ seed });
}
