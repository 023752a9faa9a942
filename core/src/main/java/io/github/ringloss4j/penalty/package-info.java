/**
 * Penalties ρ(e) on the ring residual e = ‖f‖ − R: squared (the paper), Huber and smooth-L1,
 * Cauchy, Geman-McClure, Barron's general robust loss, and the Keras package's asymmetric Huber for
 * compatibility. Each has an NDArray implementation for autograd and a plain-double reference.
 */
package io.github.ringloss4j.penalty;
