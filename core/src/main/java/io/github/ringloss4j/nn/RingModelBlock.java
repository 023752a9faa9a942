package io.github.ringloss4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Objects;

/**
 * An embedding network, a classification head and a {@link RingLossBlock} on the embedding, as one
 * block that DJL's {@code Trainer} trains end to end.
 *
 * <p>The forward pass returns, at the indices of {@link RingOutputs}: the head's logits, the
 * embedding f, the per-sample ring penalties ρ(‖f_i‖ − R) and the norms ‖f_i‖. Given labels (DJL's
 * {@code Trainer.forward(data, labels)}), the head receives them through its own {@code
 * forward(store, data, labels, params)}, which margin heads (CosFace, ArcFace, …) need; a plain
 * linear head ignores them.
 */
public final class RingModelBlock extends AbstractBlock {

  private static final byte VERSION = 1;

  private final Block embedding;
  private final Block head;
  private final RingLossBlock ring;

  /**
   * Composes the three parts.
   *
   * @param embedding the network that maps inputs to features of shape [m, d]
   * @param head the classifier on the features, producing logits [m, classes]
   * @param ring the ring block that owns R
   */
  public RingModelBlock(Block embedding, Block head, RingLossBlock ring) {
    super(VERSION);
    this.embedding = addChildBlock("embedding", Objects.requireNonNull(embedding, "embedding"));
    this.head = addChildBlock("head", Objects.requireNonNull(head, "head"));
    this.ring = addChildBlock("ring", Objects.requireNonNull(ring, "ring"));
  }

  /**
   * The embedding network.
   *
   * @return the embedding block
   */
  public Block getEmbedding() {
    return embedding;
  }

  /**
   * The classification head.
   *
   * @return the head
   */
  public Block getHead() {
    return head;
  }

  /**
   * The ring block, which owns R.
   *
   * @return the ring
   */
  public RingLossBlock getRing() {
    return ring;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray features = embedding.forward(parameterStore, inputs, training, params).head();
    NDArray logits = head.forward(parameterStore, new NDList(features), training, params).head();
    return withRing(parameterStore, logits, features, training, params);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore, NDList data, NDList labels, PairList<String, Object> params) {
    NDArray features = embedding.forward(parameterStore, data, true, params).head();
    NDArray logits = head.forward(parameterStore, new NDList(features), labels, params).head();
    return withRing(parameterStore, logits, features, true, params);
  }

  private NDList withRing(
      ParameterStore parameterStore,
      NDArray logits,
      NDArray features,
      boolean training,
      PairList<String, Object> params) {
    NDList ringOut = ring.forward(parameterStore, new NDList(features), training, params);
    return new NDList(logits, features, ringOut.get(0), ringOut.get(1));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape features = embedding.getOutputShapes(inputShapes)[0];
    Shape logits = head.getOutputShapes(new Shape[] {features})[0];
    Shape[] ringShapes = ring.getOutputShapes(new Shape[] {features});
    return new Shape[] {logits, features, ringShapes[0], ringShapes[1]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    embedding.initialize(manager, dataType, inputShapes);
    Shape features = embedding.getOutputShapes(inputShapes)[0];
    head.initialize(manager, dataType, features);
    ring.initialize(manager, dataType, features);
  }
}
