/**
 * Data readers: IDX files and the Fashion-MNIST data set ({@link
 * io.github.ringloss4j.data.IdxReader}, {@link io.github.ringloss4j.data.FashionMnist}),
 * class-per-folder image data sets ({@link io.github.ringloss4j.data.ImageFolder}) and LFW-style
 * verification pair lists ({@link io.github.ringloss4j.data.PairsFile}).
 *
 * <p>Every malformed input is reported as a {@link io.github.ringloss4j.io.DataFormatException}
 * whose message starts with the file path and the line, byte offset or item of the problem; a
 * missing file or folder is a {@link java.nio.file.NoSuchFileException} naming the path and what
 * was expected.
 */
package io.github.ringloss4j.data;
