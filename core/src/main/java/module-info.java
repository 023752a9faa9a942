/**
 * ringloss4j: Ring loss (Zheng, Pal, Savvides, CVPR 2018) and its robust variants for the Deep Java
 * Library.
 *
 * <p>The exported packages are the API; {@code io.github.ringloss4j.internal} is exported to the
 * command-line application alone (which shares its image steps with serving) and may change in any
 * release.
 */
module io.github.ringloss4j.core {
  requires transitive ai.djl.api;
  requires org.slf4j;
  // DJL's api is an automatic module, which declares no dependency of its own, and its model
  // loading (Criteria, used by serving) parses with Gson: required here so that a user's module
  // path resolves it without --add-modules.
  requires com.google.gson;
  // Serving decodes and resizes with java.awt; no exported signature mentions a java.awt type.
  requires java.desktop;
  // Pyrolite (an automatic module): pickles are read and written inside core, none of its types
  // appear in an exported signature.
  requires pickle;
  // Lucene's vector index (a named module) behind metrics.LuceneGallery; no Lucene type appears in
  // an exported signature.
  requires org.apache.lucene.core;

  exports io.github.ringloss4j.backbone;
  exports io.github.ringloss4j.head;
  exports io.github.ringloss4j.interop;
  exports io.github.ringloss4j.loss;
  exports io.github.ringloss4j.metrics;
  exports io.github.ringloss4j.nn;
  exports io.github.ringloss4j.optim;
  exports io.github.ringloss4j.penalty;
  exports io.github.ringloss4j.serving;
  exports io.github.ringloss4j.training;
  exports io.github.ringloss4j.internal to
      io.github.ringloss4j.app;
}
