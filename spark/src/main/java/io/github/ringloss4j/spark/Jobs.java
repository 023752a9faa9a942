package io.github.ringloss4j.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** What the jobs' {@code main} methods share: usage, the session, and the exit code. */
final class Jobs {

  /** A job's body in a session. */
  interface Body {
    int run(SparkSession spark, String[] args) throws IOException;
  }

  private Jobs() {}

  /**
   * Runs a job: prints the usage for {@code --help} or no arguments, takes {@code --master URL} out
   * of the arguments (without it the session takes the master {@code spark-submit} set), runs the
   * body in the session (stopped at the end) and maps a failure to the application's exit code.
   *
   * @param job the job's name
   * @param usage its usage
   * @param args its command line
   * @param body what it does
   * @return the exit code
   */
  static int execute(String job, String usage, String[] args, Body body) {
    if (args.length == 0 || List.of(args).contains("--help")) {
      System.out.println(usage);
      return args.length == 0 ? 2 : 0;
    }
    List<String> rest = new ArrayList<>(List.of(args));
    String master = null;
    int at = rest.indexOf("--master");
    if (at >= 0) {
      if (at + 1 >= rest.size()) {
        System.err.println(job + ": --master needs a value");
        return 2;
      }
      master = rest.get(at + 1);
      rest.subList(at, at + 2).clear();
    }
    SparkSession.Builder builder = SparkSession.builder().appName("ringloss " + job);
    if (master != null) {
      builder.master(master);
    }
    SparkSession spark = builder.getOrCreate();
    try {
      return body.run(spark, rest.toArray(new String[0]));
    } catch (RuntimeException | IOException e) {
      return JobArguments.report(job, e);
    } finally {
      spark.stop();
    }
  }
}
