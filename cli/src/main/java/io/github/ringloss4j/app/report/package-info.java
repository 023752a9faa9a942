/**
 * Report output of the ringloss command: headless PNG charts and Markdown reports comparing softmax
 * with softmax + ring loss ({@link io.github.ringloss4j.app.report.RunReport}), and the method
 * comparison's.
 *
 * <p>The comparison in four parts: its results model, each run's figures ({@link
 * io.github.ringloss4j.app.report.RunResult}, measured by {@link
 * io.github.ringloss4j.app.report.RunEvaluation}, kept in a run's {@code summary.json} by {@link
 * io.github.ringloss4j.app.report.RunSummaries}) and a protocol's runs ({@link
 * io.github.ringloss4j.app.report.ProtocolResults}); the statistics ({@link
 * io.github.ringloss4j.app.report.MeanStd}, {@link io.github.ringloss4j.app.report.PairedEffects},
 * {@link io.github.ringloss4j.app.report.Contrasts}); the rendering of {@code results.md} ({@link
 * io.github.ringloss4j.app.report.ComparisonReport}: {@link
 * io.github.ringloss4j.app.report.ComparisonHeader}, {@link
 * io.github.ringloss4j.app.report.ProtocolMarkdown}, {@link
 * io.github.ringloss4j.app.report.ScheduleCurves}) and of the README's {@link
 * io.github.ringloss4j.app.report.HeadlineTable}; and the description of the machine ({@link
 * io.github.ringloss4j.app.report.Machine}), asked of the running system and engine.
 *
 * <p>{@link io.github.ringloss4j.app.report.Plots} is the entry point for every chart; each kind is
 * built in its own package-private class with the shared look in one place, rendered into an
 * in-memory PNG and written through {@link io.github.ringloss4j.app.io.AtomicFiles}, so a report
 * directory never holds a half-written image.
 *
 * <p>Layer: may import {@code eval}, {@code train}, {@code model}, {@code data} and {@code io} (and
 * the core library and libraries); only the commands build on it.
 */
package io.github.ringloss4j.app.report;
