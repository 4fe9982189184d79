/**
 * Checks on token sequences, shared by the model, the answer key and the pages so that a bad sequence gets the
 * same one-line message everywhere: `inputs[3] = 9 is not a token id: the vocabulary has 8 tokens (ids 0 to 7)`.
 */

export class InputError extends Error {
  override name = "InputError";
}

/** Throws an InputError naming `field` unless `ids` is a non-empty list of token ids below `vocab`. */
export function checkTokenIds(field: string, ids: ArrayLike<number>, vocab: number): void {
  if (ids.length === 0) throw new InputError(`${field} is empty: expected at least one token`);
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t]!;
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new InputError(
        `${field}[${t}] = ${typeof id === "number" ? String(id) : JSON.stringify(id)} is not a token id: the vocabulary has ${vocab} token${vocab === 1 ? "" : "s"} (ids 0 to ${vocab - 1})`,
      );
    }
  }
}

/** Inputs and targets must be valid and of equal length τ (one target per input, eq 1.1). */
export function checkSequence(inputs: ArrayLike<number>, targets: ArrayLike<number>, vocab: number): number {
  checkTokenIds("inputs", inputs, vocab);
  checkTokenIds("targets", targets, vocab);
  if (inputs.length !== targets.length) {
    throw new InputError(
      `targets has ${targets.length} tokens but inputs has ${inputs.length}: expected one target per input`,
    );
  }
  return inputs.length;
}
