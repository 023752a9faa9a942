package io.github.ringloss4j.serving;

import io.github.ringloss4j.backbone.Backbones;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The committed TorchScript fixtures of {@code serving/torchscript/}, made by
 * bench/pytorch/fixtures/make_torchscript_fixture.py with torch 1.13 (its docstring describes each
 * file).
 */
final class TorchScriptFixtures {

  /** The traced network's input. */
  static final Backbones.Input INPUT = new Backbones.Input(3, 112, 112);

  /** Its embedding size. */
  static final int D = 64;

  private TorchScriptFixtures() {}

  /** A fixture file by name. */
  static Path file(String name) {
    try {
      return Path.of(TorchScriptFixtures.class.getResource("/serving/torchscript/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Rows of {@code rowLength} floats from a raw little-endian float32 fixture. */
  static float[][] rows(String name, int rowLength) throws IOException {
    ByteBuffer bytes =
        ByteBuffer.wrap(Files.readAllBytes(file(name))).order(ByteOrder.LITTLE_ENDIAN);
    int count = bytes.remaining() / Float.BYTES / rowLength;
    float[][] rows = new float[count][rowLength];
    for (float[] row : rows) {
      bytes.asFloatBuffer().get(row);
      bytes.position(bytes.position() + rowLength * Float.BYTES);
    }
    return rows;
  }
}
