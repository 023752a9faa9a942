/**
 * InsightFace's packed training sets (MXNet RecordIO): reading them, packing an image folder into
 * one and back, and synthetic face-like data for tests and benchmarks.
 *
 * <p>A packed data set is a directory with three files, as InsightFace distributes CASIA-WebFace,
 * MS1MV2/V3 and Glint360K:
 *
 * <ul>
 *   <li>{@code train.rec}: the records in dmlc-core's RecordIO framing ({@link
 *       io.github.ringloss4j.app.recordio.RecordIo}); each image record's payload is MXNet's {@code
 *       IRHeader} followed by the encoded JPEG or PNG ({@link
 *       io.github.ringloss4j.app.recordio.IrHeader});
 *   <li>{@code train.idx}: one {@code key<TAB>byte offset} line per record ({@link
 *       io.github.ringloss4j.app.recordio.RecordIndex});
 *   <li>{@code property}: one line {@code num_classes,height,width} ({@link
 *       io.github.ringloss4j.app.recordio.DatasetProperty}).
 * </ul>
 *
 * <p>This tool adds an optional fourth file, {@code classes.txt}, with the class (identity folder)
 * names, one per line in label order ({@link io.github.ringloss4j.app.recordio.ClassNames});
 * InsightFace ignores it, and without it classes are named by their zero-padded label.
 *
 * <p>{@link io.github.ringloss4j.app.recordio.RecordFile} opens a data set for concurrent random
 * access, {@code io.github.ringloss4j.app.data.PackedSource} serves it as training input, {@code
 * io.github.ringloss4j.app.data.Packing} converts between image folders and packed sets through
 * {@link io.github.ringloss4j.app.recordio.PackedDatasetWriter}, and {@link
 * io.github.ringloss4j.app.recordio.SyntheticFaces} generates data (a face-like stand-in whose
 * per-image {@link io.github.ringloss4j.app.recordio.Degradation} is written beside the set as
 * {@code quality.csv}, read back by {@code io.github.ringloss4j.app.data.QualityRecords}).
 * Malformed input is a {@link io.github.ringloss4j.app.io.DataFormatException} naming the file and
 * the line, or the record key and byte offset.
 */
package io.github.ringloss4j.app.recordio;
