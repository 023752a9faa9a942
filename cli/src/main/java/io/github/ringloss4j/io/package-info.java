/**
 * Safe output: {@link io.github.ringloss4j.io.AtomicFiles} writes every file through a synced
 * temporary file and an atomic rename, so no partial output is ever left behind; {@link
 * io.github.ringloss4j.io.JsonFiles} writes and reads the JSON files as records, {@link
 * io.github.ringloss4j.io.NpyWriter} writes NumPy {@code .npy} arrays (embeddings, labels) and
 * {@link io.github.ringloss4j.io.CsvWriter} writes RFC 4180 tables.
 */
package io.github.ringloss4j.io;
