/**
 * Data: readers of IDX files and the Fashion-MNIST data set ({@link
 * io.github.ringloss4j.data.IdxReader}, {@link io.github.ringloss4j.data.FashionMnist}),
 * class-per-folder image data sets ({@link io.github.ringloss4j.data.ImageFolder}) and LFW-style
 * verification pair lists ({@link io.github.ringloss4j.data.PairsFile}), InsightFace's verification
 * sets ({@link io.github.ringloss4j.data.VerificationBin}) and their images as a run's input
 * ({@link io.github.ringloss4j.data.VerificationImages}); the labelled sources the training loop
 * and the evaluation read ({@link io.github.ringloss4j.data.LabelledSource}, opened and split by
 * {@link io.github.ringloss4j.data.Datasets} from the {@link io.github.ringloss4j.data.DataOptions}
 * group of the training options); and the low-resolution transform of the comparison ({@link
 * io.github.ringloss4j.data.LowResolution}).
 *
 * <p>Every malformed input is reported as a {@link io.github.ringloss4j.io.DataFormatException}
 * whose message starts with the file path and the line, byte offset or item of the problem; a
 * missing file or folder is a {@link java.nio.file.NoSuchFileException} naming the path and what
 * was expected.
 *
 * <p>Layer: may import only {@code io} (and the core library and libraries); every other package of
 * the application builds on it.
 */
package io.github.ringloss4j.data;
