/**
 * Internals shared by the library's packages, not part of its API and not exported by the module:
 * overflow-safe row norms ({@link io.github.ringloss4j.internal.Norms}), cached scalar constants
 * ({@link io.github.ringloss4j.internal.Scalars}) and pinned scalar parameters ({@link
 * io.github.ringloss4j.internal.ScalarParameters}). They may change in any release.
 */
package io.github.ringloss4j.internal;
