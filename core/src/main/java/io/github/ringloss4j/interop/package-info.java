/**
 * Interchange with PyTorch: the tensors of a {@code state_dict} file ({@link
 * io.github.ringloss4j.interop.TorchTensor}), read and written without Python by {@link
 * io.github.ringloss4j.interop.TorchStateDict} (torch's zip format; the file is untrusted input and
 * its pickle may only rebuild tensors), failures being {@link
 * io.github.ringloss4j.interop.TorchFormatException}s.
 */
package io.github.ringloss4j.interop;
