/** What the answer-key test files share: the spec's running example as a case, and the message a refusal gives. */
import { type CaseJson, caseToJson, parseCase, randomCase } from "../../lib/tools/case.js";
import { expectOneLine } from "../one-line.js";

/** The spec's running example: vocab 8, d_model 4, hidden 6, τ 6. */
export const OPTS = { seed: 1, vocab: 8, dModel: 4, hidden: 6, tau: 6 } as const;
export const base = (): CaseJson => caseToJson(randomCase(OPTS));
export const json = (c: unknown): string => JSON.stringify(c);

/** The message `f` throws, checked by expectOneLine, or a failure if it returns. */
export function thrownBy(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return expectOneLine(e);
  }
  throw new Error("the input was accepted");
}

/** The message parseCase gives for `text`, or a failure if it accepts it. */
export const messageFor = (text: string): string => thrownBy(() => parseCase(text));
/** The message for the base case with `edit` applied. */
export const messageAfter = (edit: (c: Record<string, unknown>) => void): string => {
  const c = base() as unknown as Record<string, unknown>;
  edit(c);
  return messageFor(json(c));
};
