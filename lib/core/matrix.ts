/**
 * Row-major Float64 matrices that carry their shape, and the handful of operations the derivation uses.
 *
 * Vectors are plain `Float64Array`s and are read as *row* vectors, as in the main derivation (PyTorch
 * conventions, "BPTT Derivations" §3). Every operation checks shapes and throws a `ShapeError` whose message
 * names the operation, the operands and both shapes, in the manner of tfjs:
 * `matmul: inner shapes 3 and 4 of A [2,3] and B [4,5] must match`.
 */

export type Vector = Float64Array;

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Entry (i, j) is `data[i * cols + j]`. */
  readonly data: Float64Array;
}

export class ShapeError extends Error {
  override name = "ShapeError";
}

export const shapeOf = (m: Matrix): [number, number] => [m.rows, m.cols];
const fmt = (m: Matrix) => `[${m.rows},${m.cols}]`;

function checkSize(op: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new ShapeError(`${op}: ${what} must be a non-negative integer, got ${n}`);
}

export function zeros(rows: number, cols: number): Matrix {
  checkSize("zeros", "rows", rows);
  checkSize("zeros", "cols", cols);
  return { rows, cols, data: new Float64Array(rows * cols) };
}

export function fromRows(rows: ArrayLike<ArrayLike<number>>, cols?: number): Matrix {
  const n = rows.length;
  const m = cols ?? (n > 0 ? rows[0]!.length : 0);
  const out = zeros(n, m);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    if (r.length !== m) throw new ShapeError(`fromRows: row ${i} has ${r.length} entries, expected ${m}`);
    out.data.set(r, i * m);
  }
  return out;
}

export function toRows(a: Matrix): number[][] {
  return Array.from({ length: a.rows }, (_, i) => Array.from(row(a, i)));
}

export function clone(a: Matrix): Matrix {
  return { rows: a.rows, cols: a.cols, data: a.data.slice() };
}

export function get(a: Matrix, i: number, j: number): number {
  if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= a.rows || j >= a.cols) {
    throw new ShapeError(`get: index (${i}, ${j}) is out of range for A ${fmt(a)}`);
  }
  return a.data[i * a.cols + j]!;
}

/** Row i as a view (no copy): writes through to `a`. */
export function row(a: Matrix, i: number): Vector {
  if (!Number.isInteger(i) || i < 0 || i >= a.rows) {
    throw new ShapeError(`row: index ${i} is out of range for A ${fmt(a)}`);
  }
  return a.data.subarray(i * a.cols, (i + 1) * a.cols);
}

/** Stack row vectors into a matrix. */
export function stack(vs: readonly Vector[], cols?: number): Matrix {
  const m = cols ?? (vs.length > 0 ? vs[0]!.length : 0);
  vs.forEach((v, i) => {
    if (v.length !== m) throw new ShapeError(`stack: vector ${i} has length ${v.length}, expected ${m}`);
  });
  return fromRows(vs, m);
}

export function transpose(a: Matrix): Matrix {
  const out = zeros(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j]!;
  return out;
}

/** A B. */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) {
    throw new ShapeError(`matmul: inner shapes ${a.cols} and ${b.rows} of A ${fmt(a)} and B ${fmt(b)} must match`);
  }
  const out = zeros(a.rows, b.cols);
  const n = a.cols, m = b.cols;
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a.data[i * n + k]!;
      for (let j = 0; j < m; j++) out.data[i * m + j]! += aik * b.data[k * m + j]!;
    }
  }
  return out;
}

/** A Bᵀ — the shape of every linear layer in the derivation (`h Wᵀ`, weights stored [out, in]). */
export function matmulT(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.cols) {
    throw new ShapeError(`matmulT: inner shapes ${a.cols} and ${b.cols} of A ${fmt(a)} and Bᵀ (B ${fmt(b)}) must match`);
  }
  const out = zeros(a.rows, b.rows);
  const n = a.cols;
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.rows; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a.data[i * n + k]! * b.data[j * n + k]!;
      out.data[i * b.rows + j] = s;
    }
  }
  return out;
}

/** Row vector times matrix, v A. */
export function vecmat(v: Vector, a: Matrix): Vector {
  if (v.length !== a.rows) {
    throw new ShapeError(`vecmat: inner shapes ${v.length} and ${a.rows} of v [1,${v.length}] and A ${fmt(a)} must match`);
  }
  const out = new Float64Array(a.cols);
  for (let k = 0; k < a.rows; k++) {
    const vk = v[k]!;
    for (let j = 0; j < a.cols; j++) out[j]! += vk * a.data[k * a.cols + j]!;
  }
  return out;
}

/** Row vector times the transpose of a matrix, v Aᵀ (a linear layer applied to one row vector). */
export function vecmatT(v: Vector, a: Matrix): Vector {
  if (v.length !== a.cols) {
    throw new ShapeError(`vecmatT: inner shapes ${v.length} and ${a.cols} of v [1,${v.length}] and Aᵀ (A ${fmt(a)}) must match`);
  }
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let k = 0; k < a.cols; k++) s += v[k]! * a.data[i * a.cols + k]!;
    out[i] = s;
  }
  return out;
}

