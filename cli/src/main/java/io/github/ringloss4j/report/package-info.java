/**
 * Report output of the ringloss command: headless PNG charts and Markdown reports comparing softmax
 * with softmax + ring loss ({@link io.github.ringloss4j.report.RunReport}), and the method
 * comparison's evaluation, tables and plots ({@link io.github.ringloss4j.report.Comparison}).
 *
 * <p>{@link io.github.ringloss4j.report.Plots} renders every chart with XChart into an in-memory
 * PNG and then replaces the target file atomically, so a report directory never holds a
 * half-written image.
 *
 * <p>Layer: may import {@code eval}, {@code train}, {@code model}, {@code data} and {@code io} (and
 * the core library and libraries); only the commands build on it.
 */
package io.github.ringloss4j.report;
