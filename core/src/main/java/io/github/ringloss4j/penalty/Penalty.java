package io.github.ringloss4j.penalty;

import ai.djl.ndarray.NDArray;

/**
 * A penalty ρ(e) on the ring residual e = ‖f‖ − R: the one method a custom penalty implements.
 *
 * <p>DJL's autograd differentiates it, so any composition of {@link NDArray} operations works. For
 * λ to keep the meaning it has with the paper's ½e², a penalty should satisfy ρ(0) = 0 and ρ(e) ≈
 * ½e² near 0, as every built-in one does. The built-in penalties also carry a plain-double
 * reference of ρ and ρ′ (package-private) that the tests hold this path to.
 *
 * <pre>{@code
 * Penalty quartic = e -> e.square().mul(0.5).add(e.pow(4).mul(0.01));
 * RingLossBlock ring = RingLossBlock.builder().optPenalty(quartic).build();
 * }</pre>
 */
@FunctionalInterface
public interface Penalty {

  /**
   * Applies ρ element-wise.
   *
   * @param residual the residuals e = ‖f‖ − R, any shape, float32 or float64
   * @return ρ(e), same shape and type
   */
  NDArray apply(NDArray residual);
}
