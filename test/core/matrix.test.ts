/**
 * lib/core/matrix.ts: every shape check throws a ShapeError naming the operation, the operands and both shapes;
 * the products are checked against small examples worked out by hand; maxAbsDiff never lets a NaN pass.
 */
import { describe, expect, it } from "vitest";
import {
  type Matrix, ShapeError, add, addInPlace, addOuterInPlace, clone, diag, diagMat, fromRows, get, hadamard, matmul,
  matmulT, maxAbs, maxAbsDiff, outer, row, scale, shapeOf, shapeText, stack, sub, sumRows, toRows, transpose, vadd,
  vaddInPlace, vecmat, vecmatT, zeros,
} from "../../lib/core/matrix.js";

/** A rows × cols matrix whose entries are 1, 2, 3, … in row-major order (so mix-ups of i and j show). */
function seq(rows: number, cols: number): Matrix {
  const m = zeros(rows, cols);
  for (let k = 0; k < m.data.length; k++) m.data[k] = k + 1;
  return m;
}
const vec = (...xs: number[]) => Float64Array.from(xs);

/** Runs f, expects a ShapeError, and returns its message. */
function shapeErrorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ShapeError);
    expect((e as Error).name).toBe("ShapeError");
    return (e as Error).message;
  }
  throw new Error("expected a ShapeError, but nothing was thrown");
}

