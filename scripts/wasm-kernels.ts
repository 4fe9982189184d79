/**
 * The WebAssembly text of lib/fast/fast.ts's two products, generated: `gemmNT` (C = A Bᵀ, or C += A Bᵀ) and `gemvNT`
 * (c = a Bᵀ, or c += a Bᵀ), the same contracts as the JavaScript `gemmNT` / `gemvNT` in lib/fast/fast.ts, in float64
 * SIMD (f64x2: two lanes over k, each lane summing every other product; no FMA, so every operation is IEEE-rounded
 * and the bits are the same in every engine). `npm run build:wasm` assembles it into lib/fast/kernels-wasm.ts.
 *
 * Pointers are byte offsets into the imported memory `env.mem`; row strides and sizes are in elements. The block
 * shapes were measured (scratch runs, 2 cores, Node 20): 2 rows of A × 4 rows of B for the product (11–12 GFLOP/s,
 * against 2.5–2.8 for the JavaScript 2 × 4 kernel and 9–11 for 2 × 2, 3 × 4, 4 × 2 or lanes over n), 4 rows of B
 * with k unrolled by 4 for the matrix-vector product (9.4 GFLOP/s at 256 × 256, against 2.1).
 */

const L = (...xs: string[]) => xs.join("\n");
const get = (x: string) => `local.get $${x}`;
const set = (x: string) => `local.set $${x}`;
const i32 = (v: number) => `i32.const ${v}`;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * One R × C block: rows $ar0… of A against rows $br0… of B, dot products over k two lanes at a time, stored (or
 * added) at $cr<r> + $jb + 8c. U = 2 unrolls the k loop to 4 entries per pass; a last pair and an odd entry follow.
 */
function block(R: number, C: number, U: 1 | 2): string {
  const out: string[] = [];
  for (const r of range(R)) for (const c of range(C)) out.push("v128.const f64x2 0 0", set(`s${r}_${c}`));
  const step = (off: number, base: string, load = "v128.load") => {
    for (const r of range(R)) out.push(get(`ar${r}`), get(base), "i32.add", `${load} offset=${off}`, set(`x${r}`));
    for (const c of range(C)) {
      out.push(get(`br${c}`), get(base), "i32.add", `${load} offset=${off}`, set("y"));
      for (const r of range(R)) out.push(get(`s${r}_${c}`), get(`x${r}`), get("y"), "f64x2.mul", "f64x2.add", set(`s${r}_${c}`));
    }
  };
  out.push(i32(0), set("pb"));
  if (U === 1) {
    out.push(get("kb"), "if", "loop $Lk");
    step(0, "pb");
    out.push(get("pb"), i32(16), "i32.add", "local.tee $pb", get("kb"), "i32.lt_u", "br_if $Lk", "end", "end");
  } else {
    out.push(get("kb4"), "if", "loop $Lk");
    step(0, "pb");
    step(16, "pb");
    out.push(get("pb"), i32(32), "i32.add", "local.tee $pb", get("kb4"), "i32.lt_u", "br_if $Lk", "end", "end");
    out.push(get("kb4"), get("kb"), "i32.ne", "if");
    step(0, "kb4");
    out.push("end");
  }
  // An odd k: load64_zero puts the last entry in lane 0 and 0 in lane 1.
  out.push(get("kodd"), "if");
  step(0, "kb", "v128.load64_zero");
  out.push("end");
  const sum = (r: number, c: number) => L(get(`s${r}_${c}`), "f64x2.extract_lane 0", get(`s${r}_${c}`), "f64x2.extract_lane 1", "f64.add");
  const at = (r: number) => L(get(`cr${r}`), get("jb"), "i32.add");
  out.push(get("beta"), "if");
  for (const r of range(R)) for (const c of range(C)) out.push(at(r), at(r), `f64.load offset=${8 * c}`, sum(r, c), "f64.add", `f64.store offset=${8 * c}`);
  out.push("else");
  for (const r of range(R)) for (const c of range(C)) out.push(at(r), sum(r, c), `f64.store offset=${8 * c}`);
  out.push("end");
  return L(...out);
}

