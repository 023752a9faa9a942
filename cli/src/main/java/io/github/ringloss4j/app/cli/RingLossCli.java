package io.github.ringloss4j.app.cli;

import ai.djl.engine.Engine;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ringloss} application.
 *
 * <p>Exit codes: 0 success; 1 an unexpected internal error; 2 a bad command line or option value; 3
 * missing or malformed input data or checkpoint; 4 training diverged (NaN/Inf or a runaway); 5 an
 * I/O failure (an output that cannot be written, a native cache that cannot be unpacked); 10 {@code
 * verify} said "different". {@link Failures} maps failures to them.
 */
@Command(
    name = "ringloss",
    mixinStandardHelpOptions = true,
    versionProvider = RingLossCli.Version.class,
    description = "Train, evaluate and inspect embedding models with Ring loss (CVPR 2018).",
    subcommands = {
      DemoCommand.class,
      TrainCommand.class,
      EvaluateCommand.class,
      EmbedCommand.class,
      ExportCommand.class,
      ImportCommand.class,
      VerifyCommand.class,
      EnrollCommand.class,
      UnenrollCommand.class,
      IdentifyCommand.class,
      CompareCommand.class,
      ReportCommand.class,
      PackCommand.class,
      PackCommand.Unpack.class,
      PackCommand.Synth.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:internal error",
      "2:bad command line or option value",
      "3:missing or malformed input data or checkpoint",
      "4:training diverged (NaN/Inf or a runaway)",
      "5:I/O failure: an output cannot be written, the native cache cannot be unpacked",
      "10:verify: the two images are of different identities"
    })
public final class RingLossCli implements Runnable {

  /** Exit code for a bad option value. */
  public static final int EXIT_USAGE = 2;

  /** Exit code for bad input data. */
  public static final int EXIT_DATA = 3;

  /** Exit code for a diverged training. */
  public static final int EXIT_DIVERGED = 4;

  /** Exit code for an I/O failure: an output that cannot be written, the engine's native cache. */
  public static final int EXIT_IO = 5;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Runs the application.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /**
   * Runs the application and returns its exit code, for tests and embedding.
   *
   * @param args the command line
   * @return the exit code
   */
  public static int execute(String... args) {
    CommandLines.remember(args);
    CommandLine cli = new CommandLine(new RingLossCli());
    cli.setExecutionExceptionHandler(RingLossCli::handle);
    cli.setParameterExceptionHandler(badValues(cli.getParameterExceptionHandler()));
    return cli.execute(args);
  }

  /**
   * Reports a value that does not convert ({@code --penalty 'huber(delta=-1)'}, {@code --optimizer
   * sgdx}) in one line naming the option, like a value out of range, with exit code 2; passes other
   * command-line errors to picocli's report, which adds the usage.
   */
  private static CommandLine.IParameterExceptionHandler badValues(
      CommandLine.IParameterExceptionHandler others) {
    return (e, args) -> {
      if (!(e.getCause() instanceof CommandLine.TypeConversionException)
          || !(e.getArgSpec() instanceof CommandLine.Model.OptionSpec option)) {
        return others.handleParseException(e, args);
      }
      String problem =
          option.type().isEnum()
              ? "must be one of "
                  + String.join(", ", option.completionCandidates())
                  + ", got '"
                  + e.getValue()
                  + "'"
              : e.getCause().getMessage();
      String command = e.getCommandLine().getCommandName();
      PrintWriter err = e.getCommandLine().getErr();
      err.println("ringloss " + command + ": " + option.longestName() + ": " + problem);
      err.println("Try 'ringloss " + command + " --help'.");
      return EXIT_USAGE;
    };
  }

  private static int handle(
      Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    return Failures.report(e, commandLine.getCommandName(), commandLine.getErr());
  }

  /** Reports the version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = RingLossCli.class.getPackage().getImplementationVersion();
      // DJL's own jar knows its version; asking it does not load the engine.
      return new String[] {
        "ringloss " + (v == null ? "(development)" : v) + ", DJL " + Engine.getDjlVersion()
      };
    }
  }
}
