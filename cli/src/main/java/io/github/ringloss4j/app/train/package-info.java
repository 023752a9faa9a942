/**
 * Training: the loop ({@link io.github.ringloss4j.app.train.TrainingRun}, per-epoch {@link
 * io.github.ringloss4j.app.train.EpochMetrics}, {@link io.github.ringloss4j.app.train.Progress}),
 * its one step ({@link io.github.ringloss4j.app.train.TrainingStep}, which the benchmarks time too)
 * and the per-batch sums ({@link io.github.ringloss4j.app.train.BatchTally}); validation on
 * InsightFace's verification sets while training, with the best checkpoint ({@link
 * io.github.ringloss4j.app.train.SetValidation}, embedding a set with {@link
 * io.github.ringloss4j.app.train.VerificationEmbeddings}, which {@code evaluate --bin} uses too, as
 * the layer below evaluation); persistence of a run ({@link
 * io.github.ringloss4j.app.train.Checkpoint}, {@link io.github.ringloss4j.app.train.RunDirectory});
 * and the training options ({@link io.github.ringloss4j.app.train.TrainOptions}), which gather the
 * option groups of the layers below with this layer's {@link
 * io.github.ringloss4j.app.train.RunOptions}, and the resume rule (options marked {@link
 * io.github.ringloss4j.app.io.MayChangeOnResume}).
 *
 * <p>Layer: may import only {@code model}, {@code data} and {@code io} (and the core library and
 * libraries); {@code eval}, {@code report} and the commands build on it.
 */
package io.github.ringloss4j.app.train;
