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
 * PyTorch autograd in float64 (the unit suite's second oracle, test/pytorch/) against ours: the same arithmetic but
 * for the order of summation and the last bit of tanh, exp and log, so a correct gradient agrees to a few ulp —
 * measured over ~100 models (up to hidden 200, τ 12; the stacked RNN up to L 3, T 10): at most 1.5e-15 relative,
 * except where a gradient is small by cancellation (∂L/∂b_a with two classes, whose two entries are ±Σ_t of
 * terms that nearly cancel: 6e-14). 1e-12 leaves a margin of ~20 while one entry of a 200 × 200 gradient moved by
 * a part in 10⁹ already fails it (1.2e-11); TF.js's 1e-4 would not see a wrong digit before the fifth.
 */
export const TORCH_REL_TOL = 1e-12;

/**
 * …unless every entry is within this absolute distance: the rounding of sums of order-one terms (measured at most
 * 1.8e-15), which is all a gradient that nearly cancels to zero can be checked to.
 */
export const TORCH_ABS_TOL = 1e-14;

/**
 * The "Reproduce in PyTorch" scripts (lib/tools/pytorch-python.ts): torch.allclose of PyTorch's float64 values against
 * the page's, |ours − page| ≤ PYTORCH_ATOL + PYTORCH_RTOL·|page|. Both sides are float64 and differ only in the order
 * of sums and the last bit of exp/log/tanh: about 1e-15 relative even after 32 steps, so 1e-10 leaves five orders of
 * margin and a wrong term (1e-3 or more) still fails; the absolute part covers entries that are zero or cancel.
 */
export const PYTORCH_RTOL = 1e-10;
export const PYTORCH_ATOL = 1e-12;