/** The loop over rows of B (the columns of C), in blocks of Cs[0], then Cs[1], … rows, for the current R rows of A. */
function columns(R: number, Cs: number[], U: 1 | 2): string {
  const out: string[] = [i32(0), set("j")];
  for (const C of Cs) {
    const rowsOfB = L(get("b"), get("j"), get("ldbB"), "i32.mul", "i32.add", set("br0"),
      ...range(C).slice(1).map((c) => L(get(`br${c - 1}`), get("ldbB"), "i32.add", set(`br${c}`))));
    out.push(`block $Jd${C}`, `loop $J${C}`, get("j"), i32(C), "i32.add", get("n"), "i32.gt_s", `br_if $Jd${C}`,
      rowsOfB, get("j"), i32(3), "i32.shl", set("jb"), block(R, C, U),
      get("j"), i32(C), "i32.add", set("j"), `br $J${C}`, "end", "end");
  }
  return L(...out);
}

function locals(R: number, C: number): string {
  const v: string[] = [];
  for (const r of range(R)) for (const c of range(C)) v.push(`(local $s${r}_${c} v128)`);
  for (const r of range(R)) v.push(`(local $x${r} v128) (local $ar${r} i32) (local $cr${r} i32)`);
  for (const c of range(C)) v.push(`(local $br${c} i32)`);
  v.push("(local $y v128) (local $i i32) (local $j i32) (local $jb i32) (local $pb i32) (local $kb i32) (local $kb4 i32)",
    "(local $kodd i32) (local $ldaB i32) (local $ldbB i32) (local $ldcB i32)");
  return v.join(" ");
}

/** kb, kb4: bytes of k rounded down to a multiple of 2 and of 4 entries; kodd: whether k is odd. */
const kBounds = L(get("k"), i32(-2), "i32.and", i32(3), "i32.shl", set("kb"), get("k"), i32(-4), "i32.and", i32(3), "i32.shl", set("kb4"),
  get("k"), i32(1), "i32.and", set("kodd"));

/** C = A Bᵀ in blocks of 2 rows of A × 4 rows of B; a last odd row of A against blocks of 4 rows of B, then single ones. */
function gemm(): string {
  const R = 2, C = 4;
  const rows = (n: number) => L(...range(n).map((r) => L(
    get("a"), get("i"), i32(r), "i32.add", get("ldaB"), "i32.mul", "i32.add", set(`ar${r}`),
    get("c"), get("i"), i32(r), "i32.add", get("ldcB"), "i32.mul", "i32.add", set(`cr${r}`))));
  const body = L(
    get("lda"), i32(3), "i32.shl", set("ldaB"), get("ldb"), i32(3), "i32.shl", set("ldbB"), get("ldc"), i32(3), "i32.shl", set("ldcB"), kBounds,
    i32(0), set("i"),
    "block $Id", "loop $I", get("i"), i32(R), "i32.add", get("m"), "i32.gt_s", "br_if $Id",
    rows(R), columns(R, [C, 1], 1), get("i"), i32(R), "i32.add", set("i"), "br $I", "end", "end",
    "block $Id1", "loop $I1", get("i"), get("m"), "i32.ge_s", "br_if $Id1",
    rows(1), columns(1, [C, 1], 1), get("i"), i32(1), "i32.add", set("i"), "br $I1", "end", "end");
  const params = "(param $a i32) (param $lda i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32) (param $m i32) (param $n i32) (param $k i32) (param $beta i32)";
  return `(func (export "gemmNT") ${params} ${locals(R, C)}\n${body})`;
}

