/**
 * Training support: per-epoch ring statistics ({@link
 * io.github.ringloss4j.training.RingStatisticsListener}) and the divergence guard ({@link
 * io.github.ringloss4j.training.DivergenceGuard}).
 */
package io.github.ringloss4j.training;
