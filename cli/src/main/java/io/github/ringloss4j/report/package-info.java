/**
 * Report output of the ringloss command: headless PNG charts comparing softmax with softmax + ring
 * loss, and the Markdown report that shows them.
 *
 * <p>{@link io.github.ringloss4j.report.Plots} is the entry point for every chart; each kind is
 * built in its own package-private class with the shared look in one place, rendered into an
 * in-memory PNG and written through {@link io.github.ringloss4j.io.AtomicFiles}, so a report
 * directory never holds a half-written image. {@link io.github.ringloss4j.report.RunReport} writes
 * {@code report.md} with its plots.
 */
package io.github.ringloss4j.report;
