/**
 * Losses: the ring term {@link io.github.ringloss4j.loss.RingLoss} and the composite {@link
 * io.github.ringloss4j.loss.RingCompositeLoss}, primary + λ·ring, for DJL's {@code Trainer}.
 */
package io.github.ringloss4j.loss;