/** c = a Bᵀ in blocks of 4 rows of B, then single rows, k unrolled by 4. */
function gemv(): string {
  const body = L(get("ldb"), i32(3), "i32.shl", set("ldbB"), kBounds, get("a"), set("ar0"), get("c"), set("cr0"), columns(1, [4, 1], 2));
  const params = "(param $a i32) (param $b i32) (param $ldb i32) (param $c i32) (param $n i32) (param $k i32) (param $beta i32)";
  return `(func $gemvNT (export "gemvNT") ${params} ${locals(1, 4)}\n${body})`;
}

/** dst (cols × rows) = srcᵀ for src rows × cols with row stride ld: so that every product reads rows. */
function transpose(): string {
  return `(func (export "transpose") (param $src i32) (param $ld i32) (param $rows i32) (param $cols i32) (param $dst i32)
  (local $r i32) (local $c i32) (local $s i32) (local $d i32) (local $step i32)
  (local.set $step (i32.shl (local.get $rows) (i32.const 3)))
  (block $R (loop $Lr
    (br_if $R (i32.ge_s (local.get $r) (local.get $rows)))
    (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $ld)) (i32.const 3))))
    (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 3))))
    (local.set $c (i32.const 0))
    (block $C (loop $Lc
      (br_if $C (i32.ge_s (local.get $c) (local.get $cols)))
      (f64.store (local.get $d) (f64.load (local.get $s)))
      (local.set $s (i32.add (local.get $s) (i32.const 8)))
      (local.set $d (i32.add (local.get $d) (local.get $step)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $Lc)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $Lr))))`;
}

/**
 * eqs 4.2–4.3 backward in time, the sequential part of the backward pass in one call: for t = τ−1 … 0,
 * dh[t] += da[t+1] WTᵀ (t < τ−1), then da[t] = dh[t] ⊙ (1 − h[t+1]²), h pointing at h⁽⁰⁾'s row.
 */
function backRecursion(): string {
  const at = (base: string, row: string) =>
    `(i32.add (local.get $${base}) (i32.shl (i32.add (i32.mul ${row} (local.get $H)) (local.get $j)) (i32.const 3)))`;
  const t = "(local.get $t)", t1 = "(i32.add (local.get $t) (i32.const 1))";
  return `(func (export "backRecursion") (param $dh i32) (param $da i32) (param $h i32) (param $wt i32) (param $H i32) (param $tau i32)
  (local $t i32) (local $j i32) (local $hv f64)
  (local.set $t (i32.sub (local.get $tau) (i32.const 1)))
  (block $T (loop $Lt
    (br_if $T (i32.lt_s (local.get $t) (i32.const 0)))
    (if (i32.lt_s (local.get $t) (i32.sub (local.get $tau) (i32.const 1)))
      (then (call $gemvNT
        (i32.add (local.get $da) (i32.shl (i32.mul ${t1} (local.get $H)) (i32.const 3))) (local.get $wt) (local.get $H)
        (i32.add (local.get $dh) (i32.shl (i32.mul ${t} (local.get $H)) (i32.const 3))) (local.get $H) (local.get $H) (i32.const 1))))
    (local.set $j (i32.const 0))
    (block $J (loop $Lj
      (br_if $J (i32.ge_s (local.get $j) (local.get $H)))
      (local.set $hv (f64.load ${at("h", t1)}))
      (f64.store ${at("da", t)} (f64.mul (f64.load ${at("dh", t)}) (f64.sub (f64.const 1) (f64.mul (local.get $hv) (local.get $hv)))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $Lj)))
    (local.set $t (i32.sub (local.get $t) (i32.const 1)))
    (br $Lt))))`;
}

export function kernelsWat(): string {
  return `;; Generated by scripts/wasm-kernels.ts: C = A Bᵀ and c = a Bᵀ in f64x2. Do not edit.
(module
(import "env" "mem" (memory 1))
${gemm()}
${gemv()}
${transpose()}
${backRecursion()}
)
`;
}
