/**
 * Report output of the ringloss command: headless PNG charts comparing softmax with softmax + ring
 * loss.
 *
 * <p>{@link io.github.ringloss4j.report.Plots} renders every chart with XChart into an in-memory
 * PNG and then replaces the target file atomically, so a report directory never holds a
 * half-written image.
 */
package io.github.ringloss4j.report;
