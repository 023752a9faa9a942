/**
 * Interchange with PyTorch: the tensors of a {@code state_dict} file ({@link
 * io.github.ringloss4j.interop.TorchTensor}), read and written without Python.
 */
package io.github.ringloss4j.interop;
