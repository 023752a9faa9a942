/**
 * The bottom layer of the application: files and checked input, importing no other package of it.
 *
 * <p>Safe output: {@link io.github.ringloss4j.app.io.AtomicFiles} writes every file through a
 * synced temporary file and an atomic rename, so no partial output is ever left behind; {@link
 * io.github.ringloss4j.app.io.JsonFiles} writes and reads the JSON files as records, {@link
 * io.github.ringloss4j.app.io.NpyWriter} writes NumPy {@code .npy} arrays (embeddings, labels) and
 * {@link io.github.ringloss4j.app.io.CsvWriter} writes RFC 4180 tables; {@link
 * io.github.ringloss4j.app.io.OutputPaths} checks, before any work, that an output place can be
 * written. Input problems: a malformed file is a {@link
 * io.github.ringloss4j.app.io.DataFormatException} naming the file and the line, byte or item; a
 * bad option value fails {@link io.github.ringloss4j.app.io.OptionChecks#require}, naming the
 * option.
 *
 * <p>Layers of the application, each importing only those after it: {@code cli} (commands) → {@code
 * report} → {@code eval} → {@code train} → {@code model} → {@code data} → {@code recordio} → {@code
 * io}; all of them may use the core library, DJL and the other libraries. {@code ArchitectureTest}
 * keeps it so.
 */
package io.github.ringloss4j.app.io;
