/**
 * {@link io.github.ringloss4j.optim.RingOptimizer}: SGD or Adam with R's own learning-rate
 * multiplier and weight-decay exemption, and a saveable state for exact resumption.
 */
package io.github.ringloss4j.optim;
