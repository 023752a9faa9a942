package io.github.ringloss4j.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.substring_index;

import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.recordio.RecordFile;
import io.github.ringloss4j.serving.ModelDirectory;
import io.github.ringloss4j.serving.ServingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Embeds a corpus of face images with a model directory written by {@code ringloss export} (or
 * {@code ringloss import}), on Spark, into Parquet rows {@code (source, label, norm, vector,
 * error)}.
 *
 * <p>The input is one of
 *
 * <ul>
 *   <li>an image folder, one sub-folder per identity ({@code ROOT/alice/1.jpg}): read with Spark's
 *       {@code binaryFile} source and {@code recursiveFileLookup}; the {@code .jpg}, {@code .jpeg}
 *       and {@code .png} files (any letter case) directly in a sub-folder are embedded, as {@code
 *       ringloss enroll} takes them (files in the root itself or deeper down are not), the label is
 *       the sub-folder's name, the source the file's qualified path ({@code file:/…}); Spark skips
 *       empty files and names starting with {@code _} or {@code .};
 *   <li>a packed RecordIO set ({@code train.rec}, {@code train.idx}, {@code property}, as {@code
 *       ringloss pack} writes it): the records are split into ranges, one per partition; the label
 *       is the class name, the source {@code REC#KEY};
 *   <li>Parquet with a column of encoded image bytes ({@code --column}), an optional label column
 *       and an optional source column (else {@code FILE#ROW-ID}, Spark's row id).
 * </ul>
 *
 * <p>Each partition opens the model once ({@link PartitionEmbedder}); the vector is the embedding
 * as the export configured it (with flip-sum and L2 when it was exported so), exactly what {@code
 * ringloss embed} or a Java service using {@code EmbeddingModels.criteria} gives, and {@code norm}
 * is the norm of that vector: 1 for an L2-normalising export, the raw ‖f‖ for one exported with
 * {@code --no-l2}. An image that cannot be embedded gets a row with its {@code error} and no norm
 * or vector, is logged with its source, and does not stop the job; the job ends by counting both
 * kinds in the output. An existing output is refused unless {@code --overwrite} replaces it.
 */
public final class EmbedCorpus {

  /** The job's usage. */
  public static final String USAGE =
      String.join(
          "\n",
          "usage: EmbedCorpus [--master URL] --model DIR --input PATH --output PATH [options]",
          "  --model DIR          a directory written by 'ringloss export' or 'ringloss import',",
          "                       readable on every executor: a local path (local mode), shared",
          "                       storage, or the name of spark-submit --archives model.zip#model",
          "  --input PATH         an image folder (one sub-folder per identity), a packed set",
          "                       (train.rec, train.idx, property) or Parquet (with --column)",
          "  --output PATH        the Parquet output: source, label, norm, vector, error",
          "  --format F           folder, packed or parquet (default: packed if PATH holds",
          "                       train.rec, parquet with --column, else folder)",
          "  --column NAME        Parquet: the column of encoded image bytes",
          "  --label-column NAME  Parquet: the label column (default: none)",
          "  --source-column NAME Parquet: the column naming each image (default: FILE#ROW-ID)",
          "  --batch-size N       images per forward pass (default 32)",
          "  --partitions N       repartition the images into N partitions, i.e. N model loads",
          "                       (default: as read; a packed set: Spark's default parallelism)",
          "  --overwrite          replace an existing output (default: refuse it, exit 2)",
          "  --allow-torchscript  accept a TorchScript model ('ringloss import'), a program",
          "exit codes: 0 done (failed images are counted and listed), 2 bad option or existing",
          "output, 3 missing or malformed input, 5 I/O failure, 1 internal error");

  private static final Set<String> OPTIONS =
      Set.of(
          "--model",
          "--input",
          "--output",
          "--format",
          "--column",
          "--label-column",
          "--source-column",
          "--batch-size",
          "--partitions");

  private static final Set<String> FLAGS = Set.of("--overwrite", "--allow-torchscript");

  /** How many failed images the result lists. */
  static final int LISTED_FAILURES = 20;

  private EmbedCorpus() {}

  /**
   * What a run did.
   *
   * @param output the output path
   * @param embedded the images embedded
   * @param failed the images that could not be
   * @param failures up to {@value #LISTED_FAILURES} of those, {@code source: error}, by source
   */
  public record Result(String output, long embedded, long failed, List<String> failures) {}

  /**
   * Runs the job from the command line: {@code --master URL} (optional; {@code spark-submit} sets
   * it) and the options of {@link #run}.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /**
   * Runs the job and returns its exit code.
   *
   * @param args the command line, as for {@link #main}
   * @return the exit code
   */
  public static int execute(String... args) {
    return Jobs.execute("EmbedCorpus", USAGE, args, EmbedCorpus::runAndPrint);
  }

  private static int runAndPrint(SparkSession spark, String[] args) throws IOException {
    Result r = run(spark, args);
    for (String failure : r.failures()) {
      System.out.println("failed: " + failure);
    }
    if (r.failed() > r.failures().size()) {
      System.out.printf(
          Locale.ROOT,
          "… and %d more; the error column lists them all%n",
          r.failed() - r.failures().size());
    }
    System.out.printf(
        Locale.ROOT,
        "embedded %d images, %d failed; wrote %s%n",
        r.embedded(),
        r.failed(),
        r.output());
    return 0;
  }

  /**
   * Embeds a corpus in a session.
   *
   * @param spark the session
   * @param args the options (see {@link #USAGE}), without {@code --master}
   * @return the counts
   * @throws IllegalArgumentException for a bad option, or an output that exists without {@code
   *     --overwrite}
   * @throws NoSuchFileException when the input does not exist
   * @throws DataFormatException when the input or the model is malformed
   * @throws IOException when reading or writing fails
   */
  public static Result run(SparkSession spark, String... args) throws IOException {
    JobArguments a = JobArguments.parse(args, OPTIONS, FLAGS);
    String model = a.required("--model");
    String input = a.required("--input");
    String output = a.required("--output");
    int batchSize = a.positive("--batch-size", 32);
    int partitions = a.positive("--partitions", spark.sparkContext().defaultParallelism());
    boolean overwrite = a.has("--overwrite");
    String column = a.get("--column", null);
    String format =
        a.get(
            "--format",
            column != null
                ? "parquet"
                : isLocalDirectory(input) && RecordFile.isPacked(Paths.get(input))
                    ? "packed"
                    : "folder");
    if (column == null && format.equals("parquet")) {
      throw new IllegalArgumentException("--format parquet needs --column NAME");
    }
    if (column != null && !format.equals("parquet")) {
      throw new IllegalArgumentException("--column is for --format parquet");
    }
    checkModel(model);
    Path out = new Path(output);
    FileSystem outFs = out.getFileSystem(spark.sparkContext().hadoopConfiguration());
    if (outFs.exists(out) && !overwrite) {
      throw new IllegalArgumentException(
          "--output " + output + " exists; pass --overwrite to replace it");
    }
    Path in = new Path(input);
    if (!in.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(in)) {
      throw new NoSuchFileException(input, null, "no such file or directory (--input)");
    }
    Dataset<Row> images;
    switch (format) {
      case "folder" -> images = folder(spark, in.toString());
      case "packed" -> images = packed(spark, input, partitions);
      case "parquet" ->
          images =
              parquet(
                  spark,
                  input,
                  column,
                  a.get("--label-column", null),
                  a.get("--source-column", null));
      default ->
          throw new IllegalArgumentException(
              "--format must be folder, packed or parquet, got '" + format + "'");
    }
    if (a.get("--partitions", null) != null && !format.equals("packed")) {
      images = images.repartition(partitions);
    }
    images
        .mapPartitions(
            new PartitionEmbedder(model, batchSize, a.has("--allow-torchscript")),
            Encoders.row(Corpus.EMBEDDINGS))
        .write()
        .mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
        .parquet(output);
    Dataset<Row> written = spark.read().parquet(output);
    Row counts = written.agg(count(col(Corpus.VECTOR)), count(col(Corpus.ERROR))).first();
    long failed = counts.getLong(1);
    List<String> failures =
        failed == 0
            ? List.of()
            : written
                .filter(col(Corpus.ERROR).isNotNull())
                .orderBy(Corpus.SOURCE)
                .limit(LISTED_FAILURES)
                .collectAsList()
                .stream()
                .map(r -> r.getString(0) + ": " + r.getString(4))
                .toList();
    return new Result(output, counts.getLong(0), failed, failures);
  }

  private static boolean isLocalDirectory(String input) {
    try {
      return Files.isDirectory(Paths.get(input));
    } catch (java.nio.file.InvalidPathException e) {
      return false;
    }
  }

  /** A model directory the driver can see is checked here, before any task loads it. */
  private static void checkModel(String model) throws IOException {
    if (!isLocalDirectory(model)) {
      return;
    }
    if (!ModelDirectory.isExport(Paths.get(model))) {
      throw new DataFormatException(
          Paths.get(model),
          "not an exported model directory (no "
              + ServingConfig.FILE
              + "); write one with 'ringloss export' or 'ringloss import'");
    }
  }

  private static Column noError() {
    return lit(null).cast(DataTypes.StringType).as(Corpus.ERROR);
  }

  private static Dataset<Row> folder(SparkSession spark, String root) throws IOException {
    Path qualified = new Path(root);
    qualified =
        qualified
            .getFileSystem(spark.sparkContext().hadoopConfiguration())
            .makeQualified(qualified);
    // Spark names each file by its qualified path; what follows the root is FOLDER/FILE for the
    // images an image folder holds (files directly in the root, or deeper, are not images of it).
    Column inRoot = substring_index(col("path"), qualified.toString() + "/", -1);
    Dataset<Row> files =
        spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(root);
    return files
        .filter(col("path").startsWith(qualified.toString() + "/"))
        .filter(lower(inRoot).rlike("^[^/]+/[^/]+\\.(jpe?g|png)$"))
        .select(
            col("path").as(Corpus.SOURCE),
            element_at(split(inRoot, "/"), 1).as(Corpus.LABEL),
            col("content"),
            noError());
  }

  private static Dataset<Row> packed(SparkSession spark, String dataset, int partitions)
      throws IOException {
    int size;
    try (RecordFile file = RecordFile.open(Paths.get(dataset))) {
      size = file.size();
    }
    return spark
        .range(0, size, 1, Math.max(1, Math.min(partitions, size)))
        .mapPartitions(new PackedRecords(dataset), Encoders.row(Corpus.IMAGES));
  }

  private static Dataset<Row> parquet(
      SparkSession spark, String input, String column, String labelColumn, String sourceColumn) {
    Dataset<Row> table = spark.read().parquet(input);
    requireColumn(table, "--column", column, true);
    requireColumn(table, "--label-column", labelColumn, false);
    requireColumn(table, "--source-column", sourceColumn, false);
    Column source =
        sourceColumn != null
            ? col(sourceColumn).cast(DataTypes.StringType)
            : concat(input_file_name(), lit("#"), monotonically_increasing_id());
    Column label =
        labelColumn != null
            ? col(labelColumn).cast(DataTypes.StringType)
            : lit(null).cast(DataTypes.StringType);
    return table.select(
        source.as(Corpus.SOURCE), label.as(Corpus.LABEL), col(column).as("content"), noError());
  }

  private static void requireColumn(
      Dataset<Row> table, String option, String name, boolean binary) {
    if (name == null) {
      return;
    }
    for (StructField f : table.schema().fields()) {
      if (f.name().equals(name)) {
        if (binary && !f.dataType().equals(DataTypes.BinaryType)) {
          throw new IllegalArgumentException(
              option + " " + name + " is " + f.dataType().simpleString() + ", not binary");
        }
        return;
      }
    }
    throw new IllegalArgumentException(
        option
            + " "
            + name
            + ": no such column; the columns are "
            + Arrays.toString(table.schema().fieldNames()));
  }
}
