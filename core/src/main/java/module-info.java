/**
 * ringloss4j: Ring loss (Zheng, Pal, Savvides, CVPR 2018) and its robust variants for the Deep Java
 * Library.
 *
 * <p>The exported packages are the API; {@code io.github.ringloss4j.internal} is not exported and
 * may change in any release.
 */
module io.github.ringloss4j.core {
  requires transitive ai.djl.api;
  requires org.slf4j;
  // The serving package's image steps take and return java.awt BufferedImages.
  requires transitive java.desktop;

  exports io.github.ringloss4j.backbone;
  exports io.github.ringloss4j.head;
  exports io.github.ringloss4j.loss;
  exports io.github.ringloss4j.metrics;
  exports io.github.ringloss4j.nn;
  exports io.github.ringloss4j.optim;
  exports io.github.ringloss4j.penalty;
  exports io.github.ringloss4j.serving;
  exports io.github.ringloss4j.training;
}
