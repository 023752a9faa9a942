package io.github.ringloss4j.app.cli;

import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.app.model.RingOptions;
import io.github.ringloss4j.app.train.RunDirectory;
import io.github.ringloss4j.app.train.RunOptions;
import io.github.ringloss4j.app.train.TrainOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ringloss demo}: the main job. Trains softmax and softmax + ring on Fashion-MNIST with the
 * same backbone, data, schedule and seed, a 128-d pair for the numbers and a 2-D pair for the
 * picture, evaluates all four and writes the report.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "The main job: train softmax and softmax + ring on Fashion-MNIST (128-d embeddings, and"
          + " 2-D embeddings for a scatter plot), evaluate them and write OUT/report/report.md.",
      "Runs that already finished in OUT are reused; interrupted ones resume."
    })
public final class DemoCommand implements Callable<Integer> {

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "runs/demo",
      description = "Output directory. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Fashion-MNIST IDX directory. Default: the Debian package's.")
  Path data;

  @Option(
      names = "--epochs",
      defaultValue = RunOptions.DEFAULT_EPOCHS,
      description = "Epochs per run. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(
      names = "--lambda",
      defaultValue = RingOptions.DEFAULT_LAMBDA,
      description = "Ring weight for the 128-d ring run. Default: ${DEFAULT-VALUE} (the paper's).")
  double lambda;

  @Option(
      names = "--lambda-2d",
      defaultValue = "0.3",
      description =
          "Ring weight for the 2-D pair: in two dimensions softmax spreads norms widely, so the"
              + " picture needs a stronger ring than the 128-d runs. Default: ${DEFAULT-VALUE}.")
  double lambda2d;

  @Option(
      names = "--train-limit",
      defaultValue = "20000",
      description =
          "Train on N of the 60,000 training images (0: all); 20,000 keeps the demo to a few"
              + " minutes on 2 cores. Default: ${DEFAULT-VALUE}.")
  int trainLimit;

  @Option(
      names = "--seed",
      defaultValue = RunOptions.DEFAULT_SEED,
      description = "Seed of every run. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Mixin RuntimeOptions runtime;

  @Override
  public Integer call() throws Exception {
    runtime.apply();
    OutputPaths.requireWritableDirectory(out, "--out");
    String[][] runs = {
      {"softmax", "0", "128"},
      {"ring", Double.toString(lambda), "128"},
      {"softmax-2d", "0", "2"},
      {"ring-2d", Double.toString(lambda2d), "2"}
    };
    // Every run's options are parsed before the first trains, so a bad value stops the demo at
    // once, named by the demo's own option.
    List<TrainOptions> options = new ArrayList<>();
    for (String[] run : runs) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--embedding-size",
                  run[2],
                  "--lambda",
                  run[1],
                  "--epochs",
                  Integer.toString(epochs),
                  "--seed",
                  Long.toString(seed),
                  "--train-limit",
                  Integer.toString(trainLimit)));
      if (data != null) {
        args.addAll(List.of("--data", data.toString()));
      }
      try {
        options.add(TrainOptions.parse(args));
      } catch (IllegalArgumentException e) {
        String option = run[0].equals("ring-2d") ? "--lambda-2d" : null;
        throw option == null ? e : new IllegalArgumentException(option + ": " + e.getMessage(), e);
      }
    }
    List<Path> dirs = new ArrayList<>();
    for (int i = 0; i < runs.length; i++) {
      String[] run = runs[i];
      Path dir = out.resolve(run[0]);
      dirs.add(dir);
      System.out.println(run[0] + ": " + options.get(i).method() + ", d = " + run[2]);
      if (!RunDirectory.trainOrReuse(options.get(i), dir, runtime.progress())) {
        System.out.println(run[0] + ": already trained, reusing " + dir);
      }
    }
    Path report =
        ReportCommand.write(
            dirs, out.resolve("report"), 3000, 7, CommandLines.current("demo", out));
    System.out.println("report: " + report);
    return 0;
  }
}
