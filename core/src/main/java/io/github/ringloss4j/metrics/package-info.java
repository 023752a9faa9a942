/**
 * Evaluation metrics for embedding models, in plain Java.
 *
 * <p>A <em>score</em> is a similarity: higher means more likely the same identity ({@link
 * io.github.ringloss4j.metrics.Similarity}). A pair of samples is <em>genuine</em> when both have
 * the same identity and an <em>impostor</em> pair otherwise, and a pair is accepted when its score
 * is ≥ the threshold.
 *
 * <ul>
 *   <li>{@link io.github.ringloss4j.metrics.Roc}: ROC curve, AUC, equal error rate, TAR at a fixed
 *       FAR.
 *   <li>{@link io.github.ringloss4j.metrics.KFoldVerification}: LFW-style k-fold verification
 *       accuracy with thresholds fitted on the other folds.
 *   <li>{@link io.github.ringloss4j.metrics.PairSampler}: seeded genuine/impostor pair protocols
 *       with balanced folds.
 *   <li>{@link io.github.ringloss4j.metrics.Identification}: closed-set rank-k identification and
 *       gallery/probe splits.
 * </ul>
 *
 * <p>Each class states its tie and interpolation rules. Invalid arguments raise {@link
 * java.lang.IllegalArgumentException} with a message naming the argument and the offending value.
 */
package io.github.ringloss4j.metrics;
