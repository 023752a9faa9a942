package io.github.ringloss4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.List;

/**
 * A block that trains some of its parameters by rows: the engine does not differentiate the
 * parameter (it is frozen, so DJL's parameter store never asks for its dense gradient), the block's
 * labelled forward gathers the rows it uses into a fresh array that does require a gradient, and
 * after the backward pass {@link io.github.ringloss4j.optim.RingOptimizer} updates those rows of
 * the parameter and of its optimiser state, and no others. {@link
 * io.github.ringloss4j.head.PartialFcHead} with its sparse update is one.
 */
public interface RowSparseBlock {

  /**
   * The row gradients of the labelled forward passes since the last call; the call forgets them, so
   * each is applied once.
   *
   * @return one entry per parameter and device copy, possibly none
   */
  List<RowGradient> takeRowGradients();

  /**
   * The rows of one parameter a forward pass used.
   *
   * @param parameter the parameter (its id and name key the optimiser state)
   * @param weight the parameter's array on the pass's device, the one the rows were gathered from
   * @param rows the row indices on that device, int64 [|S|], distinct; {@code null} for every row
   *     in order
   * @param gathered {@code weight[rows]} (or a copy of every row), the array the pass
   *     differentiated: after the backward pass its gradient is the rows' gradient
   */
  record RowGradient(Parameter parameter, NDArray weight, NDArray rows, NDArray gathered) {}
}