describe("ShapeError messages name the operation, the operands and both shapes", () => {
  it("matmul", () => {
    expect(shapeErrorOf(() => matmul(zeros(2, 3), zeros(4, 5)))).toBe(
      "matmul: inner shapes 3 and 4 of A [2,3] and B [4,5] must match",
    );
  });

  it("matmulT", () => {
    expect(shapeErrorOf(() => matmulT(zeros(2, 3), zeros(5, 4)))).toBe(
      "matmulT: inner shapes 3 and 4 of A [2,3] and Bᵀ (B [5,4]) must match",
    );
  });

  it("vecmat", () => {
    expect(shapeErrorOf(() => vecmat(new Float64Array(3), zeros(2, 5)))).toBe(
      "vecmat: inner shapes 3 and 2 of v [1,3] and A [2,5] must match",
    );
  });

  it("vecmatT", () => {
    expect(shapeErrorOf(() => vecmatT(new Float64Array(3), zeros(2, 5)))).toBe(
      "vecmatT: inner shapes 3 and 5 of v [1,3] and Aᵀ (A [2,5]) must match",
    );
  });

  it("addOuterInPlace (and it leaves `out` untouched)", () => {
    const out = seq(3, 3);
    const before = out.data.slice();
    const msg = shapeErrorOf(() => addOuterInPlace(out, new Float64Array(2), new Float64Array(3)));
    // The message calls the operation "addOuter"; either spelling names it.
    expect(msg).toMatch(/^addOuter(InPlace)?: u ⊗ v of u \[1,2\] and v \[1,3\] does not fit out \[3,3\]$/);
    expect(out.data).toEqual(before);
    // The other axis is checked too.
    expect(shapeErrorOf(() => addOuterInPlace(zeros(2, 2), new Float64Array(2), new Float64Array(3)))).toMatch(
      /u \[1,2\] and v \[1,3\] does not fit out \[2,2\]$/,
    );
  });

  it("add, addInPlace, sub (addInPlace leaves A untouched)", () => {
    expect(shapeErrorOf(() => add(zeros(2, 3), zeros(3, 2)))).toBe("add: shapes of A [2,3] and B [3,2] must match");
    expect(shapeErrorOf(() => sub(zeros(2, 3), zeros(2, 4)))).toBe("sub: shapes of A [2,3] and B [2,4] must match");
    const a = seq(2, 3);
    expect(shapeErrorOf(() => addInPlace(a, zeros(1, 6)))).toBe("addInPlace: shapes of A [2,3] and B [1,6] must match");
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("vadd, vaddInPlace, hadamard", () => {
    expect(shapeErrorOf(() => vadd(new Float64Array(2), new Float64Array(3)))).toBe(
      "vadd: lengths of u [2] and v [3] must match",
    );
    const u = vec(1, 2, 3);
    expect(shapeErrorOf(() => vaddInPlace(u, new Float64Array(4)))).toBe(
      "vaddInPlace: lengths of u [3] and v [4] must match",
    );
    expect(Array.from(u)).toEqual([1, 2, 3]);
    expect(shapeErrorOf(() => hadamard(new Float64Array(5), new Float64Array(1)))).toBe(
      "hadamard: lengths of u [5] and v [1] must match",
    );
  });

  it("diagMat", () => {
    expect(shapeErrorOf(() => diagMat(new Float64Array(2), zeros(3, 4)))).toBe(
      "diagMat: inner shapes 2 and 3 of diag(d) [2,2] and A [3,4] must match",
    );
  });

  it("maxAbsDiff", () => {
    expect(shapeErrorOf(() => maxAbsDiff(zeros(2, 3), zeros(3, 2)))).toBe("maxAbsDiff: shapes [2,3] and [3,2] must match");
    expect(shapeErrorOf(() => maxAbsDiff(new Float64Array(3), new Float64Array(4)))).toBe(
      "maxAbsDiff: shapes [3] and [4] must match",
    );
    expect(shapeErrorOf(() => maxAbsDiff(zeros(2, 3), new Float64Array(5)))).toBe(
      "maxAbsDiff: shapes [2,3] and [5] must match",
    );
  });

  it("row: an index out of range names the index and the shape", () => {
    expect(shapeErrorOf(() => row(zeros(2, 3), 2))).toBe("row: index 2 is out of range for A [2,3]");
    expect(shapeErrorOf(() => row(zeros(2, 3), -1))).toBe("row: index -1 is out of range for A [2,3]");
    expect(shapeErrorOf(() => row(zeros(2, 3), 0.5))).toBe("row: index 0.5 is out of range for A [2,3]");
  });

  it("zeros: sizes must be non-negative integers", () => {
    expect(shapeErrorOf(() => zeros(-1, 2))).toBe("zeros: rows must be a non-negative integer, got -1");
    expect(shapeErrorOf(() => zeros(2, 1.5))).toBe("zeros: cols must be a non-negative integer, got 1.5");
    expect(shapeErrorOf(() => zeros(NaN, 2))).toBe("zeros: rows must be a non-negative integer, got NaN");
  });

  it("fromRows and stack: ragged rows", () => {
    expect(shapeErrorOf(() => fromRows([[1, 2], [3]]))).toBe("fromRows: row 1 has 1 entries, expected 2");
    expect(shapeErrorOf(() => fromRows([[1, 2]], 3))).toBe("fromRows: row 0 has 2 entries, expected 3");
    expect(shapeErrorOf(() => stack([new Float64Array(2), new Float64Array(3)]))).toBe(
      "stack: vector 1 has length 3, expected 2",
    );
  });
});

describe("constructors and views", () => {
  it("zeros, fromRows, toRows, shapeOf, shapeText, get", () => {
    const z = zeros(2, 3);
    expect(shapeOf(z)).toEqual([2, 3]);
    expect(Array.from(z.data)).toEqual([0, 0, 0, 0, 0, 0]);
    const m = fromRows([[1, 2, 3], [4, 5, 6]]);
    expect(shapeOf(m)).toEqual([2, 3]);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(toRows(m)).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(get(m, 1, 0)).toBe(4);
    expect(get(m, 0, 2)).toBe(3);
    expect(shapeText(m)).toBe("[2,3]");
    expect(shapeText(vec(1, 2))).toBe("[2]");
    expect(shapeOf(fromRows([]))).toEqual([0, 0]);
    expect(shapeOf(fromRows([], 4))).toEqual([0, 4]);
  });

  it("row is a view that writes through; clone is a deep copy", () => {
    const m = seq(2, 3);
    const c = clone(m);
    row(m, 1)[0] = 40;
    expect(get(m, 1, 0)).toBe(40);
    expect(get(c, 1, 0)).toBe(4);
    expect(Array.from(row(m, 0))).toEqual([1, 2, 3]);
  });

  it("stack stacks row vectors", () => {
    expect(toRows(stack([vec(1, 2), vec(3, 4), vec(5, 6)]))).toEqual([[1, 2], [3, 4], [5, 6]]);
  });
});

describe("small products worked out by hand", () => {
  const A = fromRows([[1, 2, 3], [4, 5, 6]]); // 2 × 3
  const B = fromRows([[7, 8], [9, 10], [11, 12]]); // 3 × 2

  it("matmul: [[1,2,3],[4,5,6]] [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]", () => {
    // 1·7 + 2·9 + 3·11 = 58, 1·8 + 2·10 + 3·12 = 64, 4·7 + 5·9 + 6·11 = 139, 4·8 + 5·10 + 6·12 = 154
    expect(toRows(matmul(A, B))).toEqual([[58, 64], [139, 154]]);
    // B A is 3 × 3: row 0 = 7·[1,2,3] + 8·[4,5,6] = [39, 54, 69]
    expect(toRows(matmul(B, A))).toEqual([[39, 54, 69], [49, 68, 87], [59, 82, 105]]);
  });

  it("matmulT: A Bᵀ with B stored [out, in]", () => {
    const Bt = fromRows([[7, 9, 11], [8, 10, 12]]); // the transpose of B
    expect(toRows(matmulT(A, Bt))).toEqual([[58, 64], [139, 154]]);
  });

  it("vecmat and vecmatT", () => {
    // [1, 2] A = [1+8, 2+10, 3+12]
    expect(Array.from(vecmat(vec(1, 2), A))).toEqual([9, 12, 15]);
    // [1, 2, 3] Aᵀ = [1+4+9, 4+10+18]
    expect(Array.from(vecmatT(vec(1, 2, 3), A))).toEqual([14, 32]);
  });

  it("outer and addOuterInPlace", () => {
    expect(toRows(outer(vec(1, 2), vec(3, 4, 5)))).toEqual([[3, 4, 5], [6, 8, 10]]);
    const out = fromRows([[1, 1, 1], [1, 1, 1]]);
    const ret = addOuterInPlace(out, vec(1, 2), vec(3, 4, 5));
    expect(ret).toBe(out);
    expect(toRows(out)).toEqual([[4, 5, 6], [7, 9, 11]]);
  });

  it("transpose, diag, diagMat, sumRows", () => {
    expect(toRows(transpose(A))).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(toRows(diag(vec(2, 3)))).toEqual([[2, 0], [0, 3]]);
    // diag[d] A scales row i by d_i
    expect(toRows(diagMat(vec(2, -1), A))).toEqual([[2, 4, 6], [-4, -5, -6]]);
    expect(toRows(diagMat(vec(2, -1), A))).toEqual(toRows(matmul(diag(vec(2, -1)), A)));
    expect(Array.from(sumRows(A))).toEqual([5, 7, 9]);
  });

  it("add, addInPlace, sub, scale, vadd, vaddInPlace, hadamard", () => {
    const C = fromRows([[1, 0, -1], [2, 2, 2]]);
    expect(toRows(add(A, C))).toEqual([[2, 2, 2], [6, 7, 8]]);
    expect(toRows(sub(A, C))).toEqual([[0, 2, 4], [2, 3, 4]]);
    expect(toRows(scale(A, -2))).toEqual([[-2, -4, -6], [-8, -10, -12]]);
    expect(toRows(A)).toEqual([[1, 2, 3], [4, 5, 6]]); // the pure ones do not write into their inputs
    const D = clone(A);
    expect(addInPlace(D, C)).toBe(D);
    expect(toRows(D)).toEqual([[2, 2, 2], [6, 7, 8]]);
    expect(Array.from(vadd(vec(1, 2), vec(10, 20)))).toEqual([11, 22]);
    const u = vec(1, 2);
    expect(vaddInPlace(u, vec(10, 20))).toBe(u);
    expect(Array.from(u)).toEqual([11, 22]);
    expect(Array.from(hadamard(vec(1, 2, 3), vec(4, -5, 0)))).toEqual([4, -10, 0]);
  });
});

describe("maxAbsDiff and maxAbs", () => {
  it("the largest absolute difference", () => {
    expect(maxAbsDiff(vec(1, 2, 3), vec(1, 2.5, 1))).toBe(2);
    expect(maxAbsDiff(fromRows([[1, -4]]), fromRows([[1, 4]]))).toBe(8);
    expect(maxAbsDiff(vec(), vec())).toBe(0);
    expect(maxAbs(vec(1, -7, 3))).toBe(7);
  });

  it("returns NaN when either side holds a NaN, wherever it is", () => {
    expect(maxAbsDiff(vec(NaN, 1), vec(0, 1))).toBeNaN();
    expect(maxAbsDiff(vec(0, 1), vec(0, NaN))).toBeNaN();
    // a NaN after a large difference must not be hidden by it
    expect(maxAbsDiff(vec(100, NaN), vec(0, 0))).toBeNaN();
    expect(maxAbsDiff(fromRows([[1, 2], [3, NaN]]), fromRows([[1, 2], [3, 4]]))).toBeNaN();
    expect(maxAbs(vec(5, NaN, 1))).toBeNaN();
    // so a comparison against any tolerance fails
    expect(maxAbsDiff(vec(NaN), vec(NaN)) < 1).toBe(false);
  });
});
