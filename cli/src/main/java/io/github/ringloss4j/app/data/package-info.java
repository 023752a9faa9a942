/**
 * Data: readers of IDX files and the Fashion-MNIST data set ({@link
 * io.github.ringloss4j.app.data.IdxReader}, {@link io.github.ringloss4j.app.data.FashionMnist}),
 * class-per-folder image data sets ({@link io.github.ringloss4j.app.data.ImageFolder}), packed sets
 * as training input ({@link io.github.ringloss4j.app.data.PackedSource}), LFW-style verification
 * pair lists ({@link io.github.ringloss4j.app.data.PairsFile}), InsightFace's verification sets
 * ({@link io.github.ringloss4j.app.data.VerificationBin}) and their images as a run's input ({@link
 * io.github.ringloss4j.app.data.VerificationImages}); the labelled sources the training loop and
 * the evaluation read ({@link io.github.ringloss4j.app.data.LabelledSource}, opened and split by
 * {@link io.github.ringloss4j.app.data.Datasets} from the {@link
 * io.github.ringloss4j.app.data.DataOptions} group of the training options, with the stratified
 * {@link io.github.ringloss4j.app.data.LabelSplit}); the one batch reader of training, validation
 * and embedding ({@link io.github.ringloss4j.app.data.BatchReader}: decoding and {@link
 * io.github.ringloss4j.app.data.Augmentation augmentation} on worker threads, a bounded read-ahead,
 * the same batches whatever the number of workers); and the low-resolution transform of the
 * comparison ({@link io.github.ringloss4j.app.data.LowResolution}).
 *
 * <p>Every malformed input is reported as a {@link io.github.ringloss4j.app.io.DataFormatException}
 * whose message starts with the file path and the line, byte offset or item of the problem; a
 * missing file or folder is a {@link java.nio.file.NoSuchFileException} naming the path and what
 * was expected.
 *
 * <p>Layer: may import only {@code recordio} and {@code io} (and the core library and libraries);
 * every other package of the application builds on it.
 */
package io.github.ringloss4j.app.data;
