package io.github.ringloss4j.spark;

import static org.apache.spark.sql.functions.col;

import ai.djl.ndarray.NDManager;
import io.github.ringloss4j.app.data.GalleryFiles;
import io.github.ringloss4j.app.eval.ModelEmbedder;
import io.github.ringloss4j.app.io.DataFormatException;
import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.app.io.StagingDirectory;
import io.github.ringloss4j.metrics.Gallery;
import io.github.ringloss4j.serving.EmbeddingNetworks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapGroupsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Builds a gallery from {@link EmbedCorpus}'s rows: one template per label, computed as {@code
 * ringloss enroll} computes it ({@link Gallery#template}: the L2-normalised mean of the identity's
 * L2-normalised embeddings, an identity's rows taken in the order of their sources), written in the
 * application's gallery format ({@link GalleryFiles}: {@code embeddings.npy}, {@code names.txt},
 * {@code gallery.json}, identities sorted by name), so that {@code ringloss identify MODEL GALLERY}
 * reads it. The templates are computed on the executors, one identity per group; the driver
 * collects them (n·d floats) and writes the gallery to its own file system.
 *
 * <p>Rows with an {@code error} are left out. The model ({@code --model}, the one the corpus was
 * embedded with) is opened on the driver to record what it is in {@code gallery.json}, which {@code
 * identify} compares with the model it is given. The gallery is not calibrated: {@code identify}
 * then lists the best matches, or takes {@code --threshold}.
 */
public final class BuildGallery {

  /** The job's usage. */
  public static final String USAGE =
      String.join(
          "\n",
          "usage: BuildGallery [--master URL] --model DIR --input PATH --out GALLERY",
          "  --model DIR          the model directory the corpus was embedded with, on the",
          "                       driver (a path, or the name of --archives model.zip#model)",
          "  --input PATH         EmbedCorpus's Parquet output (rows with an error are left out)",
          "  --out GALLERY        the gallery directory to create on the driver's file system",
          "                       (run with --deploy-mode client); it must not exist or be empty",
          "  --allow-torchscript  accept a TorchScript model ('ringloss import'), a program",
          "exit codes: 0 done, 2 bad option, 3 missing or malformed input, 5 I/O failure,",
          "1 internal error");

  private static final StructType TEMPLATES =
      new StructType()
          .add("label", DataTypes.StringType, true)
          .add("images", DataTypes.IntegerType, false)
          .add("template", DataTypes.createArrayType(DataTypes.FloatType, false), true)
          .add("error", DataTypes.StringType, true);

  private BuildGallery() {}

  /**
   * What a run wrote.
   *
   * @param gallery the gallery directory
   * @param identities its identities
   * @param images the embeddings averaged into their templates
   * @param dimension d
   */
  public record Result(Path gallery, int identities, int images, int dimension) {}

  /**
   * Runs the job from the command line: {@code --master URL} (optional) and the options of {@link
   * #run}.
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
    return Jobs.execute(
        "BuildGallery",
        USAGE,
        args,
        (spark, rest) -> {
          Result r = run(spark, rest);
          System.out.printf(
              Locale.ROOT,
              "enrolled %d identities from %d images (d = %d); wrote %s%n",
              r.identities(),
              r.images(),
              r.dimension(),
              r.gallery());
          return 0;
        });
  }

  /**
   * Builds a gallery in a session.
   *
   * @param spark the session
   * @param args the options (see {@link #USAGE}), without {@code --master}
   * @return what was written
   * @throws IllegalArgumentException for a bad option or an existing, non-empty {@code --out}
   * @throws DataFormatException when a row has no label, an identity's embeddings cancel out, or
   *     their dimension is not the model's
   * @throws IOException when reading or writing fails
   */
  public static Result run(SparkSession spark, String... args) throws IOException {
    JobArguments a =
        JobArguments.parse(
            args, Set.of("--model", "--input", "--out"), Set.of("--allow-torchscript"));
    Path model = PartitionEmbedder.resolve(a.required("--model"));
    String input = a.required("--input");
    Path out = Paths.get(a.required("--out"));
    OutputPaths.requireWritableDirectory(out, "--out");
    if (Files.exists(out) && !StagingDirectory.isEmptyDirectory(out)) {
      throw new IllegalArgumentException(
          "--out " + out + " exists and is not an empty directory; choose another");
    }
    EmbeddingNetworks networks = EmbeddingNetworks.builtIn();
    if (a.has("--allow-torchscript")) {
      networks = networks.withTorchScript();
    }
    GalleryFiles.Model info;
    try (ModelEmbedder embedder = ModelEmbedder.open(model, networks)) {
      info = embedder.info();
    }
    List<Row> rows =
        new ArrayList<>(
            spark
                .read()
                .parquet(input)
                .filter(col(Corpus.ERROR).isNull())
                .select(Corpus.LABEL, Corpus.SOURCE, Corpus.VECTOR)
                .groupByKey(
                    (MapFunction<Row, String>) r -> r.isNullAt(0) ? null : r.getString(0),
                    Encoders.STRING())
                .mapGroups(new Templates(), Encoders.row(TEMPLATES))
                .collectAsList());
    if (rows.isEmpty()) {
      throw new DataFormatException(Paths.get(input), "no embedded images to enroll");
    }
    List<String> names = new ArrayList<>();
    float[][] templates = new float[rows.size()][];
    int images = 0;
    rows.sort(Comparator.comparing((Row r) -> r.isNullAt(0) ? "" : r.getString(0)));
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      if (!r.isNullAt(3)) {
        throw new DataFormatException(Paths.get(input), r.getString(3));
      }
      names.add(r.getString(0));
      templates[i] = floats(r.getList(2));
      images += r.getInt(1);
      if (templates[i].length != info.embeddingSize()) {
        throw new DataFormatException(
            Paths.get(input),
            "identity '"
                + names.get(i)
                + "': vectors of "
                + templates[i].length
                + " floats, but the model "
                + model
                + " gives "
                + info.embeddingSize());
      }
    }
    try (NDManager manager = NDManager.newBaseManager();
        Gallery gallery = Gallery.of(manager, names, templates)) {
      GalleryFiles.write(
          out,
          gallery,
          GalleryFiles.Info.uncalibrated(
              gallery.size(), gallery.dimension(), images, info, GalleryFiles.EXACT));
      return new Result(out, gallery.size(), images, gallery.dimension());
    }
  }

  static float[] floats(List<Object> boxed) {
    float[] out = new float[boxed.size()];
    for (int j = 0; j < out.length; j++) {
      out[j] = ((Number) boxed.get(j)).floatValue();
    }
    return out;
  }

  /** One identity's template from its rows {@code (label, source, vector)}. */
  private static final class Templates implements MapGroupsFunction<String, Row, Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public Row call(String label, Iterator<Row> rows) {
      List<Row> all = new ArrayList<>();
      rows.forEachRemaining(all::add);
      if (label == null) {
        return RowFactory.create(
            null, all.size(), null, all.size() + " embedded rows have no label, so no identity");
      }
      all.sort(Comparator.comparing((Row r) -> r.getString(1)));
      float[][] vectors = new float[all.size()][];
      for (int i = 0; i < vectors.length; i++) {
        vectors[i] = floats(all.get(i).getList(2));
      }
      try {
        return RowFactory.create(label, all.size(), Gallery.template(vectors), null);
      } catch (IllegalArgumentException e) {
        return RowFactory.create(
            label, all.size(), null, "identity '" + label + "': " + e.getMessage());
      }
    }
  }
}
