/** The promise every message of the answer key and the answer checker makes, as one assertion for both tests. */
import { expect } from "vitest";
import { InputError, MAX_MESSAGE_LENGTH } from "../lib/core/tokens.js";

/** Characters no message may hold raw: controls (CR, LF, NUL, NEL, …), line and paragraph separators, lone surrogates. */
export const UNSAFE = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}]/u;

/** Checks that `e` is an InputError whose message is one safe, short line; returns the message. */
export function expectOneLine(e: unknown): string {
  expect(e).toBeInstanceOf(InputError);
  const m = (e as Error).message;
  expect(m).not.toMatch(UNSAFE);
  expect(m.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
  return m;
}
