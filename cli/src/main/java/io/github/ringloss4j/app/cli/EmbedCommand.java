package io.github.ringloss4j.app.cli;

import ai.djl.Model;
import io.github.ringloss4j.app.data.BatchReader;
import io.github.ringloss4j.app.data.DataOptions;
import io.github.ringloss4j.app.data.Datasets;
import io.github.ringloss4j.app.data.ImageFiles;
import io.github.ringloss4j.app.data.LabelledSource;
import io.github.ringloss4j.app.eval.Embedder;
import io.github.ringloss4j.app.eval.EmbeddingFiles;
import io.github.ringloss4j.app.eval.ModelEmbedder;
import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.app.train.Checkpoint;
import io.github.ringloss4j.app.train.TrainOptions;
import io.github.ringloss4j.serving.ModelDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ringloss embed}: embeddings as CSV and .npy. */
@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description = {
      "Embed a dataset with a trained run, or image files with an exported model directory"
          + " ('ringloss export' or 'ringloss import'). Writes OUT/embeddings.csv (source, label,"
          + " norm, raw vector, L2-normalised vector) and OUT/embeddings.npy, embeddings_normalized.npy,"
          + " norms.npy (float32) and labels.npy (int64), loadable with numpy.load."
    })
public final class EmbedCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "RUN",
      description =
          "The run directory (or checkpoint file), or an exported model directory (with"
              + " --images; its embeddings as it configured them: flip-sum, L2).")
  Path run;

  @Option(names = "--data", paramLabel = "DIR", description = "Embed other data than the run's.")
  Path data;

  @Option(
      names = "--images",
      paramLabel = "DIR",
      description = "Embed every .jpg/.png directly in DIR instead (label -1), e.g. new photos.")
  Path images;

  @Option(
      names = "--split",
      defaultValue = "test",
      description =
          "test (IDX test set / folder validation split), train, or all. Default: ${DEFAULT-VALUE}.")
  Split split;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description =
          "Output directory (a directory: an existing file is refused, exit code 2). One that"
              + " already holds embeddings is refused unless --overwrite.")
  Path out;

  @Option(
      names = "--batch-size",
      defaultValue = "256",
      description = "Items per forward pass. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(
      names = "--overwrite",
      description = "Replace the embeddings an existing OUT already holds.")
  boolean overwrite;

  @Mixin RuntimeOptions runtime;

  @Mixin TorchScriptTrust trust;

  /** What embed writes in OUT; an OUT holding one of them already holds embeddings. */
  static final List<String> FILES = EmbeddingFiles.FILES;

  @Override
  public Integer call() throws Exception {
    runtime.apply();
    // Before any work, like train with an existing checkpoint: refuse to replace results silently.
    OutputPaths.requireWritableDirectory(out, "--out");
    for (String file : FILES) {
      if (!overwrite && Files.exists(out.resolve(file))) {
        throw new IllegalArgumentException(
            "--out "
                + out
                + " already holds embeddings ("
                + file
                + "); add --overwrite to replace them, or choose another --out");
      }
    }
    EmbeddingFiles written = images != null ? embedImages() : embedData();
    System.out.println(
        "embedded "
            + written.written()
            + " items of dimension "
            + written.dimension()
            + " into "
            + out);
    return 0;
  }

  /** Image files, with a run or an exported model directory ({@link ModelEmbedder}). */
  private EmbeddingFiles embedImages() throws IOException {
    List<Path> files = ImageFiles.listFolder(images);
    try (ModelEmbedder embedder = ModelEmbedder.open(run, trust.networks());
        EmbeddingFiles output = new EmbeddingFiles(out, files.size())) {
      embedder.embed(files, batchSize, output);
      output.commit();
      return output;
    }
  }

  /** The run's data, or other data read as the run reads its own. */
  private EmbeddingFiles embedData() throws IOException {
    if (ModelDirectory.isExport(run)) {
      throw new IllegalArgumentException(
          run
              + " is an exported model directory, which embeds image files only: give --images"
              + " FOLDER"
              + (data != null ? " instead of --data" : "")
              + " (--data and --split read a run's data sets, with its preprocessing)");
    }
    Checkpoint checkpoint = Checkpoint.read(run);
    TrainOptions o = checkpoint.options();
    DataOptions target =
        o.data().forReading(data, split == Split.ALL ? 0 : o.data().validationFraction());
    // The run's data stay open while they are embedded (a packed set's file).
    try (Datasets.Splits splits = Datasets.open(target, o.run().seed());
        Model model = checkpoint.loadModel()) {
      LabelledSource source = split.of(splits);
      if (source.size() == 0) {
        // An empty output would look like a result; say which split was empty and what to ask.
        throw new IllegalArgumentException(
            "--split "
                + split
                + " selects no item of "
                + target.directory()
                + (split == Split.TEST
                    ? ": its validation split (the run's --validation-fraction "
                        + o.data().validationFraction()
                        + " of each identity, rounded) is empty; --split all embeds every item"
                    : ""));
      }
      Datasets.requireModelInput(source, o.data(), Datasets.directory(target.directory()));
      try (EmbeddingFiles output = new EmbeddingFiles(out, source.size())) {
        Embedder.embed(
            model,
            o.inputNormalization(),
            source,
            batchSize,
            BatchReader.Settings.defaults(),
            output);
        output.commit();
        return output;
      }
    }
  }

  /** Which items {@code --split} embeds. */
  enum Split {
    /** The IDX test set, or an image folder's validation split. */
    TEST,
    /** The training split. */
    TRAIN,
    /** Every item: the training split of a split with nothing held out. */
    ALL;

    LabelledSource of(Datasets.Splits splits) {
      return this == TEST ? splits.test() : splits.train();
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
