package io.github.ringloss4j.serving;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.translate.Batchifier;

/**
 * Batches items that are each already k rows of a batch (an image and, with flip-sum, its mirror):
 * {@link #batchify} concatenates [k, …] arrays along axis 0 into [n·k, …], {@link #unbatchify} cuts
 * [n·k, …] back into n arrays [k, …]. DJL's stacking batchifier would add an axis instead, giving
 * the network a 5-D input.
 */
final class RowBatchifier implements Batchifier {

  private static final long serialVersionUID = 1L;

  private final int rowsPerItem;

  /**
   * Creates the batchifier.
   *
   * @param rowsPerItem k ≥ 1
   */
  RowBatchifier(int rowsPerItem) {
    if (rowsPerItem < 1) {
      throw new IllegalArgumentException("rows per item must be >= 1, got " + rowsPerItem);
    }
    this.rowsPerItem = rowsPerItem;
  }

  @Override
  public NDList batchify(NDList[] inputs) {
    if (inputs.length == 0 || inputs[0].isEmpty()) {
      return new NDList();
    }
    NDList out = new NDList(inputs[0].size());
    for (int kind = 0; kind < inputs[0].size(); kind++) {
      NDList rows = new NDList(inputs.length);
      for (NDList input : inputs) {
        rows.add(input.get(kind));
      }
      out.add(rows.size() == 1 ? rows.head() : NDArrays.concat(rows, 0));
    }
    return out;
  }

  @Override
  public NDList[] unbatchify(NDList batch) {
    if (batch.isEmpty()) {
      return new NDList[0];
    }
    long rows = batch.head().size(0);
    if (rows % rowsPerItem != 0) {
      throw new IllegalArgumentException(
          "a batch of "
              + rows
              + " rows is not a whole number of items of "
              + rowsPerItem
              + " rows");
    }
    int items = Math.toIntExact(rows / rowsPerItem);
    if (items == 0) {
      return new NDList[0];
    }
    NDList[] out = new NDList[items];
    for (int i = 0; i < items; i++) {
      out[i] = new NDList(batch.size());
    }
    for (NDArray array : batch) {
      NDList parts = array.split(items, 0);
      for (int i = 0; i < items; i++) {
        out[i].add(parts.get(i));
      }
    }
    return out;
  }
}
