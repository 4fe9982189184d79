/**
 * Only src/stacked.md still imports its table from here; the table is src/components/number-table.ts. Delete this
 * file once that page imports it from there.
 */
export { numberTable } from "./number-table.js";
