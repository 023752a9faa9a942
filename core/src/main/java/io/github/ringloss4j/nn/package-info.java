/**
 * Blocks: {@link io.github.ringloss4j.nn.RingLossBlock}, which owns the learned radius R, and
 * {@link io.github.ringloss4j.nn.RingModelBlock}, which puts an embedding, a head and the ring
 * together for DJL's {@code Trainer}.
 */
package io.github.ringloss4j.nn;
