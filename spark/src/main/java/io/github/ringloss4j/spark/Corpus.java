package io.github.ringloss4j.spark;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The rows the jobs pass between them. */
final class Corpus {

  /** Column names of {@link #EMBEDDINGS}. */
  static final String SOURCE = "source";

  static final String LABEL = "label";
  static final String NORM = "norm";
  static final String VECTOR = "vector";
  static final String ERROR = "error";

  /** The images to embed, whatever the input: where each is from, its label, bytes, error. */
  static final StructType IMAGES =
      new StructType()
          .add(SOURCE, DataTypes.StringType, false)
          .add(LABEL, DataTypes.StringType, true)
          .add("content", DataTypes.BinaryType, true)
          .add(ERROR, DataTypes.StringType, true);

  /**
   * The output of {@code EmbedCorpus}: source, label, ‖f‖ and f as the export gives it, or, for an
   * image that could not be embedded, no norm and no vector but the error.
   */
  static final StructType EMBEDDINGS =
      new StructType()
          .add(SOURCE, DataTypes.StringType, false)
          .add(LABEL, DataTypes.StringType, true)
          .add(NORM, DataTypes.FloatType, true)
          .add(VECTOR, DataTypes.createArrayType(DataTypes.FloatType, false), true)
          .add(ERROR, DataTypes.StringType, true);

  private Corpus() {}
}
