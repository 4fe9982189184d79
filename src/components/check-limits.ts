/**
 * The Check page's limits, shared by its worker (src/workers/answer-key.ts) and the page's text, so what the page
 * promises is what the worker does. The sizes a case may have are lib/tools/answer-key.ts's: RANDOM_CASE_RANGES.
 */

/** The wrong entries listed one by one under the comparison; the rest are counted and marked in the tables. */
export const WRONG_LIST_MAX = 100;

/**
 * Parameters × τ above which the key's finite-difference check is skipped: its cost grows as
 * parameters × τ × hidden; at this bound it takes about a second in the worker.
 */
export const FD_MAX_WORK = 200_000;
