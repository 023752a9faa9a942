/**
 * Internals shared by the library's packages, not part of its API: overflow-safe row norms ({@link
 * io.github.ringloss4j.internal.Norms}), cached scalar constants ({@link
 * io.github.ringloss4j.internal.Scalars}), pinned scalar parameters ({@link
 * io.github.ringloss4j.internal.ScalarParameters}) and the image steps that serving shares with the
 * command-line application ({@link io.github.ringloss4j.internal.ImagePixels}). The module exports
 * this package to the application alone; it may change in any release.
 */
package io.github.ringloss4j.internal;
