/**
 * Evaluation of a trained run: embedding a source with the model ({@link
 * io.github.ringloss4j.app.eval.Embedder}), choosing the items and pairs ({@link
 * io.github.ringloss4j.app.eval.EvaluationData}), verification and identification ({@link
 * io.github.ringloss4j.app.eval.Evaluation}), InsightFace's verification sets ({@link
 * io.github.ringloss4j.app.eval.BinEvaluation}), a run with its results ({@link
 * io.github.ringloss4j.app.eval.RunSummary}) and the methods of the comparison grid ({@link
 * io.github.ringloss4j.app.eval.Method}).
 *
 * <p>Layer: may import only {@code train}, {@code model}, {@code data} and {@code io} (and the core
 * library and libraries); {@code report} and the commands build on it.
 */
package io.github.ringloss4j.app.eval;