/** The outer product u ⊗ v: entry (i, j) is u_i v_j. */
export function outer(u: Vector, v: Vector): Matrix {
  const out = zeros(u.length, v.length);
  for (let i = 0; i < u.length; i++) for (let j = 0; j < v.length; j++) out.data[i * v.length + j] = u[i]! * v[j]!;
  return out;
}

/** out += u ⊗ v, in place; returns out. */
export function addOuterInPlace(out: Matrix, u: Vector, v: Vector): Matrix {
  if (out.rows !== u.length || out.cols !== v.length) {
    throw new ShapeError(`addOuterInPlace: u ⊗ v of u [1,${u.length}] and v [1,${v.length}] does not fit out ${fmt(out)}`);
  }
  for (let i = 0; i < u.length; i++) {
    const ui = u[i]!;
    for (let j = 0; j < v.length; j++) out.data[i * v.length + j]! += ui * v[j]!;
  }
  return out;
}

function sameShape(op: string, a: Matrix, b: Matrix): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new ShapeError(`${op}: shapes of A ${fmt(a)} and B ${fmt(b)} must match`);
  }
}

function sameLength(op: string, u: Vector, v: Vector): void {
  if (u.length !== v.length) throw new ShapeError(`${op}: lengths of u [${u.length}] and v [${v.length}] must match`);
}

export function add(a: Matrix, b: Matrix): Matrix {
  sameShape("add", a, b);
  const out = clone(a);
  for (let i = 0; i < out.data.length; i++) out.data[i]! += b.data[i]!;
  return out;
}

export function addInPlace(a: Matrix, b: Matrix): Matrix {
  sameShape("addInPlace", a, b);
  for (let i = 0; i < a.data.length; i++) a.data[i]! += b.data[i]!;
  return a;
}

export function sub(a: Matrix, b: Matrix): Matrix {
  sameShape("sub", a, b);
  const out = clone(a);
  for (let i = 0; i < out.data.length; i++) out.data[i]! -= b.data[i]!;
  return out;
}

export function scale(a: Matrix, s: number): Matrix {
  const out = clone(a);
  for (let i = 0; i < out.data.length; i++) out.data[i]! *= s;
  return out;
}

export function vadd(u: Vector, v: Vector): Vector {
  sameLength("vadd", u, v);
  return u.map((x, i) => x + v[i]!);
}

export function vaddInPlace(u: Vector, v: Vector): Vector {
  sameLength("vaddInPlace", u, v);
  for (let i = 0; i < u.length; i++) u[i]! += v[i]!;
  return u;
}

/** Elementwise product u ⊙ v. */
export function hadamard(u: Vector, v: Vector): Vector {
  sameLength("hadamard", u, v);
  return u.map((x, i) => x * v[i]!);
}

/** diag[d] A: scales row i of A by d_i. */
export function diagMat(d: Vector, a: Matrix): Matrix {
  if (d.length !== a.rows) {
    throw new ShapeError(`diagMat: inner shapes ${d.length} and ${a.rows} of diag(d) [${d.length},${d.length}] and A ${fmt(a)} must match`);
  }
  const out = clone(a);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.data[i * a.cols + j]! *= d[i]!;
  return out;
}

/** The diagonal matrix diag[d]. */
export function diag(d: Vector): Matrix {
  const out = zeros(d.length, d.length);
  for (let i = 0; i < d.length; i++) out.data[i * d.length + i] = d[i]!;
  return out;
}

/** Sum of the rows of A (a row vector): Σ_t A[t, :]. */
export function sumRows(a: Matrix): Vector {
  const out = new Float64Array(a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[j]! += a.data[i * a.cols + j]!;
  return out;
}

/** Largest |a_ij − b_ij|; NaN anywhere makes the result NaN so that a broken value never passes a check. */
export function maxAbsDiff(a: Matrix | Vector, b: Matrix | Vector): number {
  const [x, y] = [dataOf(a), dataOf(b)];
  if (x.length !== y.length || "rows" in a !== "rows" in b || ("rows" in a && "rows" in b && (a.rows !== b.rows || a.cols !== b.cols))) {
    throw new ShapeError(`maxAbsDiff: shapes ${shapeText(a)} and ${shapeText(b)} must match`);
  }
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i]! - y[i]!);
    if (Number.isNaN(d)) return NaN;
    if (d > m) m = d;
  }
  return m;
}

export function maxAbs(a: Matrix | Vector): number {
  let m = 0;
  for (const x of dataOf(a)) {
    if (Number.isNaN(x)) return NaN;
    m = Math.max(m, Math.abs(x));
  }
  return m;
}

const dataOf = (a: Matrix | Vector): Float64Array => ("data" in a ? a.data : a);
export const shapeText = (a: Matrix | Vector): string => ("data" in a ? fmt(a) : `[${a.length}]`);
