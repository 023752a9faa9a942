/**
 * The ringloss command-line application: training, evaluation, export and reports on top of the
 * core library, which it uses only through what core exports (and core's {@code internal} package,
 * which core exports to this module alone for the image steps the application and serving share).
 *
 * <p>The PyTorch engine is a runtime dependency, found by DJL's {@code ServiceLoader} on the module
 * or class path; nothing here names it. The runnable {@code ringloss.jar} runs on the class path
 * (its manifest lists {@code lib/}); the tests run on the module path, where this descriptor holds.
 */
module io.github.ringloss4j.app {
  requires io.github.ringloss4j.core;
  requires ai.djl.api;
  requires com.google.gson;
  requires info.picocli;
  requires java.desktop;
  requires jdk.management;
  requires org.apache.lucene.core;
  requires org.knowm.xchart;
  requires org.slf4j;
  requires pickle;

  // picocli sets the annotated option fields of the commands and their option groups; Gson reads
  // and writes the option groups (a checkpoint's saved options) and the comparison's cells field by
  // field. Records written through io.JsonFiles need no opening: its adapter is this module's code.
  opens io.github.ringloss4j.app.cli to
      info.picocli;
  opens io.github.ringloss4j.app.data to
      info.picocli,
      com.google.gson;
  opens io.github.ringloss4j.app.model to
      info.picocli,
      com.google.gson;
  opens io.github.ringloss4j.app.train to
      info.picocli,
      com.google.gson;
  opens io.github.ringloss4j.app.report to
      com.google.gson;
  opens io.github.ringloss4j.app.eval to
      com.google.gson;
}
