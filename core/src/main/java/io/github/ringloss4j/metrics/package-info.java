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
 *   <li>{@link io.github.ringloss4j.metrics.InsightFaceVerification}: InsightFace's verification.py
 *       protocol for the {@code lfw.bin}-style sets (flip-fused unit embeddings, squared distance,
 *       400 fixed thresholds, 10 unshuffled folds, population standard deviation), so that
 *       accuracies compare with published ones.
 *   <li>{@link io.github.ringloss4j.metrics.PairSampler}: seeded genuine/impostor pair protocols
 *       with balanced folds.
 *   <li>{@link io.github.ringloss4j.metrics.Identification}: closed-set rank-k identification and
 *       gallery/probe splits; {@link io.github.ringloss4j.metrics.EngineIdentification}: the same
 *       ranks, scored by the engine.
 *   <li>{@link io.github.ringloss4j.metrics.Gallery}: enrolled identities (one unit template each)
 *       and exact top-k search by cosine, scored by the engine as {@code EngineIdentification} is;
 *       {@link io.github.ringloss4j.metrics.OpenSetThreshold}: open-set identification, its
 *       threshold calibrated at a false-positive identification rate (FPIR) and the false-negative
 *       rate (FNIR) there.
 *   <li>{@link io.github.ringloss4j.metrics.EmbeddingDiagnostics}: signs of a degenerate model
 *       (identical or nearly identical rows, constant components, zero rows, NaN or infinity).
 * </ul>
 *
 * <p><b>Identification ties are pessimistic.</b> A probe's rank is 1 + the number of non-mates
 * whose score is ≥ its best mate's: a non-mate that ties with the mate ranks before it. Both
 * identification paths decide this with one method ({@code RankTally.countsAgainst}); the engine
 * path decides every near-tie on exact double scores. A collapsed model, whose embeddings are all
 * equal, therefore gets rank-1 = 0 (when every probe has a non-mate), not the 1.0 that counting
 * ties in the probe's favour gave it.
 *
 * <p>Each class states its tie and interpolation rules. Invalid arguments raise {@link
 * java.lang.IllegalArgumentException} with a message naming the argument and the offending value.
 */
package io.github.ringloss4j.metrics;
