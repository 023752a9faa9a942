package io.github.ringloss4j.app.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@code .npy} file as DJL's own decoder reads it ({@link NDList#decode}, which takes numpy's
 * format), so that tests check {@link NpyWriter}'s output with a reader that is not ours.
 *
 * @param dataType the element type
 * @param shape the dimensions
 * @param floats the elements of a float32 array in C order, else null
 * @param longs the elements of an int64 array in C order, else null
 */
public record DecodedNpy(DataType dataType, long[] shape, float[] floats, long[] longs) {

  /**
   * Decodes a file.
   *
   * @param file the {@code .npy} file
   * @return its type, shape and elements
   * @throws IOException if the file cannot be read or decoded
   */
  public static DecodedNpy read(Path file) throws IOException {
    try (NDManager manager = NDManager.newBaseManager();
        InputStream in = Files.newInputStream(file)) {
      NDArray a = NDList.decode(manager, in).singletonOrThrow();
      DataType type = a.getDataType();
      return new DecodedNpy(
          type,
          a.getShape().getShape(),
          type == DataType.FLOAT32 ? a.toFloatArray() : null,
          type == DataType.INT64 ? a.toLongArray() : null);
    }
  }

  /**
   * The rows of a 2-D float32 array.
   *
   * @return [rows][columns]
   */
  public float[][] rows() {
    if (shape.length != 2 || floats == null) {
      throw new IllegalStateException("not a 2-D float32 array: " + dataType + " " + shape.length);
    }
    float[][] rows = new float[(int) shape[0]][(int) shape[1]];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(floats, r * rows[r].length, rows[r], 0, rows[r].length);
    }
    return rows;
  }
}
