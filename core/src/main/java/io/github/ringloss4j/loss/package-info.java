/**
 * Losses: the ring term {@link io.github.ringloss4j.loss.RingLoss}, the composite {@link
 * io.github.ringloss4j.loss.RingCompositeLoss}, primary + λ·ring, for DJL's {@code Trainer}, and
 * {@link io.github.ringloss4j.loss.NamedOutputLoss}, any DJL loss on one named model output.
 */
package io.github.ringloss4j.loss;
