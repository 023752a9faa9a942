/**
 * JMH benchmarks of ringloss4j and the Java half of the side-by-side with PyTorch: the ring term
 * against a memory copy ({@link io.github.ringloss4j.bench.RingTermBenchmark}), a training step
 * with and without ring loss ({@link io.github.ringloss4j.bench.TrainingStepBenchmark}),
 * identification scoring against the engine's matrix product ({@link
 * io.github.ringloss4j.bench.ScoringBenchmark}), training throughput on Fashion-MNIST ({@link
 * io.github.ringloss4j.bench.TrainThroughput}), and the input pipeline's images/s and memory
 * ({@link io.github.ringloss4j.bench.PipelineBenchmark}). Run them with {@code bench/run.sh}; the
 * results and their reading are in {@code docs/performance.md}.
 */
package io.github.ringloss4j.bench;
