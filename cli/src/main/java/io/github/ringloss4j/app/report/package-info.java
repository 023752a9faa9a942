/**
 * Report output of the ringloss command: headless PNG charts and Markdown reports comparing softmax
 * with softmax + ring loss ({@link io.github.ringloss4j.app.report.RunReport}), and the method
 * comparison's evaluation, tables and plots ({@link io.github.ringloss4j.app.report.Comparison}).
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
