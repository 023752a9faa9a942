package io.github.ringloss4j.app.cli;

import io.github.ringloss4j.app.eval.EvaluationFile;
import io.github.ringloss4j.app.eval.RunSummary;
import io.github.ringloss4j.app.io.OutputPaths;
import io.github.ringloss4j.app.report.RunReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ringloss report}: plots and a Markdown report comparing trained runs. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate runs on their test data and write OUT/report.md with PNG plots: loss terms,"
          + " accuracy, R and mean ± std ||f|| per epoch, the train --val sets' accuracies per"
          + " step, ||f|| histograms, ROC curves, and a 2-D scatter for runs with a 2-D embedding."
    })
public final class ReportCommand implements Callable<Integer> {

  @Parameters(arity = "1..*", paramLabel = "RUN", description = "Run directories to compare.")
  List<Path> runs;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "runs/report",
      description = "Report directory. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--pairs-per-kind",
      defaultValue = "3000",
      description = "Genuine and impostor test pairs. Default: ${DEFAULT-VALUE}.")
  int pairsPerKind;

  @Option(
      names = "--seed",
      defaultValue = "7",
      description = "Evaluation seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Mixin RuntimeOptions runtime;

  @Override
  public Integer call() throws Exception {
    runtime.apply();
    requireWritable(runs, out);
    Path report = write(runs, out, pairsPerKind, seed, CommandLines.current("report", out));
    System.out.println("report: " + report);
    return 0;
  }

  /**
   * Checks, before any work, every place a report writes: its directory and each run's {@code
   * evaluation.json}.
   */
  static void requireWritable(List<Path> runs, Path out) throws java.io.IOException {
    OutputPaths.requireWritableDirectory(out, "--out");
    for (Path run : runs) {
      Path dir = java.nio.file.Files.isDirectory(run) ? run : run.toAbsolutePath().getParent();
      OutputPaths.requireWritableFile(dir.resolve(EvaluationFile.FILE_NAME), "the evaluation file");
    }
  }

  static Path write(List<Path> runs, Path out, int pairsPerKind, long seed, String command)
      throws java.io.IOException {
    List<RunSummary> summaries = new ArrayList<>();
    for (Path run : runs) {
      RunSummary s = RunSummary.evaluate(run, pairsPerKind, seed, command);
      System.out.println(s.name() + ": " + s.result().summary().strip().replace("\n", "\n  "));
      summaries.add(s);
    }
    return RunReport.write(summaries, out, command);
  }
}
