/**
 * Spark jobs over the exported model: {@link io.github.ringloss4j.spark.EmbedCorpus} embeds a
 * corpus (an image folder, a packed RecordIO set or a Parquet column of image bytes) into Parquet
 * rows, one {@code Predictor} per partition, and {@link io.github.ringloss4j.spark.BuildGallery}
 * turns those rows into the gallery that {@code ringloss identify} reads.
 *
 * <p>Spark is {@code provided}: the jobs run under {@code spark-submit} (or a {@code java} command
 * with Spark's jars and JVM flags on it), and neither the library nor the application carries it.
 */
package io.github.ringloss4j.spark;
