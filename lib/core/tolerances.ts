/**
 * The tolerances of every check on the site and in the tests, in one place so a page and its test agree.
 * ROUNDING_TOL, FD_TOL and TFJS_ABS_TOL bound the largest absolute difference between two computations of quantities
 * of order one; FD_REL_TOL and TFJS_REL_TOL are relative errors.
 */

/**
 * The step of every central finite difference, (f(x + ε) − f(x − ε)) / 2ε: truncation error O(ε²) and rounding
 * O(u/ε) balance near ε = 1e-5 for quantities of order one (u ≈ 1.1e-16), about 1e-10 relative.
 */
export const FD_EPSILON = 1e-5;

/** Two float64 evaluations of the same quantity in a different order of operations (a form against its summary). */
export const ROUNDING_TOL = 1e-12;

/**
 * Analytic gradient against central finite differences with ε = 1e-5 (lib/derivation/gradcheck.ts): truncation error
 * O(ε²) ≈ 1e-10 and rounding O(u/ε) ≈ 1e-11, so 1e-8 leaves two orders of margin and still catches any
 * wrong term, which shows up at order 1e-2 or more.
 */
export const FD_TOL = 1e-8;

/**
 * The same comparison as a scale-free relative error (‖a − n‖ / (‖a‖ + ‖n‖), lib/core/fd.ts `discrepancy`):
 * correct gradients come out near 1e-10, a wrong term at 1e-3 or more. A one-entry parameter whose gradient is
 * itself near zero can exceed it while being right, so random-shape tests also accept an absolute error ≤ FD_TOL.
 */
export const FD_REL_TOL = 1e-7;

/** TF.js computes in float32 (u ≈ 6e-8): gradients agree to about 1e-5 relative. */
export const TFJS_REL_TOL = 1e-4;

/**
 * …unless every entry is within this absolute distance: a gradient that is itself tiny (a bias deep in a random
 * model, ~1e-8) has float32 noise comparable to its size, so its relative error says nothing.
 */
export const TFJS_ABS_TOL = 1e-6;

/**
 * The "Reproduce in PyTorch" scripts (lib/tools/pytorch-python.ts): torch.allclose of PyTorch's float64 values against
 * the page's, |ours − page| ≤ PYTORCH_ATOL + PYTORCH_RTOL·|page|. Both sides are float64 and differ only in the order
 * of sums and the last bit of exp/log/tanh: about 1e-15 relative even after 32 steps, so 1e-10 leaves five orders of
 * margin and a wrong term (1e-3 or more) still fails; the absolute part covers entries that are zero or cancel.
 */
export const PYTORCH_RTOL = 1e-10;
export const PYTORCH_ATOL = 1e-12;
